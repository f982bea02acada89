/* The resource tree page, assembled: the page object holds the state, the methods come from the
 * tree modules loaded before this one (model, rows, keyboard, loading, filter, syncPanel,
 * actions, each in its own tree_*.js), and it is published as ``window.magpieTree`` for the
 * scripts loaded after it (sync_jobs.js, tree_clean.js, permissions.js), which extend the page
 * through ``queryParts`` (query parameters), ``rowParts`` (parts of each row) and ``afterLoad``.
 *
 * The page asks the REST API for the first levels of the merged tree with the counts of the
 * whole tree, fetches a node's children when it is expanded and filters on the server, so a
 * tree of a million nodes costs what is open. Every call carries the session's CSRF token.
 */
(function () {
  "use strict";

  var ui = window.magpieUi;
  var parts = window.magpieTreeParts;
  var MIXINS = ["rows", "keyboard", "loading", "filter", "syncPanel", "actions"];

  function TreePage(root) {
    this.root = root;
    this.urls = {
      tree: root.getAttribute("data-tree-url"),
      sync: root.getAttribute("data-sync-url"),
      clean: root.getAttribute("data-clean-url"),
      adopt: root.getAttribute("data-adopt-url"),
      signin: root.getAttribute("data-signin-url"),
      session: root.getAttribute("data-session-url")
    };
    this.syncable = root.getAttribute("data-syncable") === "true";
    this.synced = root.getAttribute("data-synced") === "true";
    this.mode = this.syncable ? "merged" : "local";
    this.tree = document.getElementById("tree");
    this.loading = document.getElementById("tree-loading");
    this.countsBox = document.getElementById("counts");
    this.filterInput = document.getElementById("tree-filter");
    this.filterNote = document.getElementById("filter-note");
    this.status = document.getElementById("action-status");
    this.buttons = root.querySelectorAll(".controls button[data-action]");
    this.cleanButton = root.querySelector('button[data-action="clean"]');
    this.model = null;      // what is shown: the main model, or a filter's answer
    this.mainModel = null;  // the tree as loaded and expanded, without filters
    this.filterInfo = null;
    this.filterSeq = 0;
    this.statusFilter = null; // the badge whose count button is pressed
    this.queryParts = [];
    this.rowParts = [];
    this.afterLoad = [];
    this.active = null;
    this.busy = false;
    this.loads = 0;
    this.seq = 0;
    this.bind();
    this.load();
  }

  MIXINS.forEach(function (name) {
    if (!parts || !parts[name]) {
      throw new Error("tree_page.js: the tree module '" + name + "' is not loaded before it");
    }
    Object.assign(TreePage.prototype, parts[name]);
  });

  TreePage.prototype.bind = function () {
    var page = this;
    this.bindSync();
    this.cleanButton.addEventListener("click", function () { page.askClean(); });
    this.bindTree();
    this.bindFilter();
  };

  TreePage.prototype.call = function (method, url, body) {
    return ui.callSignedIn(this.urls.session, method, url, body);
  };

  function start() {
    var root = document.getElementById("tree-page");
    if (root) {
      window.magpieTree = new TreePage(root);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
