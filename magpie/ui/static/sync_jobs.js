/* Syncs as background jobs in the pages (magpie.jobs): on the tree page "Sync now" and "Preview"
 * queue a job, a progress bar follows it (documents read, nodes found, elapsed time) with a Cancel
 * button, and the tree reloads when it ends; the services page shows the syncs that run.
 *
 * Kept apart from the tree modules: it takes the two buttons' clicks before the tree page sees
 * them and calls only its public methods (load, showSync, showPreview) when a job ends. */
(function () {
  "use strict";

  var ACTIVE = {queued: true, running: true};
  var POLL_MS = 500;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function call(method, url) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRF-Token": csrfToken()}
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return {status: response.status, ok: response.ok, json: json};
      });
    }, function (error) {
      return {status: 0, ok: false, json: {detail: "the server cannot be reached (" + error.message + ")"}};
    });
  }

  /* On the tree page through its call (common.js), which asks the session first: a 401 of the API carries a
   * Basic challenge, and a browser answers that with its own password dialog. */
  function callSignedIn(method, url) {
    var tree = window.magpieTree;
    return tree && tree.call ? tree.call(method, url) : call(method, url);
  }

  function number(value) {
    return (value || 0).toLocaleString("en-US");
  }

  function progressWords(run) {
    var p = run.progress || {};
    var words = number(p.documents) + " documents read";
    if (p.queued) {
      words += ", " + number(p.queued) + " queued";
    }
    return words + ", " + number(p.nodes) + " nodes found, " + Math.round(p.elapsed || 0) + " s";
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // --- the tree page -----------------------------------------------------------------------

  function SyncJob(root) {
    this.root = root;
    this.syncUrl = root.getAttribute("data-sync-url");
    this.panel = el("div", {id: "sync-job", "class": "sync-job", hidden: ""});
    this.bar = el("progress", {id: "sync-job-bar", max: "1", value: "0", "aria-label": "Sync progress"});
    this.text = el("span", {id: "sync-job-text", role: "status", "aria-live": "polite"});
    this.cancelButton = el("button", {type: "button", id: "sync-job-cancel"}, "Cancel");
    this.panel.appendChild(this.bar);
    this.panel.appendChild(this.text);
    this.panel.appendChild(this.cancelButton);
    var anchor = document.getElementById("action-status");
    anchor.parentNode.insertBefore(this.panel, anchor.nextSibling);
    this.run = null;
    var job = this;
    this.cancelButton.addEventListener("click", function () { job.cancel(); });
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest('button[data-action="sync"], button[data-action="preview"]');
      if (button && root.contains(button)) {
        event.preventDefault();
        job.start(button.getAttribute("data-action") === "preview");
      }
    }, true);
    callSignedIn("GET", this.syncUrl + "/runs?limit=1").then(function (answer) {
      var last = answer.ok && answer.json.runs && answer.json.runs[0];
      if (last && ACTIVE[last.status]) {
        job.follow(last);
      }
    });
  }

  SyncJob.prototype.say = function (text) {
    this.panel.hidden = false;
    this.text.textContent = text;
  };

  /* The tree page's own message line and busy buttons, when the tree page offers them. */
  SyncJob.prototype.tell = function (kind, text) {
    var tree = window.magpieTree;
    if (tree && tree.say) {
      tree.say(kind, text);
    } else {
      this.say(text);
    }
  };

  SyncJob.prototype.busy = function (busy, dryRun) {
    var tree = window.magpieTree;
    if (tree && tree.setBusy) {
      var button = this.root.querySelector('button[data-action="' + (dryRun ? "preview" : "sync") + '"]');
      tree.setBusy(busy, button, dryRun ? "Previewing…" : "Syncing…");
    }
  };

  SyncJob.prototype.start = function (dryRun) {
    if (this.run) {
      return;
    }
    var job = this;
    this.busy(true, dryRun);
    this.tell("running", dryRun ? "Asking the remote service what a sync would change…" :
      "Syncing with the remote service…");
    callSignedIn("POST", this.syncUrl + (dryRun ? "?dry_run=true" : "")).then(function (answer) {
      if (answer.status === 202 || (answer.status === 409 && answer.json.run)) {
        job.follow(answer.json.run, true);
      } else {
        job.busy(false, dryRun);
        var tree = window.magpieTree;
        if (tree && tree.sayProblem) {
          tree.sayProblem(dryRun ? "Preview failed" : "Sync failed", answer);
        } else {
          job.tell("error", (dryRun ? "Preview failed: " : "Sync failed: ") +
            ((answer.json && answer.json.detail) || ("the server answered " + answer.status)));
        }
      }
    });
  };

  SyncJob.prototype.follow = function (run, busy) {
    this.run = run;
    if (!busy) {
      this.busy(true, run.dry_run);
      this.tell("running", (run.dry_run ? "A preview" : "A sync") + " of this service is " + run.status + "…");
    }
    this.cancelButton.disabled = false;
    this.show(run);
    this.poll();
  };

  SyncJob.prototype.show = function (run) {
    var p = run.progress || {};
    var known = (p.documents || 0) + (p.queued || 0);
    this.bar.max = Math.max(known, 1);
    this.bar.value = p.documents || 0;
    this.root.setAttribute("data-sync-job", run.status);
    this.say((run.dry_run ? "Preview " : "Sync ") + run.status + ": " + progressWords(run));
  };

  SyncJob.prototype.poll = function () {
    var job = this;
    var run = this.run;
    callSignedIn("GET", this.syncUrl + "/runs/" + run.id).then(function (answer) {
      if (!answer.ok) {
        job.run = null;
        job.say("The sync can no longer be followed: " + ((answer.json && answer.json.detail) || answer.status));
        return;
      }
      job.show(answer.json.run);
      if (ACTIVE[answer.json.run.status]) {
        setTimeout(function () { job.poll(); }, POLL_MS);
      } else {
        job.ended(answer.json.run);
      }
    });
  };

  SyncJob.prototype.cancel = function () {
    if (!this.run) {
      return;
    }
    this.cancelButton.disabled = true;
    this.say("Cancelling…");
    callSignedIn("POST", this.syncUrl + "/runs/" + this.run.id + "/cancel");
  };

  SyncJob.prototype.ended = function (run) {
    this.run = null;
    this.cancelButton.disabled = true;
    this.panel.hidden = true;
    this.busy(false, run.dry_run);
    var tree = window.magpieTree;
    var result = run.result || {};
    var what = run.dry_run ? "Preview" : "Sync";
    if (run.status === "cancelled" || run.status === "interrupted") {
      this.tell("error", what + " " + run.status + (run.status === "interrupted" ? " (its worker stopped)" : "") +
        ": nothing was written.");
    } else if (run.status === "failed") {
      this.tell("error", what + " failed: " + (result.error || run.error) +
        (run.dry_run ? "" : " The last good remote tree is kept."));
    } else if (run.dry_run) {
      if (tree && tree.showPreview) {
        tree.showPreview(result);
      }
      this.tell("done", "Preview ready: a sync now would add " + number(result.added) + ", remove " +
        number(result.removed) + " and keep " + number(result.kept) + " remote resources.");
    } else {
      document.getElementById("preview-panel").hidden = true; // what it showed has just happened
      var problems = (result.problems || []).length;
      this.tell("done", "Synced in " + result.duration + " s: " + number(result.added) + " added, " +
        number(result.removed) + " removed, " + number(result.kept) + " kept." +
        (problems ? " " + problems + (problems === 1 ? " problem" : " problems") + " on the way: " +
          result.problems.slice(0, 3).join("; ") : ""));
    }
    if (!tree || run.dry_run) {
      return;
    }
    callSignedIn("GET", this.syncUrl).then(function (answer) {
      if (answer.ok && tree.showSync) {
        tree.showSync(answer.json.sync);
      }
    });
    if (run.status === "succeeded" || run.status === "partial") {
      tree.load();
    }
  };

  // --- the services page -------------------------------------------------------------------

  function followServices(rows) {
    var shown = 0;
    rows.forEach(function (row) {
      var id = row.getAttribute("data-service-id");
      call("GET", "/services/" + id + "/sync/runs?limit=1").then(function (answer) {
        var run = answer.ok && answer.json.runs && answer.json.runs[0];
        var badge = row.querySelector("[data-running-sync]");
        if (run && ACTIVE[run.status]) {
          if (!badge) {
            badge = el("span", {"class": "badge status-running", "data-running-sync": ""});
            row.querySelector("[data-status-badge]").parentNode.appendChild(badge);
          }
          badge.textContent = "sync " + run.status + ": " + progressWords(run);
          shown += 1;
          setTimeout(function () { followServices([row]); }, POLL_MS * 4);
        } else if (badge) {
          window.location.reload(); // it ended: the row's status is the server's to tell
        }
      });
    });
    return shown;
  }

  function start() {
    var root = document.getElementById("tree-page");
    if (root && root.getAttribute("data-syncable") === "true") {
      window.magpieSyncJob = new SyncJob(root);
    }
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-service-id]"));
    if (rows.length) {
      call("GET", "/session").then(function (answer) { // never 401: no password dialog
        if (answer.ok && answer.json.is_admin) {
          followServices(rows);
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
