/* The tree page's loading: the first levels of the merged tree with the counts of the whole tree
 * (``depth``, ``counts``), a node's children when it is expanded (``parent``), and a reload that
 * keeps what was expanded, the active item and the filters. Other scripts add query parameters
 * through ``queryParts`` (a principal ...). Methods of the tree page (tree_page.js mixes them in):
 * ``window.magpieTreeParts.loading``.
 */
(function () {
  "use strict";

  var parts = window.magpieTreeParts = window.magpieTreeParts || {};
  var ui = window.magpieUi;
  var model = parts.model;
  var FIRST_LEVELS = 1; // levels below the service in the first answer; deeper ones come on expand

  /* The tree API's URL with ``params`` and what other scripts add (a principal ...). */
  function treeUrl(params) {
    var query = this.mode === "merged" ? ["sync=true"] : [];
    this.queryParts.forEach(function (part) {
      var extra = part();
      if (extra) {
        query.push(extra);
      }
    });
    Object.keys(params || {}).forEach(function (key) {
      query.push(key + "=" + encodeURIComponent(params[key]));
    });
    return this.urls.tree + (query.length ? "?" + query.join("&") : "");
  }

  function load() {
    var page = this;
    var expanded = this.mainModel ? model.expandedPaths(this.mainModel) : null;
    var activePath = this.active && this.active.node ? this.active.node.names() : null;
    this.tree.setAttribute("aria-busy", "true");
    return this.call("GET", this.treeUrl({depth: FIRST_LEVELS, counts: "true"})).then(function (answer) {
      if (!answer.ok && page.mode === "merged" && answer.status === 409) {
        page.say("error", "The tree cannot be merged with the remote one: " + ui.problemOf(answer) +
          " Showing the local tree only.");
        page.mode = "local";
        return page.load();
      }
      if (!answer.ok) {
        page.loading.hidden = false;
        page.loading.textContent = "";
        page.sayProblem("The tree could not be loaded", answer);
        page.loading.textContent = "The tree could not be loaded.";
        return null;
      }
      if (answer.json.sync) {
        page.showSync(answer.json.sync);
      }
      var loaded = model.buildModel(answer.json.resources || {});
      loaded.serverCounts = answer.json.counts || null;
      loaded.roots.forEach(function (node) { node.expanded = true; });
      return page.restoreExpanded(loaded, expanded || []).then(function () {
        page.mainModel = loaded;
        if (page.filtering()) {
          return page.applyFilter(activePath);
        }
        page.model = loaded;
        page.filterInfo = null;
        page.render(activePath);
        return null;
      }).then(function () {
        page.markLoaded();
        return page.model;
      });
    });
  }

  /* Say that a load ended: the hooks tests and other scripts wait for, a mark for timings. */
  function markLoaded() {
    this.loads += 1;
    this.root.setAttribute("data-tree-loads", String(this.loads));
    if (this.loads === 1 && window.performance && performance.mark) {
      performance.mark("magpie-tree-ready");
      // Usable: the first levels are painted and the main thread is free to answer a click.
      requestAnimationFrame(function () {
        setTimeout(function () { performance.mark("magpie-tree-usable"); }, 0);
      });
    }
    this.root.setAttribute("data-tree-ready", "true");
    this.afterLoad.forEach(function (hook) { hook(); });
  }

  /* Fetch the children of ``node`` (of ``shown``) from the server; false when that failed. */
  function fetchChildren(shown, node) {
    var page = this;
    var parent = node.id !== null ? String(node.id) : "remote:" + node.remoteId;
    return this.call("GET", this.treeUrl({parent: parent, depth: 1})).then(function (answer) {
      if (!answer.ok) {
        page.sayProblem("The children of " + node.path() + " could not be loaded", answer);
        return false;
      }
      var data = {children: answer.json.resources};
      var names = node.names();
      for (var i = 0; i < names.length && data; i++) {
        data = data.children[names[i]];
      }
      if (!data) {
        return false;
      }
      model.graft(shown, node, data);
      return true;
    });
  }

  /* Expand again, in ``target``, what was expanded before a reload, fetching what it lacks. */
  function restoreExpanded(target, paths) {
    var page = this;
    var chain = Promise.resolve();
    paths.forEach(function (path) {
      chain = chain.then(function () {
        var node = model.findNode(target, path);
        if (!node) {
          return null;
        }
        node.expanded = true;
        return node.loaded || !node.hasChildren ? null : page.fetchChildren(target, node);
      });
    });
    return chain;
  }

  /* Show ``this.model``: its badges and counts, its rows, the clean button's count. */
  function render(activePath) {
    model.tally(this.model, this.mode, this.synced);
    this.renderCounts();
    this.renderTree(activePath);
    this.updateCleanButton();
  }

  parts.loading = {
    treeUrl: treeUrl, load: load, markLoaded: markLoaded, fetchChildren: fetchChildren,
    restoreExpanded: restoreExpanded, render: render
  };
})();
