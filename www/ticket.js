// Tickets in and out: Export downloads the finished run's ticket file
// (WebRun.ticketJson, with the model's SHA-256 from the core); Load reads
// a ticket file, has the core check it (ticketSettings: every check
// `eslt ticket verify` makes without the model), sets the controls from it
// and hands it to a run, whose digest is then compared (#ticket-check).

import { $, app, showRunError } from './app.js';
import { writeControls, writeUrl } from './controls.js';
import { el } from './dom.js';
import { parseProperty, TASKS } from './state.js';

const MAX_TICKET_BYTES = 64 << 20;

export async function exportTicket() {
  const last = app.last;
  if (!last || last.pool !== app.pool) return;
  const model = app.models.get(last.task);
  try {
    const json = await app.pool.query('ticketJson', { modelName: `${last.task}.json`, sha256: model.sha256 });
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = el('a', { href: url, download: `${last.task}-seed${last.seed}.ticket.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
  } catch (e) {
    showRunError(`Export failed: ${e.message}`);
  }
}

// Reads the ticket file `file` into the settings (controls and URL);
// the ticket to re-run ({name, mask_digest, model_sha256, headroom,
// grow}), or null with the reason shown in #ticket-check.
export async function readTicket(file) {
  const check = $('ticket-check');
  check.hidden = false;
  delete check.dataset.match;
  const fail = (why) => {
    check.textContent = `Could not use ${file.name}: ${why}`;
    return null;
  };
  if (file.size > MAX_TICKET_BYTES) return fail('the file is larger than 64 MB');
  let t;
  try {
    t = await app.core.request('ticketSettings', { text: await file.text() });
  } catch (e) {
    return fail(e.message);
  }
  const s = { ...app.state };
  const take = (name, value) => {
    const r = parseProperty(name, value === null || value === undefined ? '' : String(value));
    if ('error' in r) throw new Error(`${name}: ${r.error}`);
    s[name] = r.value;
  };
  try {
    if (!TASKS.includes(t.task)) throw new Error(`task: ${String(t.task)} is not one of ${TASKS.join(', ')}`);
    s.task = t.task;
    take('eps', t.eps);
    take('seed', t.seed);
    take('n', t.n);
    take('digits', t.testDigits);
  } catch (e) {
    return fail(e.message);
  }
  app.state = s;
  writeControls(s);
  writeUrl();
  return { name: file.name, mask_digest: t.maskDigest, model_sha256: t.modelSha256, headroom: t.headroom, grow: t.grow };
}

// Whether the finished run's `report` reproduces `ticket` (#ticket-check).
export function showTicketCheck(ticket, report) {
  const check = $('ticket-check');
  const ok = report.mask_digest === ticket.mask_digest;
  const sha = app.models.get(report.task)?.sha256;
  const model = ticket.model_sha256 && sha && ticket.model_sha256 !== sha ? ' (the file was made from a different model file)' : '';
  check.textContent = ok
    ? `The ticket matches: this run's mask digest ${report.mask_digest.slice(0, 16)}… equals the one in ${ticket.name}.`
    : `The ticket does not match: this run's mask digest ${report.mask_digest.slice(0, 16)}… differs from ${String(ticket.mask_digest).slice(0, 16)}… in ${ticket.name}${model}.`;
  check.dataset.match = String(ok);
}
