// Progressive enhancement only: every page works without this file (and without htmx).
(function () {
  "use strict";

  function requestErrorBox() {
    return document.getElementById("request-error");
  }

  // htmx does not swap failed responses: say so in plain words instead of doing nothing.
  function showRequestError() {
    var box = requestErrorBox();
    if (!box) return;
    box.textContent = document.body.getAttribute("data-request-error") || "";
    box.hidden = false;
  }

  function hideRequestError() {
    var box = requestErrorBox();
    if (box) box.hidden = true;
  }

  document.addEventListener("htmx:responseError", showRequestError);
  document.addEventListener("htmx:sendError", showRequestError);
  document.addEventListener("htmx:beforeRequest", hideRequestError);

  // After a swap, move focus where the fragment asks for it (e.g. a form's error summary),
  // so keyboard and screen reader users notice the change.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.querySelector) return;
    var focus = target.matches("[data-autofocus]") ? target : target.querySelector("[data-autofocus]");
    if (focus) {
      if (!focus.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(focus.tagName)) {
        focus.setAttribute("tabindex", "-1");
      }
      focus.focus();
    }
  });
})();
