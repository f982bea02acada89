/* The tree page's permission editor: pick a user or a group, and every node shows one control per
 * permission name its type carries (none, allow or deny, recursive or on this resource only).
 * A change is saved at once through the permission API and the row says how it went. On a node
 * that exists only remotely, the first grant creates its local path (the remote grant route) and
 * the node becomes local in place. For a user, "Show effective access" marks each control with the
 * resolved access and says why.
 */
(function () {
  "use strict";

  var ui = window.magpieUi;
  var page = window.magpieTree;
  if (!ui || !page) {
    return;
  }
  var el = ui.el;
  var VALUES = [
    ["none", "none"],
    ["allow-recursive", "allow (recursive)"],
    ["allow-match", "allow (this resource only)"],
    ["deny-recursive", "deny (recursive)"],
    ["deny-match", "deny (this resource only)"]
  ];
  var root = page.root;
  var picker = document.getElementById("principal");
  var effectiveToggle = root.querySelector('[data-action="effective"]');
  var urls = {users: root.getAttribute("data-users-url"), groups: root.getAttribute("data-groups-url")};
  var serviceId = root.getAttribute("data-service-id");
  var state = {kind: null, name: null, effective: false};
  var seq = 0;

  function readPicker() {
    var value = picker.value;
    var colon = value.indexOf(":");
    state.kind = colon > 0 ? value.slice(0, colon) : null;
    state.name = colon > 0 ? value.slice(colon + 1) : null;
    effectiveToggle.disabled = state.kind !== "user";
    if (effectiveToggle.disabled) {
      effectiveToggle.checked = false;
    }
    state.effective = effectiveToggle.checked;
    root.setAttribute("data-principal-shown", picker.value);
  }

  page.queryParts.push(function () {
    if (!state.kind) {
      return "";
    }
    return state.kind + "=" + encodeURIComponent(state.name) + (state.effective ? "&effective=true" : "");
  });

  picker.addEventListener("change", function () { readPicker(); page.load(); });
  effectiveToggle.addEventListener("change", function () { readPicker(); page.load(); });

  function currentValue(node, name) {
    for (var i = 0; i < node.permissions.length; i++) {
      var permission = node.permissions[i];
      if (permission.name === name) {
        return permission.access + "-" + permission.scope;
      }
    }
    return "none";
  }

  /* "own permission", "group researchers", "administrator", "no permission". */
  function reasonWords(reason) {
    if (reason === "administrator") {
      return "administrator";
    }
    if (reason === "no-permission") {
      return "no permission";
    }
    if (reason === "multiple") {
      return "several groups";
    }
    var parts = String(reason).split(":");
    if (parts[0] === "user") {
      return "own permission";
    }
    if (parts[0] === "group") {
      return "group " + parts.slice(2).join(":");
    }
    return String(reason);
  }

  page.rowParts.push(function (node, row) {
    if (!state.kind) {
      return;
    }
    var box = el("span", "perms");
    var prefix = "p" + (++seq);
    node.allowedNames.forEach(function (name, index) {
      var label = el("label", "perm");
      var select = el("select");
      select.id = prefix + "-" + index;
      select.setAttribute("data-permission", name);
      select.setAttribute("aria-label", name + " for " + state.kind + " " + state.name + " on " + node.path());
      VALUES.forEach(function (pair) {
        var option = el("option", null, pair[1]);
        option.value = pair[0];
        select.appendChild(option);
      });
      select.value = currentValue(node, name);
      select.setAttribute("data-value", select.value);
      label.appendChild(el("span", "perm-name", name));
      label.appendChild(select);
      var found = state.effective && node.effective ? node.effective[name] : null;
      if (found) {
        var words = (found.allowed ? "allowed" : "denied") + ": " + reasonWords(found.reason);
        select.setAttribute("data-effective", found.allowed ? "allow" : "deny");
        label.classList.add(found.allowed ? "effective-allow" : "effective-deny");
        label.title = name + " " + words;
        var why = el("span", "visually-hidden", name + " is " + words);
        why.id = select.id + "-why";
        label.appendChild(why);
        select.setAttribute("aria-describedby", why.id);
      }
      box.appendChild(label);
    });
    var status = el("span", "perm-status");
    status.setAttribute("role", "status");
    box.appendChild(status);
    row.appendChild(box);
  });

  function principalUrl() {
    return (state.kind === "user" ? urls.users : urls.groups) + "/" + encodeURIComponent(state.name);
  }

  function save(select) {
    var li = select.closest('[role="treeitem"]');
    var node = li && li.node;
    if (!node) {
      return;
    }
    var name = select.getAttribute("data-permission");
    var before = select.getAttribute("data-value");
    var value = select.value;
    var status = select.closest(".perms").querySelector(".perm-status");
    var request;
    if (value === "none") {
      request = page.call("DELETE", principalUrl() + "/resources/" + node.id + "/permissions/" +
        encodeURIComponent(name + "-" + before));
    } else if (node.id === null) {
      request = page.call("POST", principalUrl() + "/services/" + serviceId + "/remote/" + node.remoteId +
        "/permissions", {permission_name: name + "-" + value});
    } else {
      request = page.call("POST", principalUrl() + "/resources/" + node.id + "/permissions",
        {permission_name: name + "-" + value});
    }
    select.disabled = true;
    status.className = "perm-status status-running";
    status.textContent = "Saving " + name + "…";
    request.then(function (answer) {
      select.disabled = false;
      if (!answer.ok) {
        select.value = before;
        select.setAttribute("aria-invalid", "true");
        status.className = "perm-status status-error";
        status.textContent = "Not saved: " + ui.problemOf(answer);
        return;
      }
      select.removeAttribute("aria-invalid");
      select.setAttribute("data-value", value);
      node.permissions = node.permissions.filter(function (permission) { return permission.name !== name; });
      if (value !== "none") {
        var parts = value.split("-");
        node.permissions.push({name: name, access: parts[0], scope: parts[1]});
      }
      if (node.id === null && answer.json.resource_id) {
        if (!page.applyAdopted(node, {resource_id: answer.json.resource_id, created: answer.json.created_resources})) {
          page.load();
        }
      }
      var saved = "Saved: " + name + " " + (value === "none" ? "removed" : select.selectedOptions[0].textContent);
      if (state.effective) {
        page.load().then(function () { page.say("done", saved + " on " + node.path() + "."); });
      } else {
        var current = node.li ? node.li.querySelector(':scope > .row .perm-status') : null;
        if (current) {
          current.className = "perm-status status-done";
          current.textContent = saved;
        }
      }
    });
  }

  page.tree.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-permission]");
    if (select) {
      save(select);
    }
  });

  readPicker();
})();
