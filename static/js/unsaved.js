// Forms marked data-unsaved-warning (the meeting's agreed readings, KS's feedback): leaving
// the page after changing one of their fields without pressing its buttons asks first, as
// the questionnaire does, so notes typed in a meeting or feedback typed for a municipality
// are not lost to a tap on «Forrige», a breadcrumb or a closed tab. The browser words the
// question. data-unsaved-warning="typed" marks a form given back with text not yet saved
// (after a refusal): it asks from the start.
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved-warning]"));
  if (!forms.length) { return; }
  var leaving = false;

  // The index of the option the page came with (the first when none is marked selected).
  function defaultIndex(select) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].defaultSelected) { return i; }
    }
    return 0;
  }
  function changed(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") { return false; }
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") { return !field.multiple && field.selectedIndex !== defaultIndex(field); }
    return typeof field.defaultValue === "string" && field.value !== field.defaultValue;
  }
  function unsaved(form) {
    return form.dataset.unsavedWarning === "typed" ||
      Array.prototype.some.call(form.elements, changed);
  }

  forms.forEach(function (form) {
    form.addEventListener("submit", function () { leaving = true; });
  });
  // Back on this page after a submit (the browser may keep it as it was), it asks again.
  window.addEventListener("pageshow", function () { leaving = false; });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !forms.some(unsaved)) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
})();
