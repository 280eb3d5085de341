// Progressive enhancement only: every page works without this file (and without htmx).
(function () {
  "use strict";
  var doc = document;

  // htmx does not swap failed responses: say so in plain words. A CSRF failure (page open too long, or
  // no cookies) brings its own sentence: show that one.
  function showRequestError(event) {
    var box = doc.getElementById("request-error");
    if (!box) return;
    var text = doc.body.getAttribute("data-request-error") || "";
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 403 && /data-csrf-failure/.test(xhr.responseText)) {
      var said = new DOMParser().parseFromString(xhr.responseText, "text/html").querySelector("[data-csrf-failure]");
      text = (said && said.textContent.trim()) || text;
      // In a studio's iframe: no cookies is the likely cause, so show the help for that too.
      var help = doc.documentElement.classList.contains("in-frame") && doc.getElementById("frame-cookie-help");
      if (help) help.hidden = false;
    }
    box.textContent = text;
    box.hidden = false;
  }
  doc.addEventListener("htmx:responseError", showRequestError);
  doc.addEventListener("htmx:sendError", showRequestError);
  doc.addEventListener("htmx:beforeRequest", function () {
    var box = doc.getElementById("request-error");
    if (box) box.hidden = true;
  });

  function moveFocus(focus) {
    if (!focus) return;
    if (!focus.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(focus.tagName)) {
      focus.setAttribute("tabindex", "-1");
    }
    focus.focus();
  }

  // After a swap, move focus where the fragment asks for it (e.g. a form's error summary), so keyboard
  // and screen reader users notice the change. An outerHTML swap replaced the target: the event then
  // comes from the new element.
  doc.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target && event.detail.target.isConnected ? event.detail.target : event.target;
    if (!target || !target.querySelector) return;
    moveFocus(target.matches("[data-autofocus]") ? target : target.querySelector("[data-autofocus]"));
  });

  // A whole page that answers a form with its errors (sent without htmx) gets the same. The autofocus
  // attribute cannot do it in a studio's iframe (browsers block it there). Deferred: the page is parsed.
  moveFocus(doc.querySelector("main [data-autofocus][role='alert']"));
})();
