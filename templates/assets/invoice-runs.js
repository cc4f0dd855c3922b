// Invoice runs pages: while a run is running, asks GET /api/v1/invoice-runs/:id (the session cookie
// authenticates it) every second and updates its row or page in place, until it has finished.
(function () {
  'use strict';
  var LABELS = { running: 'Running', completed: 'Completed', failed: 'Failed' };
  var EVERY_MS = 1000;

  function running() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-run-id][data-run-status="running"]'));
  }

  function set(el, field, text) {
    var nodes = el.querySelectorAll('[data-field="' + field + '"]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = text;
  }

  function instant(iso) {
    return iso ? iso.slice(0, 16).replace('T', ' ') + ' UTC' : '';
  }

  function show(el, run) {
    el.setAttribute('data-run-status', run.status);
    var badges = el.querySelectorAll('[data-field="status"]');
    for (var i = 0; i < badges.length; i++) {
      badges[i].textContent = LABELS[run.status] || run.status;
      badges[i].className = 'badge badge-run-' + run.status;
    }
    var bars = el.querySelectorAll('[data-field="progress"]');
    for (var j = 0; j < bars.length; j++) {
      bars[j].max = Math.max(run.customersTotal, 1);
      bars[j].value = run.customersTotal === 0 && run.status !== 'running' ? 1 : run.customersDone;
    }
    set(el, 'customersDone', String(run.customersDone));
    set(el, 'customersTotal', String(run.customersTotal));
    set(el, 'invoicesCreated', String(run.invoicesCreated));
    set(el, 'invoicesExisting', String(run.invoicesExisting));
    set(el, 'failures', String(run.failures));
    set(el, 'error', run.error || '');
    if (run.finishedAt) set(el, 'finishedAt', instant(run.finishedAt));
  }

  function poll() {
    var els = running();
    if (!els.length) return;
    Promise.all(
      els.map(function (el) {
        return fetch('/api/v1/invoice-runs/' + encodeURIComponent(el.getAttribute('data-run-id')), {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        })
          .then(function (res) {
            // Logged out, or the run is gone: stop asking (a reload shows why).
            if (res.status >= 400 && res.status < 500) el.setAttribute('data-run-status', 'unknown');
            return res.ok ? res.json() : null;
          })
          .then(function (run) {
            if (run) show(el, run);
          });
      }),
    )
      .catch(function () {
        /* a failed poll is retried on the next tick */
      })
      .then(function () {
        if (running().length) setTimeout(poll, EVERY_MS);
      });
  }

  setTimeout(poll, EVERY_MS);
})();
