/* Magpie admin pages: relative times on every page, and the resource tree page.
 *
 * The tree page asks the REST API for the first levels of the merged tree (``depth``) with the
 * counts of the whole tree, fetches a node's children when it is expanded (``parent``) and
 * filters on the server (``q``), so a tree of a million nodes costs what is open. An expanded
 * node shows its children PAGE_SIZE at a time. Actions (sync, preview, clean, adopt) are REST
 * calls carrying the session's CSRF token. Other scripts (permissions.js) extend the page through
 * ``window.magpieTree``: ``queryParts`` add query parameters, ``rowParts`` add to each row.
 */
(function () {
  "use strict";

  var PAGE_SIZE = 200;
  var FIRST_LEVELS = 1; // levels below the service in the first answer; deeper ones come on expand
  var SERVER_COUNTS = {matches: "matched", remote: "remote_only", gone: "gone", deeper: "not_checked"};
  var PREVIEW_LIMIT = 1000; // paths a dry run lists, each of added and removed (PREVIEW_LIMIT of sync_resources)
  var BADGE_ORDER = ["matches", "remote", "gone", "deeper", "unverified", "unsynced", "local"];
  var BADGE_LABELS = {
    matches: "matches remote",
    remote: "only remote",
    gone: "gone remotely",
    deeper: "deeper than the sync looked",
    unverified: "not verified",
    unsynced: "not synced yet",
    local: "local"
  };
  var ALWAYS_COUNTED = ["matches", "remote", "gone", "deeper"];
  var STATUS_LABELS = {
    "synced": "synced",
    "out-of-sync": "out of sync",
    "failed": "failed",
    "never-synced": "never synced",
    "no-sync-type": "no sync type"
  };

  // --- words for times: the rules of magpie/ui/display.py -----------------------------------

  var UNITS = [["year", 365 * 86400], ["month", 30 * 86400], ["day", 86400], ["hour", 3600], ["minute", 60]];

  function plural(count, unit) {
    return count + " " + unit + (count === 1 ? "" : "s");
  }

  function durationWords(seconds) {
    seconds = Math.floor(seconds);
    for (var i = 0; i < UNITS.length; i++) {
      if (seconds >= UNITS[i][1]) {
        return plural(Math.floor(seconds / UNITS[i][1]), UNITS[i][0]);
      }
    }
    return plural(Math.max(seconds, 0), "second");
  }

  function timeAgo(iso) {
    var moment = Date.parse(iso);
    if (isNaN(moment)) {
      return "";
    }
    var seconds = (Date.now() - moment) / 1000;
    return seconds < 60 ? "just now" : durationWords(seconds) + " ago";
  }

  function refreshTimes() {
    var times = document.querySelectorAll("time[data-relative]");
    for (var i = 0; i < times.length; i++) {
      var iso = times[i].getAttribute("datetime");
      var words = iso ? timeAgo(iso) : (times[i].getAttribute("data-never") || "never");
      if (words && times[i].textContent !== words) {
        times[i].textContent = words;
      }
    }
  }

  function setTime(el, iso) {
    el.setAttribute("datetime", iso || "");
    el.setAttribute("title", iso || "");
    el.textContent = iso ? timeAgo(iso) : (el.getAttribute("data-never") || "never");
  }

  function number(n) {
    return Number(n).toLocaleString("en");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  // --- the tree model ----------------------------------------------------------------------

  /* One resource of the merged tree. ``children`` is the array of its child nodes in the
   * server's order (sorted by name); ``group`` the rendered <ul> while it is expanded. */
  function Node(name, data, parent) {
    this.name = name;
    this.id = data.id === undefined ? null : data.id;
    this.remoteId = data.remote_id === undefined ? null : data.remote_id;
    this.matches = data.matches_remote;
    this.beyond = !!data.beyond_max_depth;
    this.unverified = data.unverified || null;  // {reason, last_seen}: the last sync could not read it
    this.type = data.resource_type;
    this.display = data.resource_display_name;
    this.parent = parent;
    this.depth = parent ? parent.depth + 1 : 0;
    this.children = [];
    this.badge = "matches";
    this.goneBelow = 0;
    this.remoteBelow = 0;
    this.expanded = false;
    this.hasChildren = data.has_children === undefined ? !!(data.children && Object.keys(data.children).length) :
      data.has_children;
    this.loaded = data.children_loaded !== false;
    this.match = !!data.match;
    this.permissions = data.permissions || [];
    this.allowedNames = data.allowed_permission_names || data.permission_names || [];
    this.effective = data.effective || null;
    this.gonePermissions = data.gone_permissions || 0;
    this.loading = null;
    this.li = null;
    this.group = null;
    this.shown = 0;
    this.lower = null;
  }

  Node.prototype.path = function () {
    var names = [];
    for (var node = this; node; node = node.parent) {
      names.push(node.name);
    }
    return names.reverse().join("/");
  };

  Node.prototype.names = function () {
    var names = [];
    for (var node = this; node; node = node.parent) {
      names.push(node.name);
    }
    return names.reverse();
  };

  Node.prototype.matchesText = function (needle) {
    if (this.lower === null) {
      this.lower = (this.name + "\n" + (this.display || "")).toLowerCase();
    }
    return this.lower.indexOf(needle) !== -1;
  };

  function badgeOf(node, mode, synced) {
    if (mode === "local") {
      return "local";
    }
    if (node.unverified) {
      return "unverified";
    }
    if (node.id === null) {
      return "remote";
    }
    if (!synced) {
      return "unsynced";
    }
    if (node.matches === false) {
      return "gone";
    }
    if (node.beyond) {
      return "deeper";
    }
    return "matches";
  }

  /* Nodes from the API's nested dicts, without recursion (deep trees must not blow the stack);
   * ``all`` lists every node after its parent. */
  function buildModel(resources) {
    var roots = [];
    var all = [];
    var stack = [];
    Object.keys(resources).forEach(function (name) {
      var root = new Node(name, resources[name], null);
      roots.push(root);
      all.push(root);
      stack.push([root, resources[name].children || {}]);
    });
    addNodes(stack, all);
    return {roots: roots, all: all};
  }

  /* Give ``node`` the children of ``data`` (its node in an answer), and theirs, as loaded. */
  function graft(model, node, data) {
    node.children = [];
    node.loaded = true;
    node.hasChildren = Object.keys(data.children || {}).length > 0;
    addNodes([[node, data.children || {}]], model.all);
  }

  function addNodes(stack, all) {
    while (stack.length) {
      var item = stack.pop();
      var parent = item[0];
      var childData = item[1];
      var names = Object.keys(childData);
      for (var i = 0; i < names.length; i++) {
        var data = childData[names[i]];
        var child = new Node(names[i], data, parent);
        parent.children.push(child);
        all.push(child);
        if (data.children) {
          stack.push([child, data.children]);
        }
      }
    }
  }

  /* Badges, per-badge counts and the "below" hints, in one pass from the leaves up. */
  function tally(model, mode, synced) {
    var counts = {};
    BADGE_ORDER.forEach(function (badge) { counts[badge] = 0; });
    var all = model.all;
    for (var i = 0; i < all.length; i++) {
      var node = all[i];
      node.badge = badgeOf(node, mode, synced);
      node.goneBelow = 0;
      node.remoteBelow = 0;
      if (node.parent) {
        counts[node.badge] += 1;
      }
    }
    for (var k = 0; k < all.length; k++) {
      all[k].complete = all[k].loaded;
    }
    for (var j = all.length - 1; j >= 0; j--) {
      var child = all[j];
      if (child.parent) {
        child.parent.goneBelow += child.goneBelow + (child.badge === "gone" ? 1 : 0);
        child.parent.remoteBelow += child.remoteBelow + (child.badge === "remote" ? 1 : 0);
        child.parent.complete = child.parent.complete && child.complete;
      }
    }
    model.counts = counts;
    model.total = all.length - model.roots.length;
    var server = model.serverCounts;
    if (server && mode === "merged") { // the whole tree's, where only a part is loaded
      model.total = server.nodes;
      Object.keys(SERVER_COUNTS).forEach(function (badge) { counts[badge] = server[SERVER_COUNTS[badge]]; });
      if (!synced) {
        counts.unsynced = counts.gone + counts.matches + counts.deeper;
        counts.gone = counts.matches = counts.deeper = 0;
      }
    } else if (server) {
      model.total = counts.local = server.nodes;
    }
  }

  // --- talking to the API ------------------------------------------------------------------

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function callApi(method, url, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRF-Token": csrfToken()}
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return {status: response.status, ok: response.ok, json: json};
      });
    }, function (error) {
      return {status: 0, ok: false, json: {detail: "the server cannot be reached (" + error.message + ")"}};
    });
  }

  /* The API answers 401 with a Basic challenge, which makes a browser open its own password
   * dialog; so ask the (never 401) session route first, and call only while signed in. */
  function callSignedIn(sessionUrl, method, url, body) {
    return callApi("GET", sessionUrl).then(function (session) {
      if (session.ok && !session.json.authenticated) {
        return {status: 401, ok: false, json: {detail: "your session has ended"}};
      }
      if (session.ok && !session.json.is_admin) {
        return {status: 403, ok: false, json: {detail: "you are not signed in as an administrator."}};
      }
      return callApi(method, url, body);
    });
  }

  function problemOf(answer) {
    if (answer.status === 401) {
      return "your session has ended";
    }
    return (answer.json && answer.json.detail) || ("the server answered " + answer.status);
  }

  // --- the page ----------------------------------------------------------------------------

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
    this.model = null;
    this.mainModel = null;
    this.filterInfo = null;
    this.filterSeq = 0;
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

  TreePage.prototype.bind = function () {
    var page = this;
    this.root.querySelector('button[data-action="sync"]').addEventListener("click", function () {
      page.runSync(false);
    });
    this.root.querySelector('button[data-action="preview"]').addEventListener("click", function () {
      page.runSync(true);
    });
    this.cleanButton.addEventListener("click", function () { page.askClean(); });
    this.tree.addEventListener("click", function (event) { page.onTreeClick(event); });
    this.tree.addEventListener("keydown", function (event) { page.onTreeKey(event); });
    this.tree.addEventListener("focusin", function (event) {
      var li = event.target.closest('[role="treeitem"]');
      if (li && event.target === li) {
        page.setActive(li);
      }
    });
    var timer = null;
    this.filterInput.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { page.applyFilter(); }, 150);
    });
    var closers = this.root.querySelectorAll("[data-close]");
    for (var i = 0; i < closers.length; i++) {
      closers[i].addEventListener("click", function (event) {
        document.getElementById(event.currentTarget.getAttribute("data-close")).hidden = true;
      });
    }
  };

  TreePage.prototype.call = function (method, url, body) {
    return callSignedIn(this.urls.session, method, url, body);
  };

  TreePage.prototype.say = function (kind, text, link) {
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
  };

  TreePage.prototype.sayProblem = function (what, answer) {
    if (answer.status === 401) {
      this.say("error", what + ": your session has ended.", {text: "Sign in again", href: this.urls.signin});
    } else if (answer.status === 403) {
      this.say("error", what + ": " + problemOf(answer) + " Reload the page and try again.");
    } else {
      this.say("error", what + ": " + problemOf(answer));
    }
  };

  TreePage.prototype.setBusy = function (busy, button, label) {
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
  };

  // --- loading and rendering ---------------------------------------------------------------

  /* The tree API's URL with ``params`` and what other scripts add (a principal ...). */
  TreePage.prototype.treeUrl = function (params) {
    var parts = this.mode === "merged" ? ["sync=true"] : [];
    this.queryParts.forEach(function (part) {
      var extra = part();
      if (extra) {
        parts.push(extra);
      }
    });
    Object.keys(params || {}).forEach(function (key) {
      parts.push(key + "=" + encodeURIComponent(params[key]));
    });
    return this.urls.tree + (parts.length ? "?" + parts.join("&") : "");
  };

  TreePage.prototype.load = function () {
    var page = this;
    var expandedPaths = this.mainModel ? this.expandedPaths(this.mainModel) : null;
    var activePath = this.active && this.active.node ? this.active.node.names() : null;
    this.tree.setAttribute("aria-busy", "true");
    return this.call("GET", this.treeUrl({depth: FIRST_LEVELS, counts: "true"})).then(function (answer) {
      if (!answer.ok && page.mode === "merged" && answer.status === 409) {
        page.say("error", "The tree cannot be merged with the remote one: " + problemOf(answer) +
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
      var model = buildModel(answer.json.resources || {});
      model.serverCounts = answer.json.counts || null;
      model.roots.forEach(function (node) { node.expanded = true; });
      return page.restoreExpanded(model, expandedPaths || []).then(function () {
        page.mainModel = model;
        if (page.filterInput.value.trim()) {
          return page.applyFilter(activePath);
        }
        page.model = model;
        page.filterInfo = null;
        page.render(activePath);
        return null;
      }).then(function () {
        page.loads += 1;
        page.root.setAttribute("data-tree-loads", String(page.loads));
        if (page.loads === 1 && window.performance && performance.mark) {
          performance.mark("magpie-tree-ready");
          // Usable: the first levels are painted and the main thread is free to answer a click.
          requestAnimationFrame(function () {
            setTimeout(function () { performance.mark("magpie-tree-usable"); }, 0);
          });
        }
        page.root.setAttribute("data-tree-ready", "true");
        page.afterLoad.forEach(function (hook) { hook(); });
        return page.model;
      });
    });
  };

  /* Fetch the children of ``node`` (of ``model``) from the server; false when that failed. */
  TreePage.prototype.fetchChildren = function (model, node) {
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
      graft(model, node, data);
      return true;
    });
  };

  TreePage.prototype.render = function (activePath) {
    tally(this.model, this.mode, this.synced);
    this.renderCounts();
    this.renderTree(activePath);
    this.updateCleanButton();
  };

  TreePage.prototype.renderTree = function (activePath) {
    var tree = this.tree;
    var fragment = document.createDocumentFragment();
    var roots = this.model.roots;
    this.active = null;
    for (var i = 0; i < roots.length; i++) {
      fragment.appendChild(this.renderNode(roots[i], i + 1, roots.length));
    }
    tree.textContent = "";
    tree.appendChild(fragment);
    this.loading.hidden = true;
    tree.setAttribute("aria-busy", "false");
    var target = activePath ? this.findRendered(activePath) : null;
    var first = tree.querySelector('[role="treeitem"]');
    if (target || first) {
      this.setActive(target || first);
    }
  };

  TreePage.prototype.findRendered = function (names) {
    var node = this.findNode(this.model, names);
    return node && node.li && this.tree.contains(node.li) ? node.li : null;
  };

  TreePage.prototype.findNode = function (model, names) {
    var level = model.roots;
    var node = null;
    for (var i = 0; i < names.length; i++) {
      node = null;
      for (var j = 0; j < level.length; j++) {
        if (level[j].name === names[i]) {
          node = level[j];
          break;
        }
      }
      if (!node) {
        return null;
      }
      level = node.children;
    }
    return node;
  };

  TreePage.prototype.expandedPaths = function (model) {
    var paths = [];
    model.all.forEach(function (node) {
      if (node.expanded && node.parent) {
        paths.push(node.names());
      }
    });
    return paths;
  };

  /* Expand again, in ``model``, what was expanded before a reload, fetching what it lacks. */
  TreePage.prototype.restoreExpanded = function (model, paths) {
    var page = this;
    var chain = Promise.resolve();
    paths.forEach(function (path) {
      chain = chain.then(function () {
        var node = page.findNode(model, path);
        if (!node) {
          return null;
        }
        node.expanded = true;
        return node.loaded || !node.hasChildren ? null : page.fetchChildren(model, node);
      });
    });
    return chain;
  };

  TreePage.prototype.isExpanded = function (node) {
    return node.expanded && node.loaded;
  };

  TreePage.prototype.kidsOf = function (node) {
    return node.children;
  };

  TreePage.prototype.renderRow = function (node, li) {
    var row = el("div", "row");
    var prefix = "n" + (++this.seq);
    row.appendChild(el("span", "twisty")).setAttribute("aria-hidden", "true");
    var label = el("span", "label");
    label.id = prefix + "-label";
    label.appendChild(el("span", "name", node.name));
    if (node.display && node.display !== node.name) {
      label.appendChild(el("span", "display", node.display));
    }
    row.appendChild(label);
    var type = el("span", "type", node.type);
    type.id = prefix + "-type";
    row.appendChild(type);
    var badge = el("span", "badge badge-" + node.badge, BADGE_LABELS[node.badge]);
    badge.id = prefix + "-badge";
    if (node.badge === "unverified") {
      badge.title = node.unverified.reason + (node.unverified.last_seen ? " (last seen " + node.unverified.last_seen + ")" : "");
    }
    row.appendChild(badge);
    var labelledBy = [label.id, type.id, badge.id];
    if (node.complete && (node.goneBelow || node.remoteBelow)) { // known only when all below is loaded
      var parts = [];
      if (node.goneBelow) {
        parts.push(number(node.goneBelow) + " gone");
      }
      if (node.remoteBelow) {
        parts.push(number(node.remoteBelow) + " only remote");
      }
      var below = el("span", "below", parts.join(", ") + " below");
      below.id = prefix + "-below";
      row.appendChild(below);
      labelledBy.push(below.id);
    }
    if (node.badge === "remote" && this.mode === "merged" && node.remoteId !== null) {
      var adopt = el("button", "small", "Add to local tree");
      adopt.type = "button";
      adopt.setAttribute("data-action", "adopt");
      adopt.setAttribute("aria-label", "Add to local tree: " + node.path());
      row.appendChild(adopt);
    }
    this.rowParts.forEach(function (part) { part(node, row, labelledBy); });
    li.setAttribute("aria-labelledby", labelledBy.join(" "));
    return row;
  };

  TreePage.prototype.renderNode = function (node, position, size) {
    var li = document.createElement("li");
    li.setAttribute("role", "treeitem");
    li.className = "node";
    li.tabIndex = -1;
    li.setAttribute("aria-level", String(node.depth + 1));
    li.setAttribute("aria-setsize", String(size));
    li.setAttribute("aria-posinset", String(position));
    this.setHooks(node, li);
    li.node = node;
    node.li = li;
    node.group = null;
    li.appendChild(this.renderRow(node, li));
    if (node.match) {
      li.classList.add("is-match");
    }
    if (node.hasChildren) {
      var open = this.isExpanded(node);
      li.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        this.renderChildren(node);
      }
    }
    return li;
  };

  TreePage.prototype.setHooks = function (node, li) {
    li.setAttribute("data-resource-name", node.name);
    li.setAttribute("data-resource-id", node.id === null ? "" : String(node.id));
    li.setAttribute("data-remote-id", node.remoteId === null ? "" : String(node.remoteId));
    li.setAttribute("data-matches-remote", node.matches === undefined ? "" : String(node.matches));
    li.setAttribute("data-resource-type", node.type || "");
    li.setAttribute("data-badge", node.badge);
  };

  TreePage.prototype.renderChildren = function (node) {
    var group = document.createElement("ul");
    group.setAttribute("role", "group");
    node.group = group;
    node.shown = 0;
    node.li.appendChild(group);
    this.appendPage(node);
  };

  TreePage.prototype.appendPage = function (node) {
    var kids = this.kidsOf(node);
    var group = node.group;
    var more = group.lastElementChild;
    if (more && more.classList.contains("more")) {
      group.removeChild(more);
    }
    var end = Math.min(kids.length, node.shown + PAGE_SIZE);
    var fragment = document.createDocumentFragment();
    for (var i = node.shown; i < end; i++) {
      fragment.appendChild(this.renderNode(kids[i], i + 1, kids.length));
    }
    node.shown = end;
    if (end < kids.length) {
      var rest = kids.length - end;
      var item = el("li", "more");
      item.setAttribute("role", "treeitem");
      item.setAttribute("aria-level", String(node.depth + 2));
      item.tabIndex = -1;
      item.setAttribute("data-more", "true");
      item.appendChild(el("span", "more-text", "Show " + number(Math.min(PAGE_SIZE, rest)) + " more (" +
        number(rest) + " not shown)"));
      item.node = node;
      fragment.appendChild(item);
    }
    group.appendChild(fragment);
  };

  TreePage.prototype.toggle = function (node, open) {
    if (!node.li || !node.hasChildren || node.loading) {
      return;
    }
    open = open === undefined ? !this.isExpanded(node) : open;
    var page = this;
    if (open && !node.loaded) {
      var model = this.model;
      node.li.setAttribute("aria-busy", "true");
      node.loading = this.fetchChildren(model, node).then(function (ok) {
        node.loading = null;
        if (node.li) {
          node.li.removeAttribute("aria-busy");
        }
        if (ok && page.model === model) {
          tally(model, page.mode, page.synced);
          page.toggle(node, true);
          for (var up = node; up; up = up.parent) {
            page.refreshRow(up); // "… below" hints once all below is known
          }
        }
      });
      return;
    }
    node.expanded = open;
    node.li.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && !node.group) {
      this.renderChildren(node);
    } else if (!open && node.group) {
      if (this.active && node.group.contains(this.active)) {
        this.setActive(node.li);
        node.li.focus();
      }
      node.li.removeChild(node.group);
      node.group = null;
    }
  };

  // --- keyboard and mouse ------------------------------------------------------------------

  TreePage.prototype.setActive = function (li) {
    if (this.active === li) {
      return;
    }
    if (this.active) {
      this.active.tabIndex = -1;
    }
    this.active = li;
    li.tabIndex = 0;
  };

  TreePage.prototype.focusItem = function (li) {
    if (li) {
      this.setActive(li);
      li.focus();
    }
  };

  TreePage.prototype.items = function () {
    return Array.prototype.slice.call(this.tree.querySelectorAll('[role="treeitem"]'));
  };

  TreePage.prototype.showMore = function (li) {
    var node = li.node;
    var index = node.shown;
    this.appendPage(node);
    var next = node.group.children[index];
    this.focusItem(next);
  };

  TreePage.prototype.onTreeClick = function (event) {
    var button = event.target.closest('button[data-action="adopt"]');
    var li = event.target.closest('[role="treeitem"]');
    if (!li) {
      return;
    }
    if (button) {
      this.adopt(li.node, button);
      return;
    }
    if (li.classList.contains("more")) {
      this.showMore(li);
      return;
    }
    if (event.target.closest("select, input, label, a")) {
      return; // a control in the row (a permission ...) is not a click on the node
    }
    if (event.target.closest(".row")) {
      this.focusItem(li);
      this.toggle(li.node);
    }
  };

  TreePage.prototype.onTreeKey = function (event) {
    var li = event.target;
    if (!li || li.getAttribute("role") !== "treeitem" || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var node = li.node;
    var isMore = li.classList.contains("more");
    var items;
    var index;
    switch (event.key) {
      case "ArrowDown":
        items = this.items();
        this.focusItem(items[items.indexOf(li) + 1]);
        break;
      case "ArrowUp":
        items = this.items();
        index = items.indexOf(li);
        if (index > 0) {
          this.focusItem(items[index - 1]);
        }
        break;
      case "Home":
        this.focusItem(this.items()[0]);
        break;
      case "End":
        items = this.items();
        this.focusItem(items[items.length - 1]);
        break;
      case "ArrowRight":
        if (!isMore && node.hasChildren) {
          if (!this.isExpanded(node)) {
            this.toggle(node, true);
          } else if (node.group && node.group.firstElementChild) {
            this.focusItem(node.group.firstElementChild);
          }
        }
        break;
      case "ArrowLeft":
        if (!isMore && this.isExpanded(node) && node.group) {
          this.toggle(node, false);
        } else {
          var parentItem = li.parentElement.closest('[role="treeitem"]');
          this.focusItem(parentItem);
        }
        break;
      case "Enter":
      case " ":
        if (isMore) {
          this.showMore(li);
        } else {
          this.toggle(node);
        }
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  // --- filtering ---------------------------------------------------------------------------

  /* The server's filter over the whole tree: its matches with their ancestors, all expanded;
   * an empty filter shows the tree as it was. */
  TreePage.prototype.applyFilter = function (activePath) {
    if (!this.mainModel) {
      return Promise.resolve();
    }
    var page = this;
    var needle = this.filterInput.value.trim();
    var seq = ++this.filterSeq;
    activePath = activePath || (this.active && this.active.node && !this.active.classList.contains("more") ?
      this.active.node.names() : null);
    if (!needle) {
      this.model = this.mainModel;
      this.filterInfo = null;
      this.render(activePath);
      return Promise.resolve();
    }
    this.tree.setAttribute("aria-busy", "true");
    return this.call("GET", this.treeUrl({q: needle})).then(function (answer) {
      if (seq !== page.filterSeq) {
        return; // a newer filter was typed meanwhile
      }
      if (!answer.ok) {
        page.sayProblem("The filter failed", answer);
        page.tree.setAttribute("aria-busy", "false");
        return;
      }
      var model = buildModel(answer.json.resources || {});
      model.serverCounts = page.mainModel.serverCounts;
      model.all.forEach(function (node) {
        if (node.children.length) { // an ancestor of matches: show those
          node.loaded = node.expanded = true;
        }
      });
      page.model = model;
      page.filterInfo = answer.json.filter;
      page.render(activePath);
    });
  };

  TreePage.prototype.renderCounts = function () {
    var model = this.model;
    var box = this.countsBox;
    var page = this;
    box.textContent = "";
    box.appendChild(el("span", "count-total", number(model.total) + " resources"));
    BADGE_ORDER.forEach(function (badge) {
      if (ALWAYS_COUNTED.indexOf(badge) === -1 && !model.counts[badge]) {
        return;
      }
      if (page.mode === "local" && badge !== "local") {
        return;
      }
      var count = el("span", "count");
      count.setAttribute("data-badge", badge);
      count.appendChild(el("span", "badge badge-" + badge, BADGE_LABELS[badge]));
      count.appendChild(el("strong", "count-number", number(model.counts[badge])));
      box.appendChild(count);
    });
    var note = "";
    var f = this.filterInfo;
    if (f) {
      if (!f.matches) {
        note = "No resource matches.";
      } else if (f.matches > f.shown) {
        note = number(f.matches) + " resources match; showing the first " + number(f.shown) +
          ". Refine the filter to see the others.";
      } else {
        note = number(f.matches) + (f.matches === 1 ? " resource matches." : " resources match.");
      }
    }
    this.filterNote.textContent = note;
  };

  // --- sync status -------------------------------------------------------------------------

  TreePage.prototype.showSync = function (sync) {
    this.synced = !!sync.last_sync;
    setTime(document.getElementById("last-sync"), sync.last_sync);
    var counts = document.getElementById("last-sync-counts");
    counts.textContent = sync.last_sync && sync.added !== null && sync.added !== undefined ?
      "(" + number(sync.added) + " added, " + number(sync.removed) + " removed, " + number(sync.kept) + " kept)" : "";
    var error = document.getElementById("sync-error");
    error.hidden = !sync.last_error;
    document.getElementById("sync-error-text").textContent = sync.last_error || "";
    setTime(document.getElementById("last-attempt"), sync.last_attempt);
    var partial = document.getElementById("sync-partial");
    partial.hidden = !sync.partial;
    document.getElementById("sync-partial-count").textContent = number(sync.unverified || 0);
    document.getElementById("sync-partial-reasons").textContent = (sync.partial_reasons || []).join("; ");
    var warning = document.getElementById("sync-warning");
    warning.hidden = !(this.syncable && sync.out_of_sync);
    warning.querySelector('[data-when="never"]').hidden = !!sync.last_sync;
    warning.querySelector('[data-when="stale"]').hidden = !sync.last_sync;
    var status = "synced";
    if (!this.syncable) {
      status = "no-sync-type";
    } else if (sync.last_error) {
      status = "failed";
    } else if (!sync.last_sync) {
      status = "never-synced";
    } else if (sync.out_of_sync) {
      status = "out-of-sync";
    }
    var badge = document.getElementById("service-status");
    badge.className = "badge status-" + status;
    badge.setAttribute("data-status", status);
    badge.textContent = STATUS_LABELS[status];
  };

  // --- actions -----------------------------------------------------------------------------

  TreePage.prototype.runSync = function (dryRun) {
    if (this.busy) {
      return;
    }
    var page = this;
    var button = this.root.querySelector('button[data-action="' + (dryRun ? "preview" : "sync") + '"]');
    this.setBusy(true, button, dryRun ? "Previewing…" : "Syncing…");
    this.say("running", dryRun ? "Asking the remote service what a sync would change…" :
      "Syncing with the remote service…");
    var url = this.urls.sync + (dryRun ? "?dry_run=true" : "");
    this.call("POST", url).then(function (answer) {
      var result = answer.json && answer.json.result;
      if ((answer.status === 200 || answer.status === 502) && result) {
        if (answer.json.sync) {
          page.showSync(answer.json.sync);
        }
        if (result.error) {
          page.say("error", (dryRun ? "Preview failed: " : "Sync failed: ") + result.error +
            (dryRun ? "" : " The last good remote tree is kept."));
          return null;
        }
        if (dryRun) {
          page.showPreview(result);
          page.say("done", "Preview ready: a sync now would add " + number(result.added) + ", remove " +
            number(result.removed) + " and keep " + number(result.kept) + " remote resources.");
          return null;
        }
        document.getElementById("preview-panel").hidden = true; // what it showed has just happened
        page.say("done", "Synced in " + result.duration + " s: " + number(result.added) + " added, " +
          number(result.removed) + " removed, " + number(result.kept) + " kept." + page.problemsText(result));
        return page.load();
      }
      page.sayProblem(dryRun ? "Preview failed" : "Sync failed", answer);
      return null;
    }).then(function () {
      page.setBusy(false, button);
    });
  };

  TreePage.prototype.problemsText = function (result) {
    var problems = result.problems || [];
    if (!problems.length) {
      return "";
    }
    return " " + problems.length + (problems.length === 1 ? " problem" : " problems") + " on the way: " +
      problems.slice(0, 3).join("; ") + (problems.length > 3 ? "; …" : "");
  };

  TreePage.prototype.showPreview = function (result) {
    var panel = document.getElementById("preview-panel");
    var preview = result.preview || {added: [], removed: []};
    document.getElementById("preview-summary").textContent = "A sync now would add " + number(result.added) +
      " and remove " + number(result.removed) + " remote resources, and keep " + number(result.kept) +
      ". Nothing was written.";
    fillPaths(document.getElementById("preview-added"), preview.added, result.added);
    fillPaths(document.getElementById("preview-removed"), preview.removed, result.removed);
    panel.hidden = false;
  };

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

  /* Gone resources whose parent is not gone: removing them removes their subtrees. */
  TreePage.prototype.updateCleanButton = function () {
    var count = this.model && this.mode === "merged" ? this.model.counts.gone : 0;
    this.cleanButton.disabled = this.busy || !count;
    this.cleanButton.textContent = count ? "Remove gone resources (" + number(count) + ")" : "Remove gone resources";
  };

  TreePage.prototype.adopt = function (node, button) {
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
  };

  /* Give the adopted node and its remote-only ancestors their new local ids in place, instead
   * of reloading a tree that may be large; false when the answer does not fit what we show. */
  TreePage.prototype.applyAdopted = function (node, answer) {
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
    tally(this.model, this.mode, this.synced);
    this.renderCounts();
    for (var changed = node; changed; changed = changed.parent) {
      this.refreshRow(changed); // new ids on the chain, new "below" hints above it
    }
    this.updateCleanButton();
    return true;
  };

  TreePage.prototype.refreshRow = function (node) {
    var li = node.li;
    if (!li || !this.tree.contains(li)) {
      return;
    }
    this.setHooks(node, li);
    li.replaceChild(this.renderRow(node, li), li.firstElementChild);
  };

  // --- start -------------------------------------------------------------------------------

  function start() {
    refreshTimes();
    setInterval(refreshTimes, 30000);
    var root = document.getElementById("tree-page");
    if (root) {
      window.magpieTree = new TreePage(root);
    }
  }

  /* What the tree page's other scripts share with this one. */
  window.magpieUi = {el: el, number: number, tally: tally, problemOf: problemOf, callSignedIn: callSignedIn,
    timeAgo: timeAgo};

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
