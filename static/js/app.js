// The admin UI's own behaviour; everything else is htmx. No inline script anywhere (CSP).
(function () {
  "use strict";

  // The one-time credential dialog: opened when it arrives, removed from the DOM once closed so
  // that no later history snapshot or page state can contain the secret.
  function openDialogs(root) {
    root.querySelectorAll("dialog[data-autoshow]").forEach(function (dialog) {
      dialog.removeAttribute("data-autoshow");
      dialog.addEventListener("close", function () { dialog.remove(); });
      if (!dialog.open) dialog.showModal();
    });
  }

  function copyFrom(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    var value = "value" in source ? source.value : source.textContent.trim();
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      button.classList.add("is-done");
      setTimeout(function () { button.textContent = label; button.classList.remove("is-done"); }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () { legacyCopy(source, done); });
    } else {
      legacyCopy(source, done);
    }
  }

  function legacyCopy(source, done) {
    if (source.select) {
      source.select();
    } else {
      window.getSelection().selectAllChildren(source);
    }
    if (document.execCommand("copy")) done();
  }

  // hx-confirm asks in the app's own <dialog> (base.html) instead of the browser's confirm().
  // The button may name the dialog's title (data-confirm-title), its confirming button
  // (data-confirm-label) and mark the action as destructive (data-confirm-danger).
  function askToConfirm(event) {
    var dialog = document.getElementById("confirm-dialog");
    var question = event.detail.question;
    if (!question || !dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    var source = event.detail.elt;
    var accept = document.getElementById("confirm-accept");
    document.getElementById("confirm-title").textContent =
      source.getAttribute("data-confirm-title") || "Are you sure?";
    document.getElementById("confirm-message").textContent = question;
    accept.textContent = source.getAttribute("data-confirm-label") || "Continue";
    accept.classList.toggle("button--danger-solid", source.hasAttribute("data-confirm-danger"));
    accept.classList.toggle("button--primary", !source.hasAttribute("data-confirm-danger"));
    dialog.returnValue = "";
    dialog.addEventListener("close", function answered() {
      if (dialog.returnValue === "confirm") event.detail.issueRequest(true);
    }, { once: true });
    dialog.showModal();
  }

  function removeRow(button) {
    var row = button.closest("tr");
    var next = row.nextElementSibling || row.previousElementSibling;
    var rows = row.parentNode;
    row.remove();
    rows.dispatchEvent(new Event("rows-changed"));  // validate-as-you-type checks the rest again
    var focusTarget = next ? next.querySelector("[data-remove-row]") : null;
    (focusTarget || document.querySelector("[hx-target='#block-rows']") || document.body).focus();
  }

  function showError(message) {
    var flashes = document.getElementById("flashes");
    if (!flashes) return;
    var flash = document.createElement("div");
    flash.className = "flash flash--error";
    flash.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "flash__close";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss message");
    close.textContent = "×";
    flash.append(text, close);
    flashes.replaceChildren(flash);
  }

  // Error pages are full documents: take their message rather than swapping them in.
  function errorMessage(xhr) {
    try {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var node = page.querySelector("[data-error-message]");
      if (node && node.textContent.trim()) return node.textContent.trim();
    } catch (ignored) { /* fall through to the generic message */ }
    return "The request failed (" + xhr.status + "). Reload the page and try again.";
  }

  // A polled region (hx-trigger="every ...") holds still while its Pause button is pressed;
  // a request the user asks for (a filter, say) still goes through.
  function togglePause(button) {
    var paused = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    button.textContent = paused ? "Resume" : "Pause";
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    var pause = source.id && document.querySelector("[data-pause-polling='" + source.id + "']");
    if (pause && pause.getAttribute("aria-pressed") === "true") event.preventDefault();
  });

  function closeDetail(button) {
    var detail = button.closest("#journal-detail");
    if (detail) detail.replaceChildren();
    var opener = document.querySelector("[data-journal-entry]");
    if (opener) opener.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest(
      "[data-copy], [data-remove-row], [data-dismiss], [data-pause-polling], [data-close-detail]");
    if (!target) return;
    if (target.hasAttribute("data-copy")) copyFrom(target);
    else if (target.hasAttribute("data-remove-row")) removeRow(target);
    else if (target.hasAttribute("data-dismiss")) target.closest(".flash").remove();
    else if (target.hasAttribute("data-pause-polling")) togglePause(target);
    else if (target.hasAttribute("data-close-detail")) closeDetail(target);
  });

  // The picker marks the organization whose panel is shown. Done after the swap, so that the
  // history snapshot htmx takes just before it still shows the previous selection.
  function markSelectedOrganization() {
    var panel = document.getElementById("org-panel");
    var selected = panel ? panel.getAttribute("data-org-id") : null;
    document.querySelectorAll("[data-org-link]").forEach(function (link) {
      if (selected && link.getAttribute("href").endsWith("org=" + selected)) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
  }

  document.addEventListener("htmx:confirm", askToConfirm);
  document.addEventListener("DOMContentLoaded", function () { openDialogs(document); });
  document.addEventListener("htmx:load", function (event) { openDialogs(event.detail.elt.parentNode || document); });

  document.addEventListener("htmx:afterSwap", function (event) {
    markSelectedOrganization();
    // After a form comes back with errors, put the keyboard on the first one.
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      var invalid = document.querySelector("[aria-invalid='true']");
      if (invalid) invalid.focus();
    }
  });

  // Validate-as-you-type (the tbody's hx-post, data-patch-slots): the server ran the validator
  // and answers with every row's error slot. Each slot still on the page is replaced and its
  // input's aria-invalid follows; the inputs themselves are never touched, so nothing typed
  // meanwhile is lost, and a row removed meanwhile is simply skipped.
  function patchSlots(html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    answer.querySelectorAll(".error-slot[id]").forEach(function (fresh) {
      var slot = document.getElementById(fresh.id);
      if (!slot) return;
      var copy = document.importNode(fresh, true);
      slot.replaceWith(copy);
      var input = document.getElementById(copy.getAttribute("data-for") || "");
      if (!input) return;
      if (copy.querySelector("li")) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.elt;
    if (source && source.hasAttribute("data-patch-slots") && event.detail.successful) {
      patchSlots(event.detail.xhr.responseText);
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    showError(errorMessage(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function () {
    showError("The server could not be reached. Check that it is running, then try again.");
  });
})();
