/* The tree page's model: the nodes of the merged tree as the API answers them, their badges
 * (matches remote, only remote, gone, deeper, not verified ...), the per-badge counts and the
 * "… below" hints. No DOM here: the rendering modules read it. Publishes
 * ``window.magpieTreeParts.model``.
 */
(function () {
  "use strict";

  var parts = window.magpieTreeParts = window.magpieTreeParts || {};

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
  /* Badge -> the API's name for it: the key of its count (``counts=true``) and the value of the
   * tree's ``status`` filter. */
  var SERVER_STATUS = {matches: "matched", remote: "remote_only", gone: "gone", deeper: "not_checked",
    unverified: "unverified"};

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
    this.complete = false;
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
  }

  Node.prototype.names = function () {
    var names = [];
    for (var node = this; node; node = node.parent) {
      names.push(node.name);
    }
    return names.reverse();
  };

  Node.prototype.path = function () {
    return this.names().join("/");
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

  /* Badges, per-badge counts and the "below" hints, in one pass from the leaves up. Where only
   * a part of the tree is loaded, the counts are the server's, over the whole tree. */
  function tally(model, mode, synced) {
    var counts = {};
    BADGE_ORDER.forEach(function (badge) { counts[badge] = 0; });
    var all = model.all;
    for (var i = 0; i < all.length; i++) {
      var node = all[i];
      node.badge = badgeOf(node, mode, synced);
      node.goneBelow = 0;
      node.remoteBelow = 0;
      node.complete = node.loaded;
      if (node.parent) {
        counts[node.badge] += 1;
      }
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
    if (server && mode === "merged") {
      model.total = server.nodes;
      Object.keys(SERVER_STATUS).forEach(function (badge) {
        counts[badge] = server[SERVER_STATUS[badge]];
      });
      if (!synced) {
        counts.unsynced = counts.gone + counts.matches + counts.deeper;
        counts.gone = counts.matches = counts.deeper = 0;
      }
    } else if (server) {
      model.total = counts.local = server.nodes;
    }
  }

  /* The node at ``names`` (service first) among what ``model`` holds, else null. */
  function findNode(model, names) {
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
  }

  function expandedPaths(model) {
    var paths = [];
    model.all.forEach(function (node) {
      if (node.expanded && node.parent) {
        paths.push(node.names());
      }
    });
    return paths;
  }

  parts.model = {
    BADGE_ORDER: BADGE_ORDER, BADGE_LABELS: BADGE_LABELS, ALWAYS_COUNTED: ALWAYS_COUNTED,
    SERVER_STATUS: SERVER_STATUS, Node: Node, buildModel: buildModel, graft: graft, tally: tally,
    findNode: findNode, expandedPaths: expandedPaths
  };
})();
