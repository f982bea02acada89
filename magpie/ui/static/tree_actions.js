/* The tree page's actions and what they say: the message line under the sync buttons, the busy
 * state of those buttons, the clean button's count (tree_clean.js does the clean), and "Add to
 * local tree" of a remote-only node, whose new local ids are given in place rather than by
 * reloading a tree that may be large. Methods of the tree page (tree_page.js mixes them in):
 * ``window.magpieTreeParts.actions``.
 */
(function () {
  "use strict";

  var parts = window.magpieTreeParts = window.magpieTreeParts || {};
  var ui = window.magpieUi;
  var model = parts.model;
  var el = ui.el;
  var number = ui.number;

  function say(kind, text, link) {
    this.status.className = "action-status status-" + kind;
    this.status.textContent = "";
    if (kind === "running") {
      this.status.appendChild(el("span", "spinner"));
    }
    this.status.appendChild(el("span", "status-text", text));
    if (link) {
      var a = el("a", null, link.text);
      a.href = link.href;
      this.status.appendChild(document.createTextNode(" "));
      this.status.appendChild(a);
    }
    this.status.setAttribute("data-kind", kind);
  }

  function sayProblem(what, answer) {
    if (answer.status === 401) {
      this.say("error", what + ": your session has ended.", {text: "Sign in again", href: this.urls.signin});
    } else if (answer.status === 403) {
      this.say("error", what + ": " + ui.problemOf(answer) + " Reload the page and try again.");
    } else {
      this.say("error", what + ": " + ui.problemOf(answer));
    }
  }

  function setBusy(busy, button, label) {
    this.busy = busy;
    this.root.setAttribute("data-busy", busy ? "true" : "false");
    for (var i = 0; i < this.buttons.length; i++) {
      var b = this.buttons[i];
      if (busy) {
        b.setAttribute("data-was-disabled", b.disabled ? "true" : "false");
        b.disabled = true;
      } else {
        b.disabled = b.getAttribute("data-was-disabled") === "true";
        b.removeAttribute("data-was-disabled");
      }
    }
    if (button) {
      if (busy) {
        button.setAttribute("data-label", button.textContent);
        button.textContent = label;
        button.setAttribute("aria-busy", "true");
      } else if (button.getAttribute("data-label")) {
        button.textContent = button.getAttribute("data-label");
        button.removeAttribute("aria-busy");
      }
    }
    if (!busy) {
      this.updateCleanButton();
    }
  }

  /* Gone resources whose parent is not gone: removing them removes their subtrees. */
  function updateCleanButton() {
    var count = this.model && this.mode === "merged" ? this.model.counts.gone : 0;
    this.cleanButton.disabled = this.busy || !count;
    this.cleanButton.textContent = count ? "Remove gone resources (" + number(count) + ")" : "Remove gone resources";
  }

  function adopt(node, button) {
    if (this.busy) {
      return;
    }
    var page = this;
    var path = node.path();
    this.setBusy(true);
    button.disabled = true;
    button.textContent = "Adding…";
    this.say("running", "Adding " + path + " to the local tree…");
    this.call("POST", this.urls.adopt, {remote_id: node.remoteId, path: node.names().slice(1)}).then(function (answer) {
      if (!answer.ok) {
        page.sayProblem("Adding " + path + " failed", answer);
        button.disabled = false;
        button.textContent = "Add to local tree";
        return null;
      }
      var created = answer.json.created || [];
      page.say("done", "Added " + path + " to the local tree (" + number(created.length) +
        (created.length === 1 ? " resource" : " resources") + " created).");
      if (!page.applyAdopted(node, answer.json)) {
        return page.load();
      }
      return null;
    }).then(function () {
      page.setBusy(false);
      if (node.li && page.tree.contains(node.li)) {
        page.focusItem(node.li);
      }
    });
  }

  /* Give the adopted node and its remote-only ancestors their new local ids in place; false
   * when the answer does not fit what is shown (the caller reloads). */
  function applyAdopted(node, answer) {
    var chain = [];
    for (var up = node; up && up.parent; up = up.parent) {
      chain.push(up);
    }
    chain.reverse();
    var missing = chain.filter(function (n) { return n.id === null; });
    var created = answer.created || [];
    if (missing.length !== created.length || node.id !== null && node.id !== answer.resource_id) {
      return false;
    }
    missing.forEach(function (n, i) {
      n.id = created[i];
    });
    var server = this.mainModel && this.mainModel.serverCounts;
    if (server && server.remote_only !== undefined) { // the new local nodes match their remote twins
      server.remote_only -= created.length;
      server.matched += created.length;
    }
    if (node.id === null) {
      node.id = answer.resource_id;
    }
    model.tally(this.model, this.mode, this.synced);
    this.renderCounts();
    for (var changed = node; changed; changed = changed.parent) {
      this.refreshRow(changed); // new ids on the chain, new "below" hints above it
    }
    this.updateCleanButton();
    return true;
  }

  parts.actions = {
    say: say, sayProblem: sayProblem, setBusy: setBusy, updateCleanButton: updateCleanButton, adopt: adopt,
    applyAdopted: applyAdopted
  };
})();
