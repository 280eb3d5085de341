/*! Studio portal embed: paste once, then add
 *  <div data-studio-portal data-studio="demo" data-page="trial"></div>
 *  data-page: trial | classes | appointments | account | cancel | voucher (or data-path="trial/..." for a deep link);
 *  data-lang: any language the studio enabled: de, en, fr, it, nl, es, pl (defaults to the page's own language).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var portalOrigin = new URL(script.src, window.location.href).origin;
  var PAGES = { home: "", trial: "trial/", classes: "classes/", appointments: "appointments/",
                account: "account/", cancel: "cancel/", voucher: "voucher/" };
  var SAFE_PATH = /^[A-Za-z0-9_\-\/?=&.%]*$/;

  function frameUrl(el) {
    var studio = el.getAttribute("data-studio") || "";
    if (!/^[a-z0-9\-_]+$/i.test(studio)) return null;
    var path = el.getAttribute("data-path");
    if (path == null) path = PAGES[el.getAttribute("data-page") || "home"];
    if (path == null || !SAFE_PATH.test(path) || path.indexOf("..") !== -1 || path.charAt(0) === "/") return null;
    var url = new URL("/s/" + studio + "/" + path, portalOrigin);
    var lang = (el.getAttribute("data-lang") || document.documentElement.lang || "").slice(0, 2).toLowerCase();
    if (lang) url.searchParams.set("lang", lang);
    url.searchParams.set("embed", "1");
    return url.href;
  }

  function mount(el) {
    if (el.getAttribute("data-mounted")) return;
    var src = frameUrl(el);
    if (!src) return;
    el.setAttribute("data-mounted", "1");
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = el.getAttribute("data-title") || "Studio";
    frame.setAttribute("allow", "storage-access");
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.display = "block";
    frame.style.height = "600px";
    el.appendChild(frame);

    var loads = 0;
    window.addEventListener("message", function (event) {
      // Only our portal, and only this frame: other frames and origins are ignored.
      if (event.origin !== portalOrigin || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || data.source !== "studio-portal") return;
      if (data.type === "resize" && typeof data.height === "number" && isFinite(data.height)) {
        frame.style.height = Math.max(150, Math.min(Math.round(data.height), 30000)) + "px";
      } else if (data.type === "navigated" || data.type === "step") {
        // Screen readers announce the frame by its title: the title of the page inside.
        if (typeof data.title === "string" && data.title && !el.getAttribute("data-title")) {
          frame.title = data.title.slice(0, 200);
        }
        if (data.type === "navigated" && loads++ === 0) return; // the first load is not a step
        var top = frame.getBoundingClientRect().top;
        var anchor = typeof data.top === "number" && isFinite(data.top) ? Math.max(0, data.top) : 0;
        if (anchor || top < 0 || top > window.innerHeight) {
          // To the frame's top, or to the part of the page its address points at (#calendar).
          var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
          window.scrollTo({ top: window.pageYOffset + top + anchor, behavior: still ? "auto" : "smooth" });
        }
      }
    });
  }

  function init() {
    var nodes = document.querySelectorAll("[data-studio-portal]");
    for (var i = 0; i < nodes.length; i++) mount(nodes[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
