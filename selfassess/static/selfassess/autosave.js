// Saves each answer as soon as it changes, so that closing the tab loses nothing. The form
// still works without JavaScript: the Save button posts every answer of the page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = form.querySelector("[data-autosave-status]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};

  function say(text, isError) {
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("visually-hidden", !text);
    status.classList.toggle("text-danger", !!isError);
    status.classList.add("small", "mb-2");
  }

  function updateProgress(data) {
    var bar = document.querySelector("[data-progress-bar]");
    var box = document.querySelector("[data-progress]");
    var text = document.querySelector("[data-progress-text]");
    if (bar) { bar.style.width = data.progress + "%"; bar.textContent = data.progress + "%"; }
    if (box) { box.setAttribute("aria-valuenow", data.progress); }
    if (text) {
      text.textContent = data.answered + "/" + data.total + " " + form.getAttribute("data-msg-progress");
    }
  }

  function save(fieldset) {
    var id = fieldset.getAttribute("data-criterion");
    var checked = fieldset.querySelector("input[data-answer]:checked");
    var note = fieldset.querySelector("textarea[data-note]");
    var body = new FormData();
    body.append("criterion", id);
    body.append("value", checked ? checked.value : "");
    if (note) { body.append("note", note.value); }
    say(form.getAttribute("data-msg-saving"));
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok || !result.data.ok) {
        say((result.data && result.data.error) || form.getAttribute("data-msg-error"), true);
        return;
      }
      fieldset.setAttribute("data-saved", "1");
      updateProgress(result.data);
      say(form.getAttribute("data-msg-saved") + " " + result.data.saved_at);
      if (result.data.screening_failed !== (document.querySelector("[data-screening-alert]") !== null)) {
        // Screening verdict changed: reload so that the explanation (or the form) shows.
        window.location.reload();
      }
    }).catch(function () {
      say(form.getAttribute("data-msg-error"), true);
    });
  }

  form.querySelectorAll("fieldset[data-criterion]").forEach(function (fieldset) {
    var id = fieldset.getAttribute("data-criterion");
    fieldset.querySelectorAll("input[data-answer]").forEach(function (input) {
      input.addEventListener("change", function () { save(fieldset); });
    });
    var note = fieldset.querySelector("textarea[data-note]");
    if (note) {
      note.addEventListener("input", function () {
        clearTimeout(timers[id]);
        timers[id] = setTimeout(function () { save(fieldset); }, 800);
      });
      note.addEventListener("blur", function () {
        if (timers[id]) { clearTimeout(timers[id]); timers[id] = null; save(fieldset); }
      });
    }
  });
  // Lets tests and assistive scripts know that answers now save on change.
  form.setAttribute("data-autosave-ready", "1");
})();
