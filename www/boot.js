// Loads the page's module (main.js) and, if it cannot be loaded — missing
// file, syntax error, a module it imports failing — says so on the page
// instead of leaving it blank. A classic script, so that it runs even where
// module loading fails; no inline script is needed (the CSP forbids them).
(function boot() {
  'use strict';
  function failed() {
    var s = document.getElementById('status');
    if (s) {
      s.dataset.state = 'error';
      s.textContent = 'error';
    }
    var m = document.getElementById('error-message');
    if (m) m.textContent = 'could not load the page script (main.js or a module it imports)';
    var e = document.getElementById('error');
    if (e) e.hidden = false;
    var run = document.getElementById('run');
    if (run) run.dataset.state = 'error';
    var re = document.getElementById('run-error');
    if (re) {
      re.textContent = 'The page script could not be loaded, so nothing can run.';
      re.hidden = false;
    }
  }
  var script = document.createElement('script');
  script.type = 'module';
  script.src = 'main.js';
  script.addEventListener('error', failed);
  document.head.appendChild(script);
})();
