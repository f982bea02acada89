/* The tree page's filters, both answered by the server over the whole tree: the name filter
 * (``q``) and the count buttons above the tree, each a toggle that shows only the nodes of its
 * badge (``status``). Both go in one request when both are set; the answer is the matches with
 * their ancestors, all expanded. With neither, the tree is shown as it was. Methods of the tree
 * page (tree_page.js mixes them in): ``window.magpieTreeParts.filter``.
 */
(function () {
  "use strict";

  var parts = window.magpieTreeParts = window.magpieTreeParts || {};
  var ui = window.magpieUi;
  var model = parts.model;
  var el = ui.el;
  var number = ui.number;
  var TYPING_PAUSE_MS = 150;

  function bindFilter() {
    var page = this;
    var timer = null;
    this.filterInput.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { page.applyFilter(); }, TYPING_PAUSE_MS);
    });
    this.countsBox.addEventListener("click", function (event) {
      var button = event.target.closest('button[data-action="status-filter"]');
      if (button) {
        page.pressStatus(button.getAttribute("data-badge"));
      }
    });
  }

  /* The query of the filters set now: ``{q, status}``, either or both, or nothing. */
  function filterParams() {
    var params = {};
    var needle = this.filterInput.value.trim();
    if (needle) {
      params.q = needle;
    }
    if (this.statusFilter && this.mode === "merged") {
      params.status = model.SERVER_STATUS[this.statusFilter];
    }
    return params;
  }

  function filtering() {
    return Object.keys(this.filterParams()).length > 0;
  }

  /* A count button pressed: show only its badge, or, when it was already pressed, all again. */
  function pressStatus(badge) {
    this.statusFilter = this.statusFilter === badge ? null : badge;
    var buttons = this.countsBox.querySelectorAll('button[data-action="status-filter"]');
    for (var i = 0; i < buttons.length; i++) { // at once, before the server answers
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-badge") === this.statusFilter));
    }
    return this.applyFilter();
  }

  function applyFilter(activePath) {
    if (!this.mainModel) {
      return Promise.resolve();
    }
    var page = this;
    var params = this.filterParams();
    var seq = ++this.filterSeq;
    activePath = activePath || (this.active && this.active.node && !this.active.classList.contains("more") ?
      this.active.node.names() : null);
    if (!Object.keys(params).length) {
      this.model = this.mainModel;
      this.filterInfo = null;
      this.render(activePath);
      return Promise.resolve();
    }
    this.tree.setAttribute("aria-busy", "true");
    return this.call("GET", this.treeUrl(params)).then(function (answer) {
      if (seq !== page.filterSeq) {
        return; // a newer filter was asked for meanwhile
      }
      if (!answer.ok) {
        page.sayProblem("The filter failed", answer);
        page.tree.setAttribute("aria-busy", "false");
        return;
      }
      var found = model.buildModel(answer.json.resources || {});
      found.serverCounts = page.mainModel.serverCounts;
      found.all.forEach(function (node) {
        if (node.children.length) { // an ancestor of matches: show those
          node.loaded = node.expanded = true;
        }
      });
      page.model = found;
      page.filterInfo = answer.json.filter || null;
      page.render(activePath);
    });
  }

  function countButton(badge, count, pressed) {
    var button = el("button", "count");
    button.type = "button";
    button.setAttribute("data-action", "status-filter");
    button.setAttribute("data-badge", badge);
    button.setAttribute("aria-pressed", String(pressed));
    button.setAttribute("aria-label", model.BADGE_LABELS[badge] + ": " + number(count));
    button.title = pressed ? "Show the other badges again" : "Show only these resources and their ancestors";
    return button;
  }

  /* The counts above the tree: buttons for the badges the server filters on, plain counts for
   * the others; a rebuild keeps the focus on the button that had it. */
  function renderCounts() {
    var shown = this.model;
    var box = this.countsBox;
    var page = this;
    var focused = box.contains(document.activeElement) ? document.activeElement.getAttribute("data-badge") : null;
    box.textContent = "";
    box.appendChild(el("span", "count-total", number(shown.total) + " resources"));
    model.BADGE_ORDER.forEach(function (badge) {
      var pressed = page.statusFilter === badge;
      if (model.ALWAYS_COUNTED.indexOf(badge) === -1 && !shown.counts[badge] && !pressed) {
        return;
      }
      if (page.mode === "local" && badge !== "local") {
        return;
      }
      var count = page.mode === "merged" && model.SERVER_STATUS[badge] ?
        countButton(badge, shown.counts[badge], pressed) : el("span", "count");
      count.setAttribute("data-badge", badge);
      count.appendChild(el("span", "badge badge-" + badge, model.BADGE_LABELS[badge]));
      count.appendChild(el("strong", "count-number", number(shown.counts[badge])));
      box.appendChild(count);
      if (badge === focused && count.tagName === "BUTTON") {
        count.focus();
      }
    });
    this.filterNote.textContent = filterNote(this.filterInfo, this.filterParams().status ? this.statusFilter : null);
  }

  /* What the filters found, for the note under the counts (read out as it changes). */
  function filterNote(found, status) {
    if (!found) {
      return "";
    }
    var note;
    if (!found.matches) {
      note = "No resource matches.";
    } else if (found.matches > found.shown) {
      note = number(found.matches) + " resources match; showing the first " + number(found.shown) +
        ". Refine the filter to see the others.";
    } else {
      note = number(found.matches) + (found.matches === 1 ? " resource matches." : " resources match.");
    }
    if (status) {
      note = "Only “" + model.BADGE_LABELS[status] + "”: " + note.charAt(0).toLowerCase() + note.slice(1);
    }
    return note;
  }

  parts.filter = {
    bindFilter: bindFilter, filterParams: filterParams, filtering: filtering, pressStatus: pressStatus,
    applyFilter: applyFilter, renderCounts: renderCounts
  };
})();
