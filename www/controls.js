// The settings form and the URL: controls ⇄ app.state ⇄ query string,
// every value parsed by state.js's table of properties. A bad value is
// marked on its control and named in #control-errors; it never reaches
// the state.

import { $, app, CONTROLS } from './app.js';
import { parseProperty, toQuery } from './state.js';

export function writeControls(s) {
  $('task').value = s.task;
  $('eps').value = String(s.eps);
  $('n').value = s.n === null ? '' : String(s.n);
  $('seed').value = String(s.seed);
  $('digits').value = String(s.digits);
  $('backend-select').value = s.backend;
}

export function writeUrl() {
  history.replaceState(null, '', toQuery(app.state, location.search));
}

// Reads every control into the state; null (and messages shown) if any is bad.
export function readControls() {
  const errors = [];
  const next = { ...app.state };
  for (const [name, id] of Object.entries(CONTROLS)) {
    const input = $(id);
    const r = parseProperty(name, input.value);
    input.toggleAttribute('aria-invalid', 'error' in r);
    if ('error' in r) errors.push(`${name}: ${r.error}`);
    else next[name] = r.value;
  }
  const box = $('control-errors');
  box.textContent = errors.join(' · ');
  box.hidden = !errors.length;
  if (errors.length) return null;
  app.state = next;
  writeUrl();
  return next;
}

// Keeps state and URL in step with the controls; onChange(name, value)
// after a setting changed to a valid new value.
export function wireControls(onChange) {
  for (const [name, id] of Object.entries(CONTROLS)) {
    const input = $(id);
    const apply = (showErrors) => {
      const r = parseProperty(name, input.value);
      if ('error' in r) {
        if (showErrors) {
          input.setAttribute('aria-invalid', 'true');
          $('control-errors').textContent = `${name}: ${r.error}`;
          $('control-errors').hidden = false;
        }
        return;
      }
      input.removeAttribute('aria-invalid');
      if (!document.querySelector('#controls [aria-invalid]')) $('control-errors').hidden = true;
      const changed = app.state[name] !== r.value;
      app.state[name] = r.value;
      writeUrl();
      if (changed) onChange(name, r.value);
    };
    input.addEventListener('input', () => apply(false));
    input.addEventListener('change', () => apply(true));
  }
  $('new-seed').addEventListener('click', () => {
    app.state.seed = Math.floor(Math.random() * 2 ** 31);
    $('seed').value = String(app.state.seed);
    writeUrl();
    onChange('seed', app.state.seed);
  });
}
