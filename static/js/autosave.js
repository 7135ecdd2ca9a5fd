// Autosave feedback for the questionnaire (htmx does the saving).
// A save that fails is shown next to the statement it belongs to, the choice stays marked as
// not saved, and the save is tried again (at once when the browser is back online). Leaving the
// page with unsaved choices asks first. The texts come from the page, so they are translated.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  if (!form || !window.htmx) { return; }
  var live = document.getElementById("save-status");
  var pending = new Map(); // element -> retry delay in ms

  function holder(elt) {
    return elt.closest ? elt.closest("fieldset.statement, .comment") : null;
  }

  function statusOf(box) {
    return box ? box.querySelector(".statement__status") : null;
  }

  function show(box, text, state) {
    var status = statusOf(box);
    if (status) {
      status.textContent = text;
      status.className = "statement__status statement__status--" + state;
    }
    if (box) { box.classList.toggle("is-unsaved", state === "failed"); }
  }

  function retry(elt) {
    var delay = Math.min((pending.get(elt) || 1000) * 2, 30000);
    pending.set(elt, delay);
    window.setTimeout(function () {
      if (pending.has(elt)) { htmx.trigger(elt, "change"); }
    }, delay);
  }

  function failed(elt) {
    var box = holder(elt);
    if (!box) { return; }
    show(box, form.dataset.msgFailed, "failed");
    if (live) { live.textContent = form.dataset.msgFailedLive; }
    retry(elt);
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var box = holder(event.detail.elt);
    if (box && !pending.has(event.detail.elt)) { show(box, form.dataset.msgSaving, "saving"); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      pending.delete(event.detail.elt);
      var box = holder(event.detail.elt);
      if (box) { box.classList.remove("is-unsaved"); }
    }
  });
  document.body.addEventListener("htmx:sendError", function (event) { failed(event.detail.elt); });
  document.body.addEventListener("htmx:timeout", function (event) { failed(event.detail.elt); });
  document.body.addEventListener("htmx:responseError", function (event) {
    // 4xx: the server said why (shown in the live region) and saved nothing; no retry.
    if (event.detail.xhr.status >= 500) { failed(event.detail.elt); return; }
    var box = holder(event.detail.elt);
    if (box) { show(box, form.dataset.msgRefused, "failed"); }
  });
  window.addEventListener("online", function () {
    pending.forEach(function (_delay, elt) { htmx.trigger(elt, "change"); });
  });
  window.addEventListener("beforeunload", function (event) {
    if (pending.size > 0) { event.preventDefault(); event.returnValue = ""; }
  });
})();
