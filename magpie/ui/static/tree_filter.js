/* The tree page's name filter, answered by the server over the whole tree (``q``): the matches
 * with their ancestors, all expanded; an empty filter shows the tree as it was. And the counts
 * above the tree. Methods of the tree page (tree_page.js mixes them in):
 * ``window.magpieTreeParts.filter``.
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
  }

  /* The query of the filter set now: ``{q}``, or nothing. */
  function filterParams() {
    var params = {};
    var needle = this.filterInput.value.trim();
    if (needle) {
      params.q = needle;
    }
    return params;
  }

  function filtering() {
    return Object.keys(this.filterParams()).length > 0;
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
        return; // a newer filter was typed meanwhile
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
      page.filterInfo = answer.json.filter || {};
      page.render(activePath);
    });
  }

  /* The counts above the tree, per badge. */
  function renderCounts() {
    var shown = this.model;
    var box = this.countsBox;
    var page = this;
    box.textContent = "";
    box.appendChild(el("span", "count-total", number(shown.total) + " resources"));
    model.BADGE_ORDER.forEach(function (badge) {
      if (model.ALWAYS_COUNTED.indexOf(badge) === -1 && !shown.counts[badge]) {
        return;
      }
      if (page.mode === "local" && badge !== "local") {
        return;
      }
      var count = el("span", "count");
      count.setAttribute("data-badge", badge);
      count.appendChild(el("span", "badge badge-" + badge, model.BADGE_LABELS[badge]));
      count.appendChild(el("strong", "count-number", number(shown.counts[badge])));
      box.appendChild(count);
    });
    this.filterNote.textContent = filterNote(this.filterInfo);
  }

  /* What the filter found, for the note under the counts (read out as it changes). */
  function filterNote(found) {
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
    return note;
  }

  parts.filter = {
    bindFilter: bindFilter, filterParams: filterParams, filtering: filtering, applyFilter: applyFilter,
    renderCounts: renderCounts
  };
})();
