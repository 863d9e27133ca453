// "Cite this": a Copy button for each citation. Without script the buttons stay hidden and the
// text is still there to select; with it, a button copies its text and says so where a screen
// reader hears it.
(function () {
  "use strict";

  function fallbackCopy(text) {
    // Browsers without the asynchronous clipboard (or pages not served over HTTPS).
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-scratch";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(area);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) {
      return;
    }
    var timer = null;
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(source.textContent).then(
        function () {
          status.textContent = "Copied";
        },
        function () {
          selectText(source);
          status.textContent = "Selected: press Ctrl+C (⌘C) to copy";
        }
      ).then(function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          status.textContent = "";
        }, 4000);
      });
    });
  });
})();
