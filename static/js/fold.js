// The header's account and language (templates/base.html) fold away on a phone, where they
// took nearly half of the first screen on every page. Run where the element stands, before
// the page below it is drawn, so nothing jumps. Without script they simply stay open.
(function () {
  "use strict";
  var scripts = document.getElementsByTagName("script");
  var here = scripts[scripts.length - 1].previousElementSibling;
  if (!here || !here.hasAttribute("data-fold-narrow")) { return; }
  var narrow = window.matchMedia("(max-width: 30rem)");
  if (narrow.matches) { here.open = false; }
  // Wider now (the phone turned on its side, a zoom undone): the button is not shown there,
  // so what it folded away stands open again, or logging out and the language would be gone.
  narrow.addEventListener("change", function (event) {
    if (!event.matches) { here.open = true; }
  });
})();
