// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // The language switcher submits on change; its button stays for keyboard and no-JS use.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    var button = form && form.querySelector("[data-autosubmit-button]");
    if (button) { button.classList.add("visually-hidden"); }
    select.addEventListener("change", function () { form.submit(); });
  });
})();
