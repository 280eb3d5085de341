// Inside a studio's website (an iframe made by /embed.js): tell the parent page our height
// and when a journey moved on, so it can size the frame and scroll to its top.
// Messages carry no personal data: only sizes and the fact that a step happened.
(function () {
  "use strict";
  if (window.parent === window) return;
  document.documentElement.classList.add("in-frame");

  function post(type, extra) {
    var message = { source: "studio-portal", type: type };
    for (var key in extra || {}) message[key] = extra[key];
    window.parent.postMessage(message, "*");
  }

  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post("resize", { height: height });
    }
  }

  if (window.ResizeObserver) {
    new ResizeObserver(reportHeight).observe(document.documentElement);
  }
  window.addEventListener("load", reportHeight);
  reportHeight();
  post("navigated", {});

  // A swapped fragment that is a journey step (not e.g. a day switch) counts as a new step.
  document.addEventListener("htmx:afterSettle", function (event) {
    reportHeight();
    var target = event.detail && event.detail.target;
    if (target && target.closest && (target.closest("[data-journey-step]") || target.querySelector("[data-journey-step]"))) {
      post("step", {});
    }
  });
})();
