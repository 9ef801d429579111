// What every end-to-end page must not do: log console errors, throw page
// errors, violate its Content Security Policy, or send a request anywhere
// but its own origin (data: and blob: URLs excepted). Also installs a
// long-task observer on the main thread, read by the speed measurement.

// Runs in every document before the page's own scripts.
function initScript() {
  const state = { csp: [], longtasks: [] };
  Object.defineProperty(window, '__esltE2e', { value: state });
  document.addEventListener('securitypolicyviolation', (e) => {
    state.csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber}`);
  });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) state.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ entryTypes: ['longtask'] });
  } catch {
    // No long-task timing in this browser: the speed log shows none.
  }
}

const CSP = /content[- ]security[- ]policy/i;

// Sets up a context so that pages opened with openPage() report problems.
export async function guardContext(context, origin) {
  await context.addInitScript(initScript);
  const guard = { origin, current: null };
  // Context-level so requests of workers are seen too.
  context.on('request', (r) => {
    const url = r.url();
    if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return;
    guard.current?.push(`request leaves the origin: ${r.method()} ${url}`);
  });
  context.__esltGuard = guard;
  return guard;
}

// Opens a page in a guarded context; `problems` collects what went wrong.
export async function openPage(context, url, { viewport = { width: 1280, height: 900 } } = {}) {
  const guard = context.__esltGuard;
  if (!guard) throw new Error('openPage: context was not set up with guardContext()');
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const problems = [];
  guard.current = problems;
  const onConsole = (where) => (m) => {
    const text = m.text();
    if (m.type() === 'error') problems.push(`console error${where}: ${text}`);
    else if (CSP.test(text)) problems.push(`CSP message${where} (${m.type()}): ${text}`);
  };
  page.on('console', onConsole(''));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('worker', (w) => {
    // Newer Playwright reports worker console messages on the worker.
    if (typeof w.on === 'function') {
      try {
        w.on('console', onConsole(` (worker ${w.url()})`));
      } catch {
        // not supported
      }
    }
  });
  page.on('crash', () => problems.push('page crashed'));
  await page.goto(url);
  return { page, problems };
}

// Fails with every problem seen on the page (and its CSP violations).
export async function problemsOf(page, problems) {
  const all = [...problems];
  if (!page.isClosed()) {
    const csp = await page.evaluate(() => window.__esltE2e?.csp ?? []).catch(() => []);
    for (const v of csp) all.push(`CSP violation: ${v}`);
  }
  // The same message may come through page and worker listeners.
  return [...new Set(all)];
}
