/* The tree page's sync panel: the last sync and its counts, the last error, a partial sync's
 * unverified resources, the out-of-sync warning and the service's status badge, as the API says
 * them, and the preview's lists. "Sync now" and "Preview" are sync_jobs.js's: it runs them as
 * jobs (the buttons are disabled on a service without a sync type) and calls showSync and
 * showPreview when a run ends.
 * Methods of the tree page (tree_page.js mixes them in): ``window.magpieTreeParts.syncPanel``.
 */
(function () {
  "use strict";

  var parts = window.magpieTreeParts = window.magpieTreeParts || {};
  var ui = window.magpieUi;
  var el = ui.el;
  var number = ui.number;
  var PREVIEW_LIMIT = 1000; // paths a dry run lists, each of added and removed (PREVIEW_LIMIT of sync_resources)
  var STATUS_LABELS = {
    "synced": "synced",
    "out-of-sync": "out of sync",
    "failed": "failed",
    "never-synced": "never synced",
    "no-sync-type": "no sync type"
  };

  function bindSync() {
    var closers = this.root.querySelectorAll("[data-close]");
    for (var i = 0; i < closers.length; i++) {
      closers[i].addEventListener("click", function (event) {
        document.getElementById(event.currentTarget.getAttribute("data-close")).hidden = true;
      });
    }
  }

  function statusOf(syncable, sync) {
    if (!syncable) {
      return "no-sync-type";
    }
    if (sync.last_error) {
      return "failed";
    }
    if (!sync.last_sync) {
      return "never-synced";
    }
    return sync.out_of_sync ? "out-of-sync" : "synced";
  }

  function showSync(sync) {
    this.synced = !!sync.last_sync;
    ui.setTime(document.getElementById("last-sync"), sync.last_sync);
    var counts = document.getElementById("last-sync-counts");
    counts.textContent = sync.last_sync && sync.added !== null && sync.added !== undefined ?
      "(" + number(sync.added) + " added, " + number(sync.removed) + " removed, " + number(sync.kept) + " kept)" : "";
    var error = document.getElementById("sync-error");
    error.hidden = !sync.last_error;
    document.getElementById("sync-error-text").textContent = sync.last_error || "";
    ui.setTime(document.getElementById("last-attempt"), sync.last_attempt);
    var partial = document.getElementById("sync-partial");
    partial.hidden = !sync.partial;
    document.getElementById("sync-partial-count").textContent = number(sync.unverified || 0);
    document.getElementById("sync-partial-reasons").textContent = (sync.partial_reasons || []).join("; ");
    var warning = document.getElementById("sync-warning");
    warning.hidden = !(this.syncable && sync.out_of_sync);
    warning.querySelector('[data-when="never"]').hidden = !!sync.last_sync;
    warning.querySelector('[data-when="stale"]').hidden = !sync.last_sync;
    var status = statusOf(this.syncable, sync);
    var badge = document.getElementById("service-status");
    badge.className = "badge status-" + status;
    badge.setAttribute("data-status", status);
    badge.textContent = STATUS_LABELS[status];
  }

  function showPreview(result) {
    var panel = document.getElementById("preview-panel");
    var preview = result.preview || {added: [], removed: []};
    document.getElementById("preview-summary").textContent = "A sync now would add " + number(result.added) +
      " and remove " + number(result.removed) + " remote resources, and keep " + number(result.kept) +
      ". Nothing was written.";
    fillPaths(document.getElementById("preview-added"), preview.added, result.added);
    fillPaths(document.getElementById("preview-removed"), preview.removed, result.removed);
    panel.hidden = false;
  }

  function fillPaths(list, paths, total) {
    list.textContent = "";
    var fragment = document.createDocumentFragment();
    (paths || []).forEach(function (path) {
      fragment.appendChild(el("li", null, path));
    });
    if (!paths || !paths.length) {
      fragment.appendChild(el("li", "empty", "nothing"));
    } else if (paths.length >= PREVIEW_LIMIT && total > paths.length) {
      fragment.appendChild(el("li", "empty", "… the server lists the first " + number(paths.length) + " of " +
        number(total)));
    }
    list.appendChild(fragment);
  }

  parts.syncPanel = {bindSync: bindSync, showSync: showSync, showPreview: showPreview};
})();
