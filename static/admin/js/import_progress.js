// A background import's page: moves the progress bar until the work is done, then shows the result.
(function () {
  "use strict";
  const bar = document.getElementById("job-progress");
  if (!bar) return;
  const count = document.getElementById("job-count");
  const state = document.getElementById("job-state");
  const format = new Intl.NumberFormat();
  async function poll() {
    try {
      const response = await fetch(bar.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (job.state !== "previewing" && job.state !== "importing") {
          window.location.reload();
          return;
        }
        bar.value = job.done;
        count.textContent = format.format(job.done) + " of " + format.format(job.rows);
        state.textContent = job.label;
      }
    } catch (error) {
      // A network hiccup: try again on the next tick.
    }
    window.setTimeout(poll, 1000);
  }
  window.setTimeout(poll, 1000);
})();
