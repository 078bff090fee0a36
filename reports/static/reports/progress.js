// Autosave of the task-progress forms: each form is posted in the background a moment
// after the user stops typing. Without JavaScript the Save buttons do the same. The
// messages come translated from the page (data-* attributes of the status element).
(function () {
  "use strict";
  var DELAY = 1200;
  var forms = document.querySelectorAll("form[data-autosave-url]");
  Array.prototype.forEach.call(forms, function (form) {
    var timer = null;
    var status = form.querySelector("[data-autosave-status]");

    function say(key, extra) {
      if (status) { status.textContent = (status.dataset[key] || "") + (extra || ""); }
    }

    function save() {
      var data = new FormData(form);
      var file = form.querySelector("input[type=file]");
      if (file) { data.delete(file.name); }
      say("saving");
      fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) { say("saved", result.body.saved_at); } else { say("failed", result.body.error); }
      }).catch(function () { say("failed"); });
    }

    form.addEventListener("input", function (event) {
      if (!event.target.matches("[data-autosave]")) { return; }
      clearTimeout(timer);
      timer = setTimeout(save, DELAY);
    });
  });
})();
