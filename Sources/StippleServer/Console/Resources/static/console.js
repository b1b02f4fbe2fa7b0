// The Today page's live updates: the schedule fragment is fetched again when the server's event
// stream says the log moved. EventSource reconnects by itself and resumes with Last-Event-ID.
(function () {
  "use strict";
  var schedule = document.getElementById("schedule");
  var status = document.getElementById("live-status");
  if (!schedule || !schedule.dataset.live || !window.EventSource) { return; }
  var pending = [];
  function say(text) { if (status) { status.textContent = text; } }
  function refresh() {
    fetch(schedule.dataset.fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.text();
      })
      .then(function (html) { schedule.innerHTML = html; say("live · updated " + new Date().toLocaleTimeString()); })
      .catch(function () { say("could not update; retrying with the next change"); });
  }
  function changed() {
    // The read models follow the log a moment behind the event: look now and once more shortly after.
    pending.forEach(clearTimeout);
    pending = [setTimeout(refresh, 300), setTimeout(refresh, 1500)];
  }
  var source = new EventSource(schedule.dataset.live);
  source.addEventListener("change", changed);
  source.onopen = function () { say("live"); };
  source.onerror = function () { say("reconnecting…"); };
})();
