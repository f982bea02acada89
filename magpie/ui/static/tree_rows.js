/* The tree page's rows: one ARIA treeitem per node with its stable hooks (``data-resource-name``,
 * ``data-resource-id``, ``data-remote-id``, ``data-matches-remote``, ``data-badge``), its badge,
 * the "… below" hints and the "Add to local tree" button; an expanded node's children PAGE_SIZE
 * at a time; expanding and collapsing. Other scripts add to a row through ``rowParts``.
 * Methods of the tree page (tree_page.js mixes them in): ``window.magpieTreeParts.rows``.
 */
(function () {
  "use strict";

  var parts = window.magpieTreeParts = window.magpieTreeParts || {};
  var ui = window.magpieUi;
  var model = parts.model;
  var el = ui.el;
  var number = ui.number;
  var PAGE_SIZE = 200;

  /* Rows are built into a detached fragment and attached once: the browser lays the tree out
   * once, however many rows an answer brings. */
  function renderTree(activePath) {
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
    var first = target || (roots.length ? roots[0].li : null);
    if (first) {
      this.setActive(first);
    }
  }

  function findRendered(names) {
    var node = model.findNode(this.model, names);
    return node && node.li && this.tree.contains(node.li) ? node.li : null;
  }

  function isExpanded(node) {
    return node.expanded && node.loaded;
  }

  function belowWords(node) {
    var words = [];
    if (node.goneBelow) {
      words.push(number(node.goneBelow) + " gone");
    }
    if (node.remoteBelow) {
      words.push(number(node.remoteBelow) + " only remote");
    }
    return words.join(", ") + " below";
  }

  /* What every row starts from: cloning it costs less than building each part (a filter's answer
   * brings a thousand rows and more). */
  var ROW = null;

  function emptyRow() {
    if (!ROW) {
      ROW = el("div", "row");
      ROW.appendChild(el("span", "twisty")).setAttribute("aria-hidden", "true");
      ROW.appendChild(el("span", "label")).appendChild(el("span", "name"));
      ROW.appendChild(el("span", "type"));
      ROW.appendChild(el("span", "badge"));
    }
    return ROW.cloneNode(true);
  }

  function renderRow(node, li) {
    var row = emptyRow();
    var prefix = "n" + (++this.seq);
    var label = row.children[1];
    label.id = prefix + "-label";
    label.firstChild.textContent = node.name;
    if (node.display && node.display !== node.name) {
      label.appendChild(el("span", "display", node.display));
    }
    var type = row.children[2];
    type.id = prefix + "-type";
    type.textContent = node.type || "";
    var badge = row.children[3];
    badge.className = "badge badge-" + node.badge;
    badge.textContent = model.BADGE_LABELS[node.badge];
    badge.id = prefix + "-badge";
    if (node.badge === "unverified") {
      var seen = node.unverified.last_seen;
      badge.title = node.unverified.reason + (seen ? " (last seen " + seen + ")" : "");
    }
    var labelledBy = [label.id, type.id, badge.id];
    if (node.complete && (node.goneBelow || node.remoteBelow)) { // known only when all below is loaded
      var below = el("span", "below", belowWords(node));
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
    for (var i = 0; i < this.rowParts.length; i++) {
      this.rowParts[i](node, row, labelledBy);
    }
    li.setAttribute("aria-labelledby", labelledBy.join(" "));
    return row;
  }

  function renderNode(node, position, size) {
    var li = document.createElement("li");
    li.setAttribute("role", "treeitem");
    li.className = node.match ? "node is-match" : "node";
    li.tabIndex = -1;
    li.setAttribute("aria-level", String(node.depth + 1));
    li.setAttribute("aria-setsize", String(size));
    li.setAttribute("aria-posinset", String(position));
    this.setHooks(node, li);
    li.node = node;
    node.li = li;
    node.group = null;
    li.appendChild(this.renderRow(node, li));
    if (node.hasChildren) {
      var open = isExpanded(node);
      li.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        this.renderChildren(node);
      }
    }
    return li;
  }

  function setHooks(node, li) {
    li.setAttribute("data-resource-name", node.name);
    li.setAttribute("data-resource-id", node.id === null ? "" : String(node.id));
    li.setAttribute("data-remote-id", node.remoteId === null ? "" : String(node.remoteId));
    li.setAttribute("data-matches-remote", node.matches === undefined ? "" : String(node.matches));
    li.setAttribute("data-resource-type", node.type || "");
    li.setAttribute("data-badge", node.badge);
  }

  function renderChildren(node) {
    var group = document.createElement("ul");
    group.setAttribute("role", "group");
    node.group = group;
    node.shown = 0;
    this.appendPage(node);
    node.li.appendChild(group); // filled while detached
  }

  function appendPage(node) {
    var kids = node.children;
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
  }

  /* Render a node's row again (new ids, new hints) where it is shown. */
  function refreshRow(node) {
    var li = node.li;
    if (!li || !this.tree.contains(li)) {
      return;
    }
    this.setHooks(node, li);
    li.replaceChild(this.renderRow(node, li), li.firstElementChild);
  }

  /* Open or close ``node`` (``open`` undefined: the other way); children not loaded yet are
   * fetched first. */
  function toggle(node, open) {
    if (!node.li || !node.hasChildren || node.loading) {
      return;
    }
    open = open === undefined ? !isExpanded(node) : open;
    var page = this;
    if (open && !node.loaded) {
      var shown = this.model;
      node.li.setAttribute("aria-busy", "true");
      node.loading = this.fetchChildren(shown, node).then(function (ok) {
        node.loading = null;
        if (node.li) {
          node.li.removeAttribute("aria-busy");
        }
        if (ok && page.model === shown) {
          model.tally(shown, page.mode, page.synced);
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
  }

  parts.rows = {
    renderTree: renderTree, findRendered: findRendered, isExpanded: isExpanded, renderRow: renderRow,
    renderNode: renderNode, setHooks: setHooks, renderChildren: renderChildren, appendPage: appendPage,
    refreshRow: refreshRow, toggle: toggle
  };
})();
