// The image cards' questions to the finished run (image tasks): the
// first-layer filters of target, ticket and the unpruned source (the
// filters card and the picture at the top), and the feature maps of the
// rotation card, asked again — newest wins — as its slider moves.

import { $, app } from './app.js';

// The finished image run this pool can answer for, if any.
function imageRunDone() {
  const last = app.last;
  return last && last.pool === app.pool && last.kind === 'image' ? last : null;
}

export async function showFilters() {
  const last = imageRunDone();
  if (!last) return;
  let filters;
  try {
    filters = await app.pool.query('filters');
  } catch (e) {
    filters = { error: e.message };
  }
  if (app.last !== last) return;
  app.panels.filters.done(filters, app.models.get(last.task)?.meta);
  app.panels.hero.filters(filters);
}

let mapsBusy = false;
let mapsWanted = false;

export function requestMaps() {
  mapsWanted = true;
  if (!mapsBusy) pumpMaps();
}

async function pumpMaps() {
  mapsBusy = true;
  while (mapsWanted) {
    mapsWanted = false;
    const last = imageRunDone();
    if (!last) break;
    const index = app.panels.rotation.digit();
    const angle = app.panels.rotation.angle();
    try {
      const d = await app.pool.query('featureMaps', { index, angle: (angle * Math.PI) / 180 });
      if (app.last === last) app.panels.rotation.show(d);
    } catch (e) {
      $('fm-note').textContent = `Feature maps unavailable: ${e.message}`;
    }
  }
  mapsBusy = false;
}
