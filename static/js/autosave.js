// Autosave for the questionnaire (htmx sends each change; this file makes sure nothing typed
// is lost on the way).
// - A save that fails (offline, server down, no answer in 15 s) is marked next to its field and
//   tried again, at once when the browser is back online.
// - A comment is saved only over the text this page last knew as saved. If it was saved from
//   another tab or device meanwhile, the server refuses (412) and sends that text: it is shown
//   under the field, which keeps what was typed here, and the person chooses which to keep.
// - A save the server refuses (too long, a fødselsnummer) stays marked, with the server's
//   reason next to the field. A refused fødselsnummer is not kept in the tab (below); a
//   comment refused only as too long is, like any unsaved text, until it is shortened.
//   A save refused because the login ended waits: once the person has logged in again (in
//   another tab) and comes back, it is sent again with the new login's form token, unless
//   someone else has logged in meanwhile. A save refused because the answers were locked (the
//   round closed) lets the buttons through: the page they lead to shows the comment to copy.
// - Until a field is saved, its value is kept in this browser tab (sessionStorage, per person
//   and page, for 12 hours at most) and put back if the page is opened again, unless the field
//   was saved elsewhere meanwhile; then the kept text is shown to copy. On a page that can no
//   longer be changed it is shown to copy as well.
// - Leaving the page, or pressing one of its buttons, while anything is unsaved asks first or
//   waits for the saves under way.
// - Levels stepped through with the arrow keys are saved (and said) once, when the person stops
//   on one, leaves the group, hides or leaves the page, or presses a button; a click saves at once.
// The texts come from the page's data-msg-* attributes, so they are translated.
(function () {
  "use strict";
  if (!window.htmx) { return; }
  var TIMEOUT = 15000;
  var MAX_AGE = 12 * 3600 * 1000;
  var PREFIX = "godegrep-unsaved:";
  var form = document.querySelector("form.questionnaire");
  var drafts = document.getElementById("drafts");
  if (!form) { showLeftOver(); return; }
  htmx.config.timeout = TIMEOUT;
  var live = document.getElementById("save-status");
  // field -> why it is not saved: "retry" (no answer), "token" (a new form token is being
  // fetched), "login" (logged out), "refused" (the server said why), "long" (a comment refused
  // only as too long), "locked" (round closed), "changed" (the comment was saved from elsewhere
  // since this page knew it)
  var unsaved = new Map();
  var delays = new Map(); // field -> the next retry's delay in ms
  var renewed = new Set(); // fields already sent again with a new form token
  var sent = new Map(); // field -> the value its request under way sends
  var bases = new Map(); // field -> the saved text that request replaces (its `was.` field)
  var tried = new Map(); // comment -> texts sent since its last answered save, as stored
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
  // The value as saved, as this tab last knew it (see app/rounds/forms.py).
  function savedAs(field) { return form.querySelector('input[name="was.' + nameOf(field) + '"]'); }

  // --- the status next to a field, and the page's status line ---------------------------------
  function statusOf(field) { return holder(field).querySelector(".statement__status"); }
  function show(field, text, state) {
    var status = statusOf(field);
    if (status) {
      status.textContent = text;
      status.className = "statement__status statement__status--" + state;
    }
    holder(field).classList.toggle("is-unsaved", state === "failed");
    tie(field, state === "failed");
  }
  // A comment that is not saved is marked so and tied to the reason beside it.
  function tie(field, failed) {
    var status = statusOf(field);
    if (field.tagName !== "TEXTAREA" || !status) { return; }
    var by = (field.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== status.id;
    });
    if (failed) { by.push(status.id); field.setAttribute("aria-invalid", "true"); }
    else { field.removeAttribute("aria-invalid"); }
    field.setAttribute("aria-describedby", by.join(" "));
  }
  function announce(text) { if (live) { live.textContent = text; } }

  // --- what is not saved yet, kept in this tab -------------------------------------------------
  function keyOf(field) { return PREFIX + form.dataset.draftKey + ":" + nameOf(field); }
  function keep(field) {
    dirty.add(field);
    if (unsaved.get(field) === "refused") { return; } // refused text is not stored anywhere
    try {
      var was = savedAs(field);
      var entry = { value: valueOf(field), base: was ? was.value : "", at: Date.now() };
      window.sessionStorage.setItem(keyOf(field), JSON.stringify(entry));
    } catch (e) { /* storage off or full: the warning on leaving still protects */ }
  }
  function kept(key) {
    try {
      var entry = JSON.parse(window.sessionStorage.getItem(key) || "null");
      if (entry && Date.now() - entry.at < MAX_AGE) { return entry; }
      window.sessionStorage.removeItem(key);
    } catch (e) { /* nothing kept */ }
    return null;
  }
  function drop(field) {
    try { window.sessionStorage.removeItem(keyOf(field)); } catch (e) { /* nothing kept */ }
  }
  function forget(field) { dirty.delete(field); drop(field); }

  // Text kept from before that cannot go into the field: shown to copy.
  function showToCopy(text) {
    var box = drafts && drafts.querySelector("textarea");
    if (!box || !text) { return; }
    box.value = text;
    drafts.hidden = false;
  }
  // A page that can no longer be changed: a comment kept from before is shown to copy.
  function showLeftOver() {
    if (!drafts) { return; }
    var entry = kept(PREFIX + drafts.dataset.draftKey + ":" + drafts.dataset.draftField);
    if (entry && !drafts.querySelector("textarea").value) { showToCopy(entry.value); }
  }

  // --- failures -------------------------------------------------------------------------------
  function retryLater(field) {
    // Said aloud when the field first fails, not again at each try: the tries go on every
    // half minute while the server is away, and the status beside the field stays.
    if (unsaved.get(field) !== "retry") { announce(form.dataset.msgFailedLive); }
    unsaved.set(field, "retry");
    show(field, form.dataset.msgFailed, "failed");
    var delay = Math.min((delays.get(field) || 1000) * 2, 30000);
    delays.set(field, delay);
    window.setTimeout(function () {
      if (unsaved.get(field) === "retry") { htmx.trigger(field, "change"); }
    }, delay);
  }
  function loggedOut(field) {
    unsaved.set(field, "login");
    show(field, loginEnded(field), "failed");
  }
  // A level chosen, or a comment written: each told in its own words.
  function loginEnded(field) {
    return field.tagName === "TEXTAREA" ? form.dataset.msgLoginText : form.dataset.msgLogin;
  }
  function parsed(html) {
    return new DOMParser().parseFromString(html || "", "text/html");
  }
  // The server's reason, from the fragment it answered with (it is also in the status line,
  // which the next save replaces).
  function reasonIn(page) {
    var reason = page.querySelector(".save-status__error, .ds-alert p");
    return reason ? reason.textContent.trim() : form.dataset.msgRefused;
  }
  function refused(field, status, html) {
    if (status === 401) { loggedOut(field); return; }
    if (status === 412) { changedElsewhere(field, html); return; }
    // Refused only as too long (the server says so, having found no fødselsnummer in it): kept.
    // A long text pasted, refused, and the tab reloaded (as a phone reloads a tab left for a
    // while for another app) would otherwise be gone.
    var long = status === 422 &&
      parsed(html).querySelector(".save-status__error[data-may-keep]") !== null;
    unsaved.set(field, status === 409 ? "locked" : long ? "long" : "refused");
    if (status !== 409 && !long) { drop(field); } // what the server refused is not kept in the tab
    if (long && valueOf(field) === sent.get(field)) { keep(field); } // (after a refusal, not yet)
    show(field, html ? reasonIn(parsed(html)) : form.dataset.msgLocked, "failed");
  }

  // --- a comment saved from another tab or device since this page knew it ---------------------
  var elsewhere = document.getElementById("saved-elsewhere");
  function changedElsewhere(field, html) {
    var was = savedAs(field);
    // Sent before the person chose (the click on a choice blurs the field, which sends it):
    // the choice stands.
    if (was && bases.get(field) !== was.value) { return; }
    var page = parsed(html);
    var found = page.querySelector(".save-status__error[data-saved]");
    var saved = found ? found.dataset.saved : null;
    if (was && saved !== null && tried.has(field) && tried.get(field).has(saved)) {
      // This page's own earlier save, whose answer never came (a timeout, a lost connection):
      // nothing to choose between. Send the text again over it.
      was.value = saved;
      htmx.trigger(field, "change");
      return;
    }
    var box = elsewhere && elsewhere.querySelector("textarea");
    var news = unsaved.get(field) !== "changed" || (box && box.value !== saved);
    unsaved.set(field, "changed");
    var reason = reasonIn(page);
    show(field, reason, "failed");
    if (news) { announce(reason); } // not again at every pause in the typing
    if (!box || saved === null) { return; }
    box.value = saved;
    elsewhere.hidden = false;
  }
  // The person chooses: save the field's text over the other, or take the other (the field's
  // text is then shown to copy). Either way the page now knows the saved text.
  function choose(button) {
    var field = form.querySelector("textarea[hx-post]");
    var saved = elsewhere.querySelector("textarea").value;
    var typed = valueOf(field);
    savedAs(field).value = saved;
    elsewhere.hidden = true;
    unsaved.delete(field);
    if (button.dataset.choose === "typed") {
      htmx.trigger(field, "change");
    } else {
      setValue(field, saved);
      count(field);
      forget(field);
      show(field, "", "ok");
      if (stored(typed) !== saved) { showToCopy(typed); announce(form.dataset.msgTaken); }
    }
    field.focus();
  }
  if (elsewhere) {
    elsewhere.querySelectorAll("[data-with-script]").forEach(function (e) { e.hidden = false; });
    elsewhere.querySelectorAll("[data-without-script]").forEach(function (e) { e.hidden = true; });
    elsewhere.addEventListener("click", function (event) {
      var button = event.target.closest("[data-choose]");
      if (button) { choose(button); }
    });
  }

  // The login's form token: a new login has a new one. Read from this page as the server now
  // makes it: "ok"; "out" when nobody, or someone else, is logged in; "locked" when the answers
  // can no longer be changed.
  function renewToken() {
    var headers = { "X-Background-Read": "1" }; // leaves a message meant for the next page
    return window.fetch(window.location.href, { credentials: "same-origin", headers: headers })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
      .then(function (html) {
        var page = parsed(html);
        var other = page.querySelector("form.questionnaire");
        var mine = page.querySelector("[data-draft-key]");
        if (!mine || mine.dataset.draftKey !== form.dataset.draftKey) { return "out"; }
        if (!other) { return "locked"; }
        var token = other.querySelector("input[name=csrf_token]").value;
        document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
          input.value = token; // the page's other forms (log out, language) too
        });
        return "ok";
      })
      .catch(function () { return "out"; });
  }
  var renewing = false;
  var again = false;
  // Send again every field waiting for a login ("token", "login") with the login's new token.
  function sendAgain() {
    if (renewing) { again = true; return; }
    renewing = true;
    renewToken().then(function (result) {
      renewing = false;
      unsaved.forEach(function (state, field) {
        if (state !== "token" && state !== "login") { return; }
        if (result === "ok") { htmx.trigger(field, "change"); }
        else if (result === "locked") { refused(field, 409, ""); }
        else { loggedOut(field); }
      });
      if (again) { again = false; sendAgain(); }
    });
  }
  function waitingForLogin() {
    return Array.from(unsaved.values()).some(function (s) { return s === "login" || s === "token"; });
  }

  // --- htmx's events ---------------------------------------------------------------------------
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var field = fieldOf(event.detail.elt);
    if (!field) { return; }
    sent.set(field, valueOf(field));
    var was = savedAs(field);
    bases.set(field, was ? was.value : "");
    if (field.tagName === "TEXTAREA") {
      if (!tried.has(field)) { tried.set(field, new Set()); }
      tried.get(field).add(stored(valueOf(field)));
    }
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
    renewed.delete(field);
    holder(field).classList.remove("is-unsaved");
    tie(field, false);
    var was = savedAs(field);
    if (was) { was.value = value; } // a button no longer writes it (see app/rounds/forms.py)
    tried.delete(field);
    if (valueOf(field) === value) { forget(field); }
  });
  // The page's status line is a live region: a screen reader reads each change aloud. A
  // comment is saved at every pause in the typing, and «Lagret kl. …» each time would talk
  // over the typing: those saves show only beside the field. The line says it once the field
  // is left (its change event saves again), or at once if it told of a problem before.
  // A refusal (a fødselsnummer, a comment changed elsewhere, a login that ended) is said once:
  // at the next pause in the typing, or when this script sends the field again, the server
  // refuses with the same reason, and the line keeps it rather than reading it out anew.
  // An error's reference (for support) is shown under the line, not in it: read out, its 32
  // characters buried what happened and what to do. A login that ended is told as this page
  // sees it: what was not saved, and that it is saved once the person is back.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // (detail.elt is the swap's target here: the field is the one the event came from)
    var by = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var field = by ? fieldOf(by.target) : null;
    if (!field || !live) { return; }
    var reference = null;
    if (event.detail.isError) {
      var status = event.detail.xhr.status;
      // A server error (or a proxy's page while the app restarts) is tried again, and the line
      // says so in its own words (retryLater): the error page does not go into it.
      if (status >= 500) { event.detail.swapOverride = "none"; return; }
      var answer = parsed(event.detail.serverResponse);
      reference = answer.querySelector(".request-id");
      if (reference) { reference.remove(); }
      // The line is a live region itself: an alert inside it may be read out twice.
      answer.querySelectorAll("[role=alert]").forEach(function (el) { el.removeAttribute("role"); });
      if (status === 401) { tellAs(answer, loginEnded(field)); }
      event.detail.serverResponse = answer.body.innerHTML;
      // (a click, or a level stopped on with the arrow keys, is a person's own act: its answer
      // is read out even when it is the same)
      var mine = by.isTrusted || (by.detail && by.detail.step);
      var unasked = by.type === "input" || !mine; // a pause, or sent again from here
      if (unasked && said(live) === said(answer.body)) { event.detail.swapOverride = "none"; }
    } else if (by.type === "input" && field.tagName === "TEXTAREA" &&
        (!live.textContent.trim() || live.querySelector(".save-status__ok"))) {
      event.detail.swapOverride = "none"; // the swaps beside the field (out of band) still happen
    }
    if (event.detail.swapOverride !== "none") { refer(reference); }
  });
  // The message of an error page's alert, in this page's words; its link stays.
  function tellAs(answer, text) {
    var message = answer.querySelector(".ds-alert p");
    if (!message) { return; }
    var link = message.querySelector("a");
    message.textContent = text;
    if (link) { message.append(" ", link); }
  }
  // The reference of the error the status line tells, under it (outside the live region).
  var referenceLine = document.getElementById("save-status-reference");
  function refer(reference) {
    if (!referenceLine) { return; }
    referenceLine.replaceChildren.apply(referenceLine, reference ? Array.from(reference.childNodes) : []);
    referenceLine.hidden = !reference;
  }
  // What a status line or an answer tells: its reason, not the error reference that differs
  // from one answer to the next.
  function said(root) {
    var reason = root.querySelector(".save-status__error, .ds-alert p");
    return (reason || root).textContent.trim();
  }
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
    var xhr = event.detail.xhr;
    if (xhr.status >= 500) { retryLater(field); return; }
    if (xhr.status === 403 && !renewed.has(field)) {
      // Most likely the form token of a login that has since been replaced: once, with a new one.
      renewed.add(field);
      unsaved.set(field, "token");
      show(field, form.dataset.msgSaving, "saving");
      sendAgain();
      return;
    }
    refused(field, xhr.status, xhr.responseText);
  });

  // --- typing ------------------------------------------------------------------------------------
  form.addEventListener("input", function (event) {
    var field = fieldOf(event.target);
    if (!field) { return; }
    if (field.tagName === "TEXTAREA") { tidy(field); count(field); }
    if (asSaved(field)) { forget(field); return; }
    keep(field);
  });
  // Typing that leaves a comment as it was last saved (a character typed over itself, the same
  // text pasted over it, a phone keyboard putting back the same word) sends nothing: htmx's
  // `changed` sees no change. Kept as unsaved, it would hold the buttons for a save that never
  // comes. Nothing is under way or failed for it, so there is nothing to wait for.
  function asSaved(field) {
    var was = savedAs(field);
    return field.tagName === "TEXTAREA" && was !== null && !sent.has(field) &&
      !unsaved.has(field) && valueOf(field) === was.value;
  }
  form.addEventListener("change", function (event) {
    var field = fieldOf(event.target);
    if (!field) { return; }
    keep(field);
    if (event.isTrusted) { current(field); } // not a save sent again from here
  });
  // The statement the person is answering: its status stays in view (app.css).
  function current(field) {
    form.querySelectorAll(".is-current").forEach(function (other) {
      other.classList.remove("is-current");
    });
    holder(field).classList.add("is-current");
  }

  // --- choosing with the arrow keys ------------------------------------------------------------
  // In a group of levels each arrow key checks the next one: the person is looking through
  // them, and a save (read aloud) at every step would talk over the level being read. A step is
  // saved once the person stops on a level for a moment, or at once when they leave the group
  // (Tab), the page or the tab, or press a button. A click, a tap or the space bar saves at once.
  var SETTLE = 1000;
  var stepping = false; // an arrow key is down on a level: the change it makes is a step
  var steps = new Map(); // field -> the timer that saves its last step
  form.addEventListener("keydown", function (event) {
    stepping = event.target.type === "radio" && /^Arrow/.test(event.key || "");
  }, true);
  form.addEventListener("keyup", function () { stepping = false; }, true);
  form.addEventListener("pointerdown", function () { stepping = false; }, true);
  // Before htmx, which sends the field on its change event.
  form.addEventListener("change", function (event) {
    var field = fieldOf(event.target);
    if (!field || field.tagName === "TEXTAREA") { return; }
    window.clearTimeout(steps.get(field)); // any change sends the field as it now is
    steps.delete(field);
    var step = stepping && event.isTrusted; // (a save sent from here is no step)
    stepping = false;
    if (!step) { return; }
    event.stopPropagation();
    keep(field);
    current(field);
    if (!unsaved.has(field)) { show(field, form.dataset.msgSaving, "saving"); }
    steps.set(field, window.setTimeout(function () { settle(field); }, SETTLE));
  }, true);
  function settle(field) {
    if (!steps.has(field)) { return; }
    window.clearTimeout(steps.get(field));
    steps.delete(field);
    htmx.trigger(field, "change", { step: true });
  }
  function settleAll() { Array.from(steps.keys()).forEach(settle); }
  form.addEventListener("focusout", function (event) {
    var field = fieldOf(event.target);
    if (field && !field.contains(event.relatedTarget)) { settle(field); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { outliving(); settleAll(); }
  });
  // The page is going (closed, or left without the question, as a phone does): a request
  // that outlives it, as htmx would send it. The step is kept in the tab meanwhile (keep).
  // Also when the page is only hidden or kept to come back to: a phone may freeze or drop a
  // hidden page before htmx's request is through (the same answer twice is saved once).
  window.addEventListener("pagehide", function (event) {
    outliving();
    if (event.persisted) { settleAll(); return; }
    steps.forEach(function (timer) { window.clearTimeout(timer); });
    steps.clear();
  });
  function outliving() {
    steps.forEach(function (timer, field) {
      var body = new URLSearchParams();
      body.set("csrf_token", form.querySelector("input[name=csrf_token]").value);
      body.set(nameOf(field), valueOf(field));
      window.fetch(field.getAttribute("hx-post"), {
        method: "POST", body: body, keepalive: true, credentials: "same-origin",
        headers: { "HX-Request": "true" }
      });
    });
  }

  // Control characters come with text pasted from some programs, unseen, and the server
  // refuses them: vertical tab, form feed and next line become the line breaks they stand
  // for, and the others (nobody types them, and they show as nothing) are left out.
  function clean(text) {
    return text.replace(/[\u000b\u000c\u0085]/g, "\n").replace(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g, "");
  }
  function tidy(area) {
    var tidied = clean(area.value);
    if (tidied === area.value) { return; }
    var at = clean(area.value.slice(0, area.selectionStart)).length;
    area.value = tidied;
    area.setSelectionRange(at, at);
  }
  // A comment as the server keeps it (app/rounds/forms.py): CRLF as LF, trimmed.
  function stored(text) { return text.replace(/\r\n/g, "\n").trim(); }
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
    if (document.visibilityState === "visible" && waitingForLogin()) { sendAgain(); }
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
  // A field the buttons must not leave behind. A locked one goes with them: the page they lead
  // to says why and shows the comment to copy.
  function blocking() {
    var first = null;
    unsaved.forEach(function (state, field) { if (state !== "locked" && !first) { first = field; } });
    return first;
  }
  // A button saves the whole form and leaves: first let the saves under way finish, and stay
  // if any of them did not save (the field says why), so nothing typed goes with the page.
  var holding = false; // a button press is waiting for the saves under way
  form.addEventListener("submit", function (event) {
    if (submitting) { return; }
    event.preventDefault();
    settleAll(); // a level chosen with the arrow keys just now (Enter submits from it)
    if (holding) { return; }
    holding = true;
    var button = event.submitter;
    var until = Date.now() + TIMEOUT;
    // Checked after this event: a form ignores requestSubmit while its submit event runs.
    window.setTimeout(function check() {
      if (coming() && Date.now() < until) { window.setTimeout(check, 100); return; }
      holding = false;
      var first = blocking();
      if (first || coming()) {
        announce(form.dataset.msgBlocked);
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
      var entry = kept(keyOf(field));
      if (entry === null) { return; }
      if (entry.value === valueOf(field)) { forget(field); return; }
      var was = savedAs(field);
      if (was && stored(was.value) !== stored(entry.base)) {
        // Saved elsewhere since this tab's text was typed: the newer save stays, and the text
        // is offered to copy rather than written over it.
        if (field.tagName === "TEXTAREA") { showToCopy(entry.value); }
        forget(field);
        return;
      }
      setValue(field, entry.value);
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
