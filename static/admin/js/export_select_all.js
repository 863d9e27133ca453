// The export page's "Select all" toggle. django-import-export wires it with an inline
// onchange attribute, which the Content-Security-Policy blocks; this does the same from a file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", onSelectToggleChange);
  });
});
