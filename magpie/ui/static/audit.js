/* The audit page: the log from GET /audit, newest first, 50 entries a page; filters by service,
 * user and days (UTC); "Older entries" follows the answer's cursor, so entries arriving meanwhile
 * neither repeat nor hide others. */
(function () {
  "use strict";

  var ui = window.magpieUi;
  var root = document.getElementById("audit-page");
  if (!ui || !root) {
    return;
  }
  var LIMIT = 50;
  var form = document.getElementById("audit-filters");
  var table = document.getElementById("audit-table");
  var body = table.querySelector("tbody");
  var status = document.getElementById("audit-status");
  var first = root.querySelector('[data-action="audit-first"]');
  var next = root.querySelector('[data-action="audit-next"]');
  var services = {};
  Array.prototype.forEach.call(form.elements.service.options, function (option) {
    services[option.value] = option.textContent;
  });
  var cursor = null;
  var page = 1;

  function dayAfter(day) {
    var date = new Date(day + "T00:00:00Z");
    date.setUTCDate(date.getUTCDate() + 1);
    return date.toISOString().slice(0, 10);
  }

  function query() {
    var parts = ["limit=" + LIMIT];
    var values = {service: form.elements.service.value, user: form.elements.user.value.trim()};
    if (form.elements.since.value) {
      values.since = form.elements.since.value + "T00:00:00Z";
    }
    if (form.elements.until.value) {
      values.until = dayAfter(form.elements.until.value) + "T00:00:00Z";
    }
    Object.keys(values).forEach(function (key) {
      if (values[key]) {
        parts.push(key + "=" + encodeURIComponent(values[key]));
      }
    });
    return parts;
  }

  function cell(row, text) {
    row.appendChild(ui.el("td", null, text === null || text === undefined ? "" : String(text)));
  }

  function show(entries) {
    body.textContent = "";
    entries.forEach(function (entry) {
      var row = ui.el("tr");
      row.setAttribute("data-audit-action", entry.action);
      var when = ui.el("td");
      var time = ui.el("time", null, entry.at.replace("T", " ").slice(0, 19));
      time.setAttribute("datetime", entry.at);
      when.appendChild(time);
      row.appendChild(when);
      cell(row, entry.actor);
      cell(row, entry.action);
      cell(row, entry.service_id === null ? "" : (services[String(entry.service_id)] || "#" + entry.service_id));
      cell(row, entry.user_name);
      cell(row, entry.group_name);
      cell(row, entry.resource_id);
      body.appendChild(row);
    });
  }

  function load(from) {
    var parts = query();
    if (from) {
      parts.push("cursor=" + encodeURIComponent(from));
    }
    table.setAttribute("aria-busy", "true");
    status.textContent = "Loading…";
    return ui.callSignedIn(root.getAttribute("data-session-url"), "GET",
      root.getAttribute("data-audit-url") + "?" + parts.join("&")).then(function (answer) {
      table.setAttribute("aria-busy", "false");
      if (!answer.ok) {
        status.textContent = "The audit log could not be read: " + ui.problemOf(answer);
        return;
      }
      show(answer.json.entries);
      cursor = answer.json.next_cursor;
      next.disabled = !cursor;
      first.disabled = page === 1;
      var count = answer.json.entries.length;
      status.textContent = count ? "Page " + page + ": " + count + (count === 1 ? " entry" : " entries") +
        (cursor ? "; older ones on the next page." : ".") : "No entry matches.";
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    page = 1;
    load(null);
  });
  next.addEventListener("click", function () {
    page += 1;
    load(cursor);
  });
  first.addEventListener("click", function () {
    page = 1;
    load(null);
  });
  load(null);
})();
