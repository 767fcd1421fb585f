// Small progressive enhancements for every page; without JavaScript everything still works.
// - form[data-confirm]: ask before an action that cannot be undone (the text says what happens).
// - button[data-copy]: copy the value of the named input (a link shown once) to the clipboard.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.getAttribute) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });

  function copied(button, text) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = text;
    setTimeout(function () { button.textContent = label; }, 2000);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      input.focus();
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { copied(button, "Copied"); },
          function () { copied(button, "Press Ctrl+C"); }
        );
      } else {
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
        copied(button, ok ? "Copied" : "Press Ctrl+C");
      }
    });
  });
})();
