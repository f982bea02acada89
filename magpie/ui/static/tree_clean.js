/* The tree page's clean of gone resources. The page holds only part of a large tree, so what a
 * clean would remove, and the permissions that would go with it, come from the server when the
 * button is pressed: the local tree's ids go to a dry run of the clean, which recomputes what is
 * gone. Gone nodes that carry permissions say how many; the dialog lists every permission that
 * would go, and asks once.
 */
(function () {
  "use strict";

  var BATCH = 10000; // maxItems of the clean request in the OpenAPI document
  var ui = window.magpieUi;
  var page = window.magpieTree;
  if (!ui || !page) {
    return;
  }
  var el = ui.el;
  var number = ui.number;

  function plural(count, one, many) {
    return number(count) + " " + (count === 1 ? one : many);
  }

  /* Every local resource below the service: id -> {path, type, parent}. */
  function indexLocal(resources) {
    var byId = {};
    var stack = Object.keys(resources).map(function (name) { return [name, resources[name], null]; });
    var rootId = stack.length ? stack[0][1].id : null;
    while (stack.length) {
      var item = stack.pop();
      var node = item[1];
      if (node.id !== rootId) {
        byId[node.id] = {path: item[0], type: node.resource_type, parent: item[2]};
      }
      Object.keys(node.children || {}).forEach(function (name) {
        stack.push([item[0] + "/" + name, node.children[name], node.id]);
      });
    }
    return byId;
  }

  /* What a clean now would remove: ``{tops, permissions, count}`` or ``{error}``. */
  function plan() {
    return page.call("GET", page.urls.tree).then(function (answer) {
      if (!answer.ok) {
        return {error: answer};
      }
      var byId = indexLocal(answer.json.resources || {});
      var ids = Object.keys(byId).map(Number);
      var removed = [];
      var permissions = [];
      var chain = Promise.resolve(null);
      for (var start = 0; start < ids.length; start += BATCH) {
        (function (batch) {
          chain = chain.then(function (error) {
            return error || page.call("POST", page.urls.clean + "?dry_run=true", {resource_ids: batch})
              .then(function (dry) {
                if (!dry.ok) {
                  return dry;
                }
                removed = removed.concat(dry.json.removed, dry.json.removed_descendants);
                permissions = permissions.concat(dry.json.permissions);
                return null;
              });
          });
        })(ids.slice(start, start + BATCH));
      }
      return chain.then(function (error) {
        return error ? {error: error} : summarize(byId, removed, permissions);
      });
    });
  }

  function summarize(byId, listed, permissions) {
    var gone = {};
    var removed = listed.filter(function (id) {
      var first = !gone[id];
      gone[id] = true;
      return first;
    });
    var tops = [];
    var topOf = {};
    removed.forEach(function (id) {
      var top = id;
      for (var up = byId[id].parent; up !== null && byId[up]; up = byId[up].parent) {
        if (gone[up]) {
          top = up;
        }
      }
      topOf[id] = top;
      if (top === id) {
        tops.push({id: id, path: byId[id].path, type: byId[id].type, below: [], permissions: []});
      }
    });
    var topById = {};
    tops.forEach(function (top) { topById[top.id] = top; });
    removed.forEach(function (id) {
      if (topOf[id] !== id) {
        topById[topOf[id]].below.push(byId[id].path);
      }
    });
    permissions.forEach(function (permission) {
      var id = permission.resource_id;
      var top = topById[topOf[id]];
      if (top) {
        top.permissions.push({path: byId[id] ? byId[id].path : String(id), permission: permission});
      }
    });
    return {tops: tops, permissions: permissions, count: removed.length};
  }

  /* A gone node says how many permissions a clean would remove with it (the tree API counts them). */
  page.rowParts.push(function (node, row) {
    var count = node.badge === "gone" ? node.gonePermissions : 0;
    if (count) {
      var note = el("span", "gone-permissions", plural(count, "permission", "permissions"));
      note.setAttribute("data-gone-permissions", String(count));
      note.title = "Removing this gone resource removes " + plural(count, "permission", "permissions") + " with it";
      row.appendChild(note);
    }
  });

  page.askClean = function () {
    if (page.busy) {
      return;
    }
    page.say("running", "Finding what a clean would remove…");
    plan().then(function (found) {
      if (found.error) {
        page.sayProblem("Finding gone resources failed", found.error);
      } else if (!found.tops.length) {
        page.say("done", "Nothing is gone any more.");
      } else {
        page.say("done", "");
        showDialog(found);
      }
    });
  };

  function permissionText(item) {
    var permission = item.permission;
    return permission.principal_type + " " + permission.principal_name + ": " + permission.permission_name +
      " on " + item.path;
  }

  function showDialog(found) {
    var dialog = document.getElementById("clean-dialog");
    var list = document.getElementById("clean-list");
    list.textContent = "";
    var fragment = document.createDocumentFragment();
    found.tops.forEach(function (top) {
      var item = el("li");
      item.setAttribute("data-resource-id", String(top.id));
      item.appendChild(el("span", "path", top.path));
      item.appendChild(el("span", "type", top.type));
      if (top.below.length) {
        var details = el("details");
        details.appendChild(el("summary", null, "and the " + plural(top.below.length, "resource", "resources") +
          " below it"));
        var sub = el("ul", "path-list");
        top.below.forEach(function (path) { sub.appendChild(el("li", null, path)); });
        details.appendChild(sub);
        item.appendChild(details);
      }
      if (top.permissions.length) {
        var lost = el("ul", "lost-permissions");
        lost.setAttribute("aria-label", "Permissions removed with " + top.path);
        top.permissions.forEach(function (permission) {
          lost.appendChild(el("li", null, permissionText(permission))).setAttribute("data-lost-permission", "");
        });
        item.appendChild(lost);
      }
      fragment.appendChild(item);
    });
    list.appendChild(fragment);
    var lostCount = found.permissions.length;
    document.getElementById("clean-summary").textContent = "These local resources are gone from the remote " +
      "service. " + plural(found.count, "resource", "resources") + " in all will be removed" +
      (lostCount ? ", and with them the " + plural(lostCount, "permission", "permissions") + " listed:" : ":");
    dialog.querySelector('[data-role="confirm"]').textContent = "Remove " +
      plural(found.count, "resource", "resources") + (lostCount ? " and " + plural(lostCount, "permission",
        "permissions") : "");
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "confirm") {
        clean(found.tops.map(function (top) { return top.id; }));
      } else {
        page.cleanButton.focus();
      }
    });
    dialog.showModal();
  }

  function clean(ids) {
    var totals = {removed: 0, below: 0, permissions: 0, kept: []};
    page.setBusy(true, page.cleanButton, "Removing…");
    page.say("running", "Removing " + plural(ids.length, "gone resource", "gone resources") + "…");
    var chain = Promise.resolve(true);
    for (var start = 0; start < ids.length; start += BATCH) {
      (function (batch) {
        chain = chain.then(function (ok) {
          return ok && page.call("POST", page.urls.clean, {resource_ids: batch}).then(function (answer) {
            if (!answer.ok) {
              page.sayProblem("Removing failed", answer);
              return false;
            }
            totals.removed += answer.json.removed.length;
            totals.below += answer.json.removed_descendants.length;
            totals.permissions += answer.json.permissions.length;
            totals.kept = totals.kept.concat(answer.json.kept);
            return true;
          });
        });
      })(ids.slice(start, start + BATCH));
    }
    chain.then(function (ok) {
      if (ok) {
        var text = "Removed " + plural(totals.removed, "resource", "resources");
        if (totals.below) {
          text += " and the " + number(totals.below) + " below them";
        }
        if (totals.permissions) {
          text += ", with " + plural(totals.permissions, "permission", "permissions");
        }
        text += ".";
        if (totals.kept.length) {
          text += " Kept " + number(totals.kept.length) + ": " + totals.kept.slice(0, 3).map(function (kept) {
            return kept.resource_id + " (" + kept.detail + ")";
          }).join("; ") + (totals.kept.length > 3 ? "; …" : "");
        }
        page.say("done", text);
      }
      return page.load();
    }).then(function () {
      page.setBusy(false, page.cleanButton);
      if (page.cleanButton.disabled) {
        page.focusItem(page.active);
      } else {
        page.cleanButton.focus();
      }
    });
  }
})();
