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

  // Member pages need a cookie. Some browsers (Safari) give frames none: offer a new tab,
  // or the Storage Access API on a click, instead of a sign-in that can never stick.
  function cookiesBlocked() {
    try {
      document.cookie = "portal_frame_test=1; path=/; SameSite=None; Secure";
      var ok = document.cookie.indexOf("portal_frame_test=1") !== -1;
      document.cookie = "portal_frame_test=; path=/; max-age=0; SameSite=None; Secure";
      return !ok;
    } catch (e) {
      return true;
    }
  }
  var help = document.getElementById("frame-cookie-help");
  if (help && document.body.hasAttribute("data-needs-cookies") && cookiesBlocked()) {
    help.hidden = false;
    var allow = document.getElementById("frame-storage-access");
    if (allow && document.requestStorageAccess) {
      allow.hidden = false;
      allow.addEventListener("click", function () {
        document.requestStorageAccess().then(function () { window.location.reload(); }, function () {
          allow.hidden = true;
        });
      });
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
