// A form marked data-submit-once is sent once: a double click, or a second click while the
// answer is on its way, would send it again (two invitation mails, of which only the second
// link works). The mark goes when the page is shown again from the browser's history, and
// after a while in case the answer never came (the server down), so it can be tried again.
(function () {
  "use strict";
  var AGAIN_AFTER = 10000;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-submit-once")) { return; }
    if (form.dataset.sending) { event.preventDefault(); return; }
    if (event.defaultPrevented) { return; } // stopped by another script: not sent
    form.dataset.sending = "1";
    window.setTimeout(function () { delete form.dataset.sending; }, AGAIN_AFTER);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      delete form.dataset.sending;
    });
  });
})();
