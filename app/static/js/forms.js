/* Kōrero: the error summary (GOV.UK and NZ Government design system pattern).

   After a failed submit the page comes back with a summary of every error at the top of the
   main content. Focus moves to it, so a screen reader announces the problems and a keyboard
   user starts from the list of links. Following a link focuses its field and scrolls its
   label (or a group's legend) into view too, which a plain #fragment jump would hide above
   the top of the window. Served as a file (strict CSP: no inline script); without it the
   summary and its links still work, only focus stays at the top of the page. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  if (!window.location.hash) {  /* a link into the page keeps its own target */
    summary.focus();
  }

  function labelFor(input) {
    var group = input.closest("fieldset");
    if (group) {
      var legend = group.querySelector("legend");
      if (legend) {
        return legend;
      }
    }
    return input.id ? document.querySelector("label[for='" + input.id + "']") : null;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    var label = labelFor(input);
    (label || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
