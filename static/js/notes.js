// Notes in place: a note's source, or a claim's status and evidence, opens beside its sign in the
// text, copied from the notes list or the claims section already on the page (no request). Without
// this script, or in a browser without popovers, a note number is a link to the note and a claim's
// sign a link to the claim's page, as before.
(function () {
  "use strict";

  var body = document.querySelector(".article-body");
  if (!body || typeof HTMLElement.prototype.showPopover !== "function") {
    return;
  }
  var TRIGGERS = '.note-ref a[href^="#note-"], a.claim-ref';
  var GAP = 6; // pixels between a sign and its popover
  var MARGIN = 8; // pixels kept free at the window's edges

  var popover = document.createElement("div");
  popover.id = "note-popover";
  popover.className = "note-popover";
  popover.setAttribute("popover", "manual");
  popover.setAttribute("role", "dialog");
  popover.setAttribute("aria-labelledby", "note-popover-title");
  popover.tabIndex = -1;
  var title = document.createElement("p");
  title.id = "note-popover-title";
  title.className = "note-popover__title";
  var close = document.createElement("button");
  close.type = "button";
  close.className = "note-popover__close";
  close.setAttribute("aria-label", "Close");
  close.textContent = "\u00d7";
  var content = document.createElement("div");
  content.className = "note-popover__content";
  popover.append(close, title, content);

  var current = null; // the sign whose popover is open
  var pinned = false; // opened by a click, a tap or a key: it stays until dismissed
  var refocusing = false; // focus is going back to the sign: that must not open it again
  var hoverTimer = 0;

  function isClaim(trigger) {
    return trigger.classList.contains("claim-ref");
  }

  function entryFor(trigger) {
    var id = isClaim(trigger) ? "claim-" + trigger.dataset.claim : trigger.hash.slice(1);
    return document.getElementById(id);
  }

  function fill(trigger, entry) {
    var copy = entry.cloneNode(true);
    copy.querySelectorAll("[id]").forEach(function (element) {
      element.removeAttribute("id");
    });
    copy.querySelectorAll(".note-back").forEach(function (element) {
      element.remove();
    });
    content.replaceChildren.apply(content, Array.from(copy.childNodes));
    if (isClaim(trigger)) {
      title.textContent = "Claim";
    } else {
      title.textContent = trigger.getAttribute("aria-label") || "Note";
      var more = document.createElement("p");
      more.className = "note-popover__more";
      var link = document.createElement("a");
      link.href = trigger.hash;
      link.textContent = "In the list of notes";
      link.addEventListener("click", function () {
        shut(false);
      });
      more.append(link);
      content.append(more);
    }
  }

  function place(trigger) {
    var sign = trigger.getBoundingClientRect();
    var page = document.documentElement;
    var width = popover.offsetWidth;
    var height = popover.offsetHeight;
    var left = Math.min(sign.left - 24, page.clientWidth - width - MARGIN);
    var top = sign.bottom + GAP;
    if (top + height > window.innerHeight && sign.top - GAP - height > 0) {
      top = sign.top - GAP - height;
    }
    popover.style.left = Math.max(MARGIN, left) + window.scrollX + "px";
    popover.style.top = top + window.scrollY + "px";
  }

  // `how`: "focus" opens a glimpse that Tab passes by; "hover" one the pointer can go into;
  // "pin", by a click, a tap or a key, one that takes focus and stays until dismissed.
  function open(trigger, how) {
    var entry = entryFor(trigger);
    if (!entry) {
      return false;
    }
    window.clearTimeout(hoverTimer);
    if (current !== trigger) {
      shut(false);
      fill(trigger, entry);
      // Right after the sign in the document, so Tab goes from the sign into the popover.
      (trigger.closest(".note-ref") || trigger).after(popover);
      popover.showPopover();
      place(trigger);
      current = trigger;
      trigger.setAttribute("aria-expanded", "true");
    }
    popover.inert = how === "focus" && !pinned;
    if (how === "pin") {
      pinned = true;
      popover.focus();
    }
    return true;
  }

  function shut(giveFocusBack) {
    if (!current) {
      return;
    }
    var trigger = current;
    current = null;
    pinned = false;
    trigger.setAttribute("aria-expanded", "false");
    if (popover.matches(":popover-open")) {
      popover.hidePopover();
    }
    if (giveFocusBack) {
      refocusing = true;
      trigger.focus();
      refocusing = false;
    }
  }

  function shutSoon() {
    window.clearTimeout(hoverTimer);
    hoverTimer = window.setTimeout(function () {
      if (current && !pinned && !popover.matches(":hover") && document.activeElement !== current) {
        shut(false);
      }
    }, 300);
  }

  body.querySelectorAll(TRIGGERS).forEach(function (trigger) {
    trigger.setAttribute("aria-controls", popover.id);
    trigger.setAttribute("aria-expanded", "false");
    trigger.setAttribute("aria-haspopup", "dialog");
    trigger.addEventListener("click", function (event) {
      if (current === trigger && pinned) {
        event.preventDefault();
        shut(true);
      } else if (open(trigger, "pin")) {
        event.preventDefault();
      }
    });
    trigger.addEventListener("focus", function () {
      if (!refocusing && current !== trigger) {
        open(trigger, "focus");
      }
    });
    trigger.addEventListener("pointerenter", function (event) {
      if (event.pointerType === "mouse" && current !== trigger && !pinned) {
        window.clearTimeout(hoverTimer);
        hoverTimer = window.setTimeout(function () {
          open(trigger, "hover");
        }, 150);
      }
    });
    trigger.addEventListener("pointerleave", function (event) {
      if (event.pointerType === "mouse") {
        shutSoon();
      }
    });
  });

  popover.addEventListener("pointerenter", function () {
    window.clearTimeout(hoverTimer);
  });
  popover.addEventListener("pointerleave", function (event) {
    if (event.pointerType === "mouse") {
      shutSoon();
    }
  });
  close.addEventListener("click", function () {
    shut(true);
  });

  // The marked words of a claim open it too, for pointers; keyboards and screen readers use its sign.
  document.documentElement.classList.add("claims-in-place");
  body.addEventListener("click", function (event) {
    var mark = event.target.closest(".claim-mark");
    if (mark && !event.target.closest("a")) {
      var sign = document.getElementById("claim-ref-" + mark.dataset.claim);
      if (sign) {
        open(sign, "pin");
      }
    }
  });
  ["pointerover", "pointerout"].forEach(function (type) {
    body.addEventListener(type, function (event) {
      var mark = event.target.closest(".claim-mark, a.claim-ref");
      if (mark) {
        var selector = '.claim-mark[data-claim="' + mark.dataset.claim + '"]';
        body.querySelectorAll(selector).forEach(function (piece) {
          piece.classList.toggle("claim-mark--active", type === "pointerover");
        });
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && current) {
      var inside = popover.contains(document.activeElement) || document.activeElement === current;
      shut(inside);
    }
  });
  document.addEventListener("pointerdown", function (event) {
    if (current && !popover.contains(event.target) && !current.contains(event.target)) {
      shut(false);
    }
  });
  document.addEventListener("focusin", function (event) {
    if (current && !popover.contains(event.target) && event.target !== current) {
      shut(false);
    }
  });
  window.addEventListener("resize", function () {
    if (current) {
      place(current);
    }
  });
})();
