/* Kōrero: the main navigation is a <details> so phones get a Menu button. On wide screens its
   links are a row that is always shown: keep the <details> open there. Browsers without
   ::details-content (Firefox ESR 128/140, Safari before 18.4) would otherwise hide the links of
   a closed one; without this script they show the Menu button instead (see korero.css). */
(function () {
  "use strict";
  var menu = document.querySelector("details.nav-menu");
  if (!menu || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 46.001rem)");

  function fit() {
    menu.open = wide.matches;
  }

  fit();
  menu.classList.add("nav-menu-scripted");
  if (wide.addEventListener) {
    wide.addEventListener("change", fit);
  } else if (wide.addListener) {
    wide.addListener(fit); /* Safari before 14 */
  }
})();
