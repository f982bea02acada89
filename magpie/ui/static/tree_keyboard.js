/* The tree page's tree widget, as the ARIA tree pattern has it: one tab stop (the active item,
 * ``tabindex="0"``), arrows move and open or close, Home and End, Enter and Space toggle or show
 * the next page of a wide level; a click on a row does what Enter does. Methods of the tree page
 * (tree_page.js mixes them in): ``window.magpieTreeParts.keyboard``.
 */
(function () {
  "use strict";

  var parts = window.magpieTreeParts = window.magpieTreeParts || {};

  function bindTree() {
    var page = this;
    this.tree.addEventListener("click", function (event) { page.onTreeClick(event); });
    this.tree.addEventListener("keydown", function (event) { page.onTreeKey(event); });
    this.tree.addEventListener("focusin", function (event) {
      var li = event.target.closest('[role="treeitem"]');
      if (li && event.target === li) {
        page.setActive(li);
      }
    });
  }

  function setActive(li) {
    if (this.active === li) {
      return;
    }
    if (this.active) {
      this.active.tabIndex = -1;
    }
    this.active = li;
    li.tabIndex = 0;
  }

  function focusItem(li) {
    if (li) {
      this.setActive(li);
      li.focus();
    }
  }

  /* Every shown item in document order: what the up and down arrows walk. */
  function items() {
    return Array.prototype.slice.call(this.tree.querySelectorAll('[role="treeitem"]'));
  }

  function showMore(li) {
    var node = li.node;
    var index = node.shown;
    this.appendPage(node);
    this.focusItem(node.group.children[index]);
  }

  function onTreeClick(event) {
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
  }

  function onTreeKey(event) {
    var li = event.target;
    if (!li || li.getAttribute("role") !== "treeitem" || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var node = li.node;
    var isMore = li.classList.contains("more");
    var all;
    var index;
    switch (event.key) {
      case "ArrowDown":
        all = this.items();
        this.focusItem(all[all.indexOf(li) + 1]);
        break;
      case "ArrowUp":
        all = this.items();
        index = all.indexOf(li);
        if (index > 0) {
          this.focusItem(all[index - 1]);
        }
        break;
      case "Home":
        this.focusItem(this.items()[0]);
        break;
      case "End":
        all = this.items();
        this.focusItem(all[all.length - 1]);
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
          this.focusItem(li.parentElement.closest('[role="treeitem"]'));
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
  }

  parts.keyboard = {
    bindTree: bindTree, setActive: setActive, focusItem: focusItem, items: items, showMore: showMore,
    onTreeClick: onTreeClick, onTreeKey: onTreeKey
  };
})();
