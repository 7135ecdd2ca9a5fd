// Autosave for the questionnaire (htmx sends each change; this file makes sure nothing typed
// is lost on the way).
// - A save that fails (offline, server down, no answer in 15 s) is marked next to its field and
//   tried again, at once when the browser is back online.
// - A save the server refuses (too long, a fødselsnummer, the round closed) stays marked; the
//   server's reason is in the status line. A save refused because the login ended waits: once
//   the person has logged in again (in another tab) and comes back, it is sent again with the
//   new login's form token, unless someone else has logged in meanwhile.
// - Until a field is saved, its value is kept in this browser tab (sessionStorage, per person
//   and page, for 12 hours at most) and put back if the page is opened again; on a page that
//   can no longer be changed it is shown to copy.
// - Leaving the page, or pressing one of its buttons, while anything is unsaved asks first or
//   waits for the saves under way.
// The texts come from the page's data-msg-* attributes, so they are translated.
(function () {
  "use strict";
  if (!window.htmx) { return; }
  var TIMEOUT = 15000;
  var MAX_AGE = 12 * 3600 * 1000;
  var PREFIX = "godegrep-unsaved:";
  var form = document.querySelector("form.questionnaire");
  if (!form) { showLeftOver(document.getElementById("drafts")); return; }
  htmx.config.timeout = TIMEOUT;
  var live = document.getElementById("save-status");
  var unsaved = new Map(); // field -> "retry" | "login" | "refused"
  var delays = new Map(); // field -> the next retry's delay in ms
  var sent = new Map(); // field -> the value its request under way sends
  var dirty = new Set(); // fields changed here and not saved yet (kept in sessionStorage)
  var submitting = false;

  // --- fields: a fieldset of radios or the comment's textarea ---------------------------------
  function fieldOf(elt) { return elt.closest ? elt.closest("fieldset.statement, textarea") : null; }
  function holder(field) { return field.closest("fieldset.statement, .comment"); }
  function nameOf(field) {
    return field.tagName === "TEXTAREA" ? field.name : field.querySelector("input").name;
  }
  function valueOf(field) {
    if (field.tagName === "TEXTAREA") { return field.value; }
    var checked = field.querySelector("input:checked");
    return checked ? checked.value : "";
  }
  function setValue(field, value) {
    if (field.tagName === "TEXTAREA") { field.value = value; return; }
    var radio = field.querySelector('input[value="' + value + '"]');
    if (radio) { radio.checked = true; }
  }
  function fields() { return form.querySelectorAll("fieldset.statement[hx-post], textarea[hx-post]"); }

  // --- the status next to a field, and the page's status line ---------------------------------
  function show(field, text, state) {
    var box = holder(field);
    var status = box && box.querySelector(".statement__status");
    if (status) {
      status.textContent = text;
      status.className = "statement__status statement__status--" + state;
    }
    if (box) { box.classList.toggle("is-unsaved", state === "failed"); }
  }
  function announce(text) { if (live) { live.textContent = text; } }

  // --- what is not saved yet, kept in this tab -------------------------------------------------
  function keyOf(scope, field) { return PREFIX + scope.dataset.draftKey + ":" + nameOf(field); }
  function keep(field) {
    dirty.add(field);
    try {
      var entry = JSON.stringify({ value: valueOf(field), at: Date.now() });
      window.sessionStorage.setItem(keyOf(form, field), entry);
    } catch (e) { /* storage off or full: the warning on leaving still protects */ }
  }
  function kept(key) {
    try {
      var entry = JSON.parse(window.sessionStorage.getItem(key) || "null");
      if (entry && Date.now() - entry.at < MAX_AGE) { return entry.value; }
      window.sessionStorage.removeItem(key);
    } catch (e) { /* nothing kept */ }
    return null;
  }
  function forget(field) {
    dirty.delete(field);
    try { window.sessionStorage.removeItem(keyOf(form, field)); } catch (e) { /* nothing kept */ }
  }

  // A page that can no longer be changed: a comment kept from before is shown to copy.
  function showLeftOver(section) {
    if (!section) { return; }
    var text = kept(PREFIX + section.dataset.draftKey + ":" + section.dataset.draftField);
    var box = section.querySelector("textarea");
    if (text && box && !box.value) { box.value = text; section.hidden = false; }
  }

  // --- failures -------------------------------------------------------------------------------
  function retryLater(field) {
    unsaved.set(field, "retry");
    show(field, form.dataset.msgFailed, "failed");
    announce(form.dataset.msgFailedLive);
    var delay = Math.min((delays.get(field) || 1000) * 2, 30000);
    delays.set(field, delay);
    window.setTimeout(function () {
      if (unsaved.get(field) === "retry") { htmx.trigger(field, "change"); }
    }, delay);
  }
  function refused(field, status) {
    if (field.tagName === "TEXTAREA") { field.setAttribute("aria-invalid", "true"); }
    if (status === 401) {
      unsaved.set(field, "login");
      show(field, form.dataset.msgLogin, "failed");
    } else {
      unsaved.set(field, "refused");
      show(field, form.dataset.msgRefused, "failed");
    }
  }

  // The login's form token: a new login has a new one. Read from this page as the server now
  // makes it; false when nobody, or someone else, is logged in.
  function renewToken() {
    return window.fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var other = page.querySelector("form.questionnaire");
        if (!other || other.dataset.draftKey !== form.dataset.draftKey) { return false; }
        form.querySelector("input[name=csrf_token]").value =
          other.querySelector("input[name=csrf_token]").value;
        return true;
      })
      .catch(function () { return false; });
  }
  var renewing = null;
  function sendAgain(state) {
    var waiting = [];
    unsaved.forEach(function (s, field) { if (s === state) { waiting.push(field); } });
    if (waiting.length === 0 || renewing) { return; }
    renewing = renewToken().then(function (ok) {
      renewing = null;
      waiting.forEach(function (field) {
        if (ok) { htmx.trigger(field, "change"); } else { refused(field, 401); }
      });
    });
  }

  // --- htmx's events ---------------------------------------------------------------------------
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var field = fieldOf(event.detail.elt);
    if (!field) { return; }
    sent.set(field, valueOf(field));
    if (!unsaved.has(field)) { show(field, form.dataset.msgSaving, "saving"); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var field = fieldOf(event.detail.elt);
    if (!field) { return; }
    var value = sent.get(field);
    sent.delete(field);
    if (!event.detail.successful) { return; }
    unsaved.delete(field);
    delays.delete(field);
    holder(field).classList.remove("is-unsaved");
    field.removeAttribute("aria-invalid");
    var was = form.querySelector('input[name="was.' + nameOf(field) + '"]');
    if (was) { was.value = value; } // a button no longer writes it (see app/rounds/forms.py)
    if (valueOf(field) === value) { forget(field); }
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    var field = fieldOf(event.detail.elt);
    if (field) { retryLater(field); }
  });
  document.body.addEventListener("htmx:timeout", function (event) {
    var field = fieldOf(event.detail.elt);
    if (field) { retryLater(field); }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var field = fieldOf(event.detail.elt);
    if (!field) { return; }
    var status = event.detail.xhr.status;
    if (status >= 500) { retryLater(field); return; }
    if (status === 403 && !delays.has(field)) {
      // Most likely the form token of a login that has since been replaced: once, with a new one.
      delays.set(field, 1000);
      unsaved.set(field, "token");
      show(field, form.dataset.msgSaving, "saving");
      sendAgain("token");
      return;
    }
    refused(field, status); // the server's reason is in the status line
  });

  // --- typing ------------------------------------------------------------------------------------
  form.addEventListener("input", function (event) {
    var field = fieldOf(event.target);
    if (!field) { return; }
    if (field.tagName === "TEXTAREA") { tidy(field); count(field); }
    keep(field);
  });
  form.addEventListener("change", function (event) {
    var field = fieldOf(event.target);
    if (field) { keep(field); }
  });
  // Vertical tab and form feed come with text pasted from some programs, unseen; the server
  // refuses control characters, so they become the line breaks they stand for.
  function tidy(area) {
    if (!/[\u000b\u000c]/.test(area.value)) { return; }
    var at = area.selectionStart;
    area.value = area.value.replace(/[\u000b\u000c]/g, "\n");
    area.setSelectionRange(at, at);
  }
  function count(area) {
    var counter = document.getElementById("comment-count");
    if (!counter) { return; }
    var max = Number(counter.dataset.max);
    var n = Array.from(area.value.trim()).length; // characters as the server counts them
    var text = n > max ? form.dataset.msgTooLong : form.dataset.msgCount;
    counter.textContent = text.replace("{n}", n).replace("{max}", max).replace("{over}", n - max);
    counter.classList.toggle("comment__count--over", n > max);
  }

  // --- coming back, leaving ------------------------------------------------------------------
  function resume() {
    if (document.visibilityState !== "visible") { return; }
    sendAgain("login");
  }
  document.addEventListener("visibilitychange", resume);
  window.addEventListener("focus", resume);
  window.addEventListener("online", function () {
    unsaved.forEach(function (state, field) {
      if (state === "retry") { htmx.trigger(field, "change"); }
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) { return; }
    if (dirty.size > 0 || unsaved.size > 0) { event.preventDefault(); event.returnValue = ""; }
  });
  // A save is still to come: under way, or due (the comment waits for a pause in the typing).
  function coming() {
    if (sent.size > 0) { return true; }
    return Array.from(dirty).some(function (field) { return !unsaved.has(field); });
  }
  // A button saves the whole form and leaves: first let the saves under way finish, and stay
  // if any of them did not save (the field says why), so nothing typed goes with the page.
  var holding = false; // a button press is waiting for the saves under way
  form.addEventListener("submit", function (event) {
    if (submitting) { return; }
    event.preventDefault();
    if (holding) { return; }
    holding = true;
    var button = event.submitter;
    var waited = 0;
    // Checked after this event: a form ignores requestSubmit while its submit event runs.
    window.setTimeout(function check() {
      if (coming() && waited < TIMEOUT) { waited += 100; window.setTimeout(check, 100); return; }
      holding = false;
      if (unsaved.size > 0 || coming()) {
        announce(form.dataset.msgBlocked);
        var first = unsaved.keys().next().value;
        if (first) { (first.tagName === "TEXTAREA" ? first : first.querySelector("input")).focus(); }
        return;
      }
      submitting = true;
      form.requestSubmit(button);
    }, 0);
  });

  // --- opening the page: put back what this tab has not saved --------------------------------
  // Once htmx has set the page up: its first htmx:load is the whole page's.
  function restore() {
    var restored = false;
    fields().forEach(function (field) {
      if (field.tagName === "TEXTAREA") { count(field); }
      var value = kept(keyOf(form, field));
      if (value === null) { return; }
      if (value === valueOf(field)) { forget(field); return; }
      setValue(field, value);
      dirty.add(field);
      restored = true;
      if (field.tagName === "TEXTAREA") { count(field); }
      htmx.trigger(field, "change");
    });
    if (restored) { announce(form.dataset.msgRestored); }
  }
  var opened = false;
  htmx.onLoad(function () {
    if (!opened) { opened = true; restore(); }
  });
})();
