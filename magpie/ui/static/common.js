/* What every admin page's scripts share: relative times kept fresh ("3 minutes ago"), building
 * elements, and calls to the REST API that carry the session's CSRF token and never make the
 * browser open its own password dialog. Loaded first, it publishes ``window.magpieUi``.
 *
 * The page scripts are plain scripts loaded in order with ``defer``, not ES modules: each URL
 * carries the static files' cache-busting token (``request.static_path``), which an ``import``
 * written inside a module would not, and a script later in the list can rely on the globals an
 * earlier one set (one direction: common.js, then the tree modules, then their extensions).
 */
(function () {
  "use strict";

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

  window.magpieUi = {el: el, number: number, problemOf: problemOf, callSignedIn: callSignedIn,
    timeAgo: timeAgo, setTime: setTime};

  function start() {
    refreshTimes();
    setInterval(refreshTimes, 30000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
