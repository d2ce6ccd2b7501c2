/* Proctor web app behaviour. Loaded as a file because the Content-Security-Policy forbids inline
   script: sends the session's CSRF token with every htmx request, and adds keyboard shortcuts
   (j/k next/previous, o open, c close form, a approve, / search, g queue). */
(function () {
  "use strict";

  var QUEUE_KEY = "proctor.queue";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-table tr.row"));
  }

  var current = -1;

  function select(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("selected", i === current);
      row.setAttribute("aria-selected", i === current ? "true" : "false");
    });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function rememberQueue() {
    var ids = rows().map(function (row) { return row.getAttribute("data-href"); });
    if (!ids.length) return;
    try {
      sessionStorage.setItem(QUEUE_KEY, JSON.stringify({ back: location.pathname + location.search, items: ids }));
    } catch (e) { /* storage may be disabled; shortcuts on the alert page then do nothing */ }
  }

  function storedQueue() {
    try { return JSON.parse(sessionStorage.getItem(QUEUE_KEY) || "null"); } catch (e) { return null; }
  }

  function neighbour(step) {
    var queue = storedQueue();
    if (!queue) return null;
    var index = queue.items.indexOf(location.pathname);
    if (index < 0) return null;
    return queue.items[index + step] || null;
  }

  function showPosition() {
    var holder = document.getElementById("queue-position");
    var queue = storedQueue();
    if (!holder || !queue) return;
    var index = queue.items.indexOf(location.pathname);
    if (index >= 0) holder.textContent = (index + 1) + " of " + queue.items.length + " on this queue page (j/k)";
    var back = document.querySelector("[data-back-to-queue]");
    if (back && queue.back) back.setAttribute("href", queue.back);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function focusForm(id, field) {
    var form = document.getElementById(id);
    if (!form) return false;
    form.scrollIntoView({ block: "center" });
    var target = form.querySelector(field);
    if (target) target.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var onQueue = rows().length > 0;
    var target = null;
    switch (event.key) {
      case "j":
        if (onQueue) select(current + 1); else target = neighbour(1);
        break;
      case "k":
        if (onQueue) select(current - 1); else target = neighbour(-1);
        break;
      case "o":
      case "Enter":
        if (onQueue && current >= 0) target = rows()[current].getAttribute("data-href");
        else if (event.key === "Enter") return;
        break;
      case "c":
        if (!focusForm("close-form", "textarea")) return;
        break;
      case "a":
        if (!focusForm("approve-form", "button[type=submit]")) return;
        break;
      case "/":
        var search = document.getElementById("q");
        if (!search) return;
        search.focus();
        break;
      case "g":
        target = "/alerts";
        break;
      default:
        return;
    }
    event.preventDefault();
    if (target) location.href = target;
  });

  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el.closest && el.closest("[data-back]")) {
      event.preventDefault();
      history.back();
      return;
    }
    var row = el.closest ? el.closest("#queue-table tr.row") : null;
    if (row && !el.closest("a, button, input, select, textarea")) {
      location.href = row.getAttribute("data-href");
    }
  });

  document.addEventListener("htmx:afterSwap", function () {
    current = -1;
    rememberQueue();
  });

  function ready() {
    rememberQueue();
    showPosition();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
