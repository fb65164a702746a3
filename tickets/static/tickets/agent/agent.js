// Agent workspace behaviour. Loaded as a file (the CSP forbids inline script); no framework.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests send the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // --- SLA countdowns: recount every 30 s between server refreshes -----------------------
  function span(seconds) {
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return days + "d " + hours + "h";
    if (hours) return hours + "h " + String(mins).padStart(2, "0") + "m";
    return mins + "m";
  }
  function tickSla() {
    document.querySelectorAll(".sla[data-due]").forEach(function (el) {
      var seconds = (Date.parse(el.dataset.due) - Date.now()) / 1000;
      el.textContent = seconds >= 0 ? span(seconds) : "overdue " + span(seconds);
      el.classList.remove("sla-ok", "sla-soon", "sla-overdue");
      el.classList.add(seconds < 0 ? "sla-overdue" : seconds <= 3600 ? "sla-soon" : "sla-ok");
    });
  }
  setInterval(tickSla, 30000);

  // --- Queue selection that survives the polling refresh ---------------------------------
  var selected = new Set();
  var bulk = document.querySelector("[data-bulk]");

  function boxes() { return document.querySelectorAll('input[name="ids"][form="bulk"]'); }

  function syncBulk() {
    if (!bulk) return;
    bulk.querySelector("[data-bulk-count]").textContent = selected.size + " selected";
    bulk.querySelector("[data-bulk-submit]").disabled = selected.size === 0;
    // Rows that scrolled off this page after a refresh are still sent with the form.
    bulk.querySelectorAll('input[type="hidden"][name="ids"]').forEach(function (el) { el.remove(); });
    var visible = new Set(Array.from(boxes()).map(function (b) { return b.value; }));
    selected.forEach(function (id) {
      if (!visible.has(id)) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = "ids"; hidden.value = id;
        bulk.appendChild(hidden);
      }
    });
  }

  function restoreChecks() {
    boxes().forEach(function (box) { box.checked = selected.has(box.value); });
    syncBulk();
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches('input[name="ids"][form="bulk"]')) {
      if (target.checked) selected.add(target.value); else selected.delete(target.value);
      syncBulk();
    } else if (target.matches("[data-select-all]")) {
      boxes().forEach(function (box) {
        box.checked = target.checked;
        if (target.checked) selected.add(box.value); else selected.delete(box.value);
      });
      syncBulk();
    } else if (target.matches("[data-bulk-action]")) {
      bulk.querySelectorAll("[data-for]").forEach(function (el) {
        el.hidden = el.dataset.for !== target.value;
      });
    } else if (target.matches("[data-macro-select]")) {
      insertMacro(target);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.matches && event.target.matches("[data-rows]")) restoreChecks();
    tickSla();
  });
  // The swapped tbody replaces the target, so listen on the new element too.
  document.addEventListener("htmx:afterSettle", restoreChecks);

  // --- Reply box: macros and knowledge articles ------------------------------------------
  function replyBox() { return document.querySelector("#reply-form textarea[name=body]"); }

  function insertText(text) {
    var box = replyBox();
    if (!box) return;
    var start = box.selectionStart || box.value.length, end = box.selectionEnd || start;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var glue = before && !before.endsWith("\n") ? "\n" : "";
    box.value = before + glue + text + after;
    box.focus();
  }

  function insertMacro(select) {
    var id = select.value;
    if (!id) return;
    var form = document.getElementById("reply-form");
    var url = form.dataset.macroUrl.replace(/\/0\/$/, "/" + id + "/");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (text) {
        var box = replyBox();
        if (box.value.trim() === "") box.value = text; else insertText(text);
        form.querySelector('input[name="macro"]').value = id;
        box.focus();
      })
      .catch(function () { select.setCustomValidity("Could not load the macro."); select.reportValidity(); })
      .finally(function () { select.value = ""; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-article-url]");
    if (!button) return;
    var body = new URLSearchParams({ mode: button.dataset.mode });
    fetch(button.dataset.articleUrl, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": csrfToken() }
    })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(insertText);
  });

  // --- Keyboard shortcuts ----------------------------------------------------------------
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function chooseMode(value) {
    var radio = document.querySelector('#reply-form input[name="public"][value="' + value + '"]');
    if (radio) { radio.checked = true; replyBox().focus(); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target === replyBox()) {
      event.preventDefault();
      document.getElementById("reply-form").requestSubmit();
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    var page = document.querySelector("[data-ticket]");
    if (event.key === "/") {
      var search = document.getElementById("queue-search");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (event.key === "n") {
      window.location.href = page ? page.dataset.nextUrl : "/agent/next/";
    } else if (event.key === "r" && page) {
      event.preventDefault(); chooseMode("1");
    } else if (event.key === "i" && page) {
      event.preventDefault(); chooseMode("0");
    } else if (event.key === "a" && page) {
      var assign = document.getElementById("assign-me-form");
      if (assign) assign.requestSubmit();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { tickSla(); restoreChecks(); });
})();
