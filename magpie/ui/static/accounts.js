/* The users and groups pages: forms and buttons that call the REST API (``data-api`` method,
 * ``data-url``, ``{field}`` in the URL taken from the form), a confirmation before a delete, the
 * outcome said on the page, and a filter over the rows. After a change the page is reloaded, so
 * every list shows what the server holds.
 */
(function () {
  "use strict";

  var ui = window.magpieUi;
  var root = document.getElementById("accounts-page");
  if (!ui || !root) {
    return;
  }
  var sessionUrl = root.getAttribute("data-session-url");
  var pageStatus = document.getElementById("page-status");
  var MESSAGE_KEY = "magpie-accounts-message";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return values[key] !== undefined ? values[key] : all; });
  }

  function done(message) {
    try {
      sessionStorage.setItem(MESSAGE_KEY, message);
    } catch (error) { /* storage refused: the reload still shows the change */ }
    window.location.reload();
  }

  function call(method, url, body, where, message) {
    return ui.callSignedIn(sessionUrl, method, url, body).then(function (answer) {
      if (answer.ok) {
        done(message);
        return;
      }
      where.textContent = "Not done: " + ui.problemOf(answer);
      where.classList.add("status-error");
    });
  }

  function submitForm(form) {
    var body = {};
    var keepEmpty = form.hasAttribute("data-keep-empty");
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && (field.value !== "" || keepEmpty)) {
        body[field.name] = field.value;
      }
    });
    var shown = Object.assign({}, body);
    var url = form.getAttribute("data-url").replace(/\{(\w+)\}/g, function (all, key) {
      var value = body[key];
      delete body[key];
      return encodeURIComponent(value);
    });
    var status = form.querySelector(".form-status");
    status.classList.remove("status-error");
    status.textContent = "Saving…";
    call(form.getAttribute("data-api"), url, body, status, fill(form.getAttribute("data-done"), shown));
  }

  function confirmThen(text, buttonText, action) {
    var dialog = document.getElementById("confirm-dialog");
    document.getElementById("confirm-text").textContent = text;
    dialog.querySelector('[data-role="confirm"]').textContent = buttonText;
    dialog.returnValue = "";
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue === "confirm") {
        action();
      }
    });
    dialog.showModal();
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form.api-form");
    if (form) {
      event.preventDefault();
      submitForm(form);
    }
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-api]");
    if (!button || button.disabled) {
      return;
    }
    var run = function () {
      pageStatus.textContent = "Working…";
      call(button.getAttribute("data-api"), button.getAttribute("data-url"), undefined, pageStatus,
        button.getAttribute("data-done"));
    };
    var question = button.getAttribute("data-confirm");
    if (question) {
      confirmThen(question, button.getAttribute("aria-label") || button.textContent, run);
    } else {
      run();
    }
  });

  Array.prototype.forEach.call(root.querySelectorAll("input[data-filter]"), function (input) {
    var rows = document.querySelectorAll(input.getAttribute("data-filter"));
    var count = document.querySelector(input.getAttribute("data-filter-count"));
    var noun = input.getAttribute("data-filter-noun");
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var match = !needle || row.getAttribute("data-filter-text").toLowerCase().indexOf(needle) !== -1;
        row.hidden = !match;
        shown += match ? 1 : 0;
      });
      count.textContent = needle ? shown + " of " + rows.length + " " + noun : rows.length + " " + noun;
    });
  });

  var message = null;
  try {
    message = sessionStorage.getItem(MESSAGE_KEY);
    sessionStorage.removeItem(MESSAGE_KEY);
  } catch (error) { /* no storage: nothing to say */ }
  if (message) {
    pageStatus.textContent = message;
    pageStatus.classList.add("status-done");
  }
})();
