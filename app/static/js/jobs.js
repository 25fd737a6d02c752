/* Kōrero: a job page's progress bar follows the job. Every second it asks /jobs/<id>.json
   (the page's data-job-status-url) and updates the bar, its text, the status and the message;
   when the job ends it reloads the page once to show the result. Without this script the page
   refreshes itself (<noscript> meta refresh). Loaded with the page's CSP nonce: no inline JS. */
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box || box.getAttribute("data-job-finished") === "true" || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-job-status-url");
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-progress-text");
  var status = document.getElementById("job-status");
  var message = document.getElementById("job-message");

  function show(data) {
    var progress = data.progress;
    if (progress.total) {
      bar.max = progress.total;
      bar.value = progress.done;
    } else {
      bar.removeAttribute("value"); /* indeterminate until the total is known */
    }
    bar.textContent = progress.text;
    text.textContent = progress.text;
    if (status.textContent !== data.status_label) {
      status.textContent = data.status_label; /* role=status: announced only on change */
    }
    message.textContent = data.message || "";
  }

  function poll() {
    window.fetch(url, {credentials: "same-origin", cache: "no-store",
                       headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.is_finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000); /* the server is restarting, or the network is down */
      });
  }

  window.setTimeout(poll, 1000);
})();
