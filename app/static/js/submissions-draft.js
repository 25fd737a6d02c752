// The submission page with JavaScript: conditional questions appear and disappear as answers
// change, and the draft saves itself every few seconds and when the page is left, saying when
// it last saved. Without JavaScript the page works the same through its buttons.
(function () {
  "use strict";
  var form = document.getElementById("submission-form");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var versionInput = form.querySelector("input[name=base_version]");
  var AUTOSAVE_MS = 5000;
  var dirty = false, saving = false, stopped = false;

  function answersFor(key) {
    var fields = form.querySelectorAll("[name='answer-" + key + "']");
    var values = [];
    Array.prototype.forEach.call(fields, function (field) {
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      if (field.value) { values.push(field.value); }
    });
    return values;
  }

  function applyConditions() {
    var questions = form.querySelectorAll("[data-show-if-key]");
    Array.prototype.forEach.call(questions, function (question) {
      var wanted = question.getAttribute("data-show-if-value");
      var shown = answersFor(question.getAttribute("data-show-if-key")).indexOf(wanted) !== -1;
      question.hidden = !shown;
    });
  }

  function say(text) { if (status) { status.textContent = text; } }

  function payload() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  function save() {
    if (!url || !dirty || saving || stopped) { return; }
    saving = true;
    dirty = false;
    fetch(url, { method: "POST", body: payload(), credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        if (result.ok) {
          if (versionInput) { versionInput.value = result.body.version; }
          say("Draft saved at " + result.body.saved_at + ".");
        } else {
          stopped = result.body && /someone/i.test(result.body.error || "");
          say(result.body.error || "Your draft could not be saved: use “Save draft”.");
        }
      })
      .catch(function () {
        dirty = true;
        say("Your draft could not be saved just now; we will try again.");
      })
      .then(function () { saving = false; });
  }

  form.addEventListener("input", function () { dirty = true; applyConditions(); });
  form.addEventListener("change", function () { dirty = true; applyConditions(); });
  form.addEventListener("submit", function () { stopped = true; });
  window.setInterval(save, AUTOSAVE_MS);
  // Leaving the page: send what is unsaved without waiting for an answer.
  window.addEventListener("pagehide", function () {
    if (url && dirty && !stopped && navigator.sendBeacon) {
      navigator.sendBeacon(url, payload());
      dirty = false;
    }
  });
  applyConditions();
}());
