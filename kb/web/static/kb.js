/* kb: small progressive enhancements. Every page works without this file (strict CSP: it is
   loaded from 'self', no inline script). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    // Sorting applies as soon as the order is chosen; without JavaScript the form's button does it.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  });
})();
