// Tells the server every minute that this change page is still open, and shows who else has it open.
(function () {
  "use strict";
  const notice = document.querySelector(".presence[data-heartbeat-url]");
  if (!notice) { return; }
  const names = notice.querySelector(".presence__names");
  function beat() {
    fetch(notice.dataset.heartbeatUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) { return; }
        names.textContent = data.others.join(", ");
        notice.hidden = data.others.length === 0;
      })
      .catch(() => {});
  }
  window.setInterval(beat, 60000);
})();
