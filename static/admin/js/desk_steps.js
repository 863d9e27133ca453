// The desk's steps do not save the article's form: before taking one with unsaved changes, ask.
(function () {
  "use strict";
  const form = document.getElementById("article_form");
  if (!form) { return; }
  let changed = false;
  form.addEventListener("input", () => { changed = true; });
  form.addEventListener("change", () => { changed = true; });
  document.querySelectorAll(".desk-step form").forEach((step) => {
    step.addEventListener("submit", (event) => {
      const message = "You have changes on this page that are not saved. Take this step without them? " +
        "(Cancel, then save the article first to keep them.)";
      if (changed && !window.confirm(message)) { event.preventDefault(); }
    });
  });
})();
