// The meeting view: the left and right arrow keys follow the page's own "previous" and
// "next" links (rel=prev / rel=next). Without JavaScript the links do the same. The hint
// that says so shows where a pointer can hover, so on a computer rather than a phone.
var keysHint = document.querySelector(".meeting__keys");
if (keysHint && window.matchMedia("(any-hover: hover)").matches) keysHint.hidden = false;

document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  var target = event.target;
  // In a form (the agreed readings, the header's): its fields take the keys, and its button
  // must not lead away from notes not yet saved.
  if (target && target.closest && target.closest("form, input, textarea, select, [contenteditable]")) return;
  var rel = { ArrowLeft: "prev", ArrowRight: "next" }[event.key];
  if (!rel) return;
  var link = document.querySelector('.meeting__nav a[rel="' + rel + '"]');
  if (link) {
    event.preventDefault();
    window.location.assign(link.href);
  }
});
