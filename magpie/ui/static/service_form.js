/* The "Register a service" form of the services page: "Test connection" sends what is typed
 * (credentials included) to POST /services/test and says in place what was found or why it
 * failed; "Register" calls POST /services, then PUT /services/{id}/credentials when credentials
 * were typed, and reloads the list. Secret fields are emptied once saved, never written back.
 */
(function () {
  "use strict";

  var ui = window.magpieUi;
  var form = document.getElementById("service-form");
  if (!ui || !form) {
    return;
  }
  var out = document.getElementById("service-form-status");
  var sessionUrl = form.getAttribute("data-session-url");
  var servicesUrl = form.getAttribute("data-services-url");
  var MESSAGE_KEY = "magpie-services-message";
  var SECRET_FIELDS = ["password", "token"];

  function value(name) {
    return form.elements[name].value.trim();
  }

  function say(lines, isError) {
    out.textContent = "";
    lines.forEach(function (line) { out.appendChild(ui.el("p", null, line)); });
    out.classList.toggle("message-error", !!isError);
    out.classList.toggle("message-info", !isError);
    out.hidden = false;
  }

  function showKind() {
    var kind = form.elements.kind.value;
    Array.prototype.forEach.call(form.querySelectorAll("[data-kind]"), function (field) {
      field.hidden = field.getAttribute("data-kind") !== kind;
    });
  }

  function credentials() {
    var kind = form.elements.kind.value;
    if (kind === "basic") {
      return {kind: kind, username: value("username"), password: form.elements.password.value};
    }
    if (kind === "bearer") {
      return {kind: kind, token: value("token")};
    }
    return null;
  }

  /* The service as typed; throws a message for a configuration that is not a JSON object. */
  function service() {
    var body = {service_name: value("service_name"), service_type: value("service_type"),
      service_url: value("service_url"), service_sync_type: value("service_sync_type") || null};
    var text = value("configuration");
    if (text) {
      var parsed;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw "the configuration is not valid JSON (" + error.message + ")";
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw "the configuration must be a JSON object";
      }
      body.configuration = parsed;
    }
    return body;
  }

  function testWords(test) {
    if (!test.ok) {
      return ["The connection test failed (" + test.reason + "): " + test.message];
    }
    var server = test.server.kind + (test.server.version ? " " + test.server.version : "");
    return ["Connected: " + server + " at " + test.url + ".",
      "First children: " + (test.children.join(", ") || "none") + (test.more_children ? ", …" : "")];
  }

  function testConnection() {
    var body;
    try {
      body = service();
    } catch (problem) {
      say(["Cannot test: " + problem], true);
      return;
    }
    var sent = {service_url: body.service_url, service_sync_type: body.service_sync_type};
    if (body.configuration) {
      sent.configuration = body.configuration;
    }
    if (credentials()) {
      sent.credentials = credentials();
    }
    say(["Testing the connection…"]);
    ui.callSignedIn(sessionUrl, "POST", form.getAttribute("data-test-url"), sent).then(function (answer) {
      if (!answer.ok) {
        say(["Cannot test: " + ui.problemOf(answer)], true);
        return;
      }
      say(testWords(answer.json.test), !answer.json.test.ok);
    });
  }

  function clearSecrets() {
    SECRET_FIELDS.forEach(function (name) { form.elements[name].value = ""; });
  }

  function registered(name, saved) {
    clearSecrets();
    try {
      sessionStorage.setItem(MESSAGE_KEY, "Registered " + name + (saved ? " with its credentials." : "."));
    } catch (error) { /* storage refused: the reloaded list still shows the service */ }
    window.location.reload();
  }

  function register() {
    var body;
    try {
      body = service();
    } catch (problem) {
      say(["Not registered: " + problem], true);
      return;
    }
    var secret = credentials();
    say(["Registering…"]);
    ui.callSignedIn(sessionUrl, "POST", servicesUrl, body).then(function (answer) {
      if (!answer.ok) {
        say(["Not registered: " + ui.problemOf(answer)], true);
        return null;
      }
      var created = answer.json.service;
      if (!secret) {
        registered(created.service_name, false);
        return null;
      }
      var url = servicesUrl + "/" + encodeURIComponent(created.resource_id) + "/credentials";
      return ui.callSignedIn(sessionUrl, "PUT", url, secret).then(function (saved) {
        if (saved.ok) {
          registered(created.service_name, true);
          return;
        }
        say(["Registered " + created.service_name + ", but its credentials were not saved: " +
          ui.problemOf(saved) + ". Set them on the service's page."], true);
      });
    });
  }

  form.elements.kind.addEventListener("change", showKind);
  form.querySelector('[data-action="test"]').addEventListener("click", testConnection);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    register();
  });
  showKind();

  var message = null;
  try {
    message = sessionStorage.getItem(MESSAGE_KEY);
    sessionStorage.removeItem(MESSAGE_KEY);
  } catch (error) { /* no storage: nothing to say */ }
  if (message) {
    say([message]);
  }
})();
