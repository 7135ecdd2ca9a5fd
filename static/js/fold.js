// The header's account and language (templates/base.html) fold away on a phone, where they
// took nearly half of the first screen on every page. Run where the element stands, before
// the page below it is drawn, so nothing jumps. Without script they simply stay open.
(function () {
  "use strict";
  var scripts = document.getElementsByTagName("script");
  var here = scripts[scripts.length - 1].previousElementSibling;
  if (here && here.hasAttribute("data-fold-narrow") && window.matchMedia("(max-width: 30rem)").matches) {
    here.open = false;
  }
})();
