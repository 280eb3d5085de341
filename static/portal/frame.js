// In a studio's website (an iframe made by /embed.js): tell the parent our height, title and steps, so it
// sizes and names the frame and scrolls to it. No personal data is sent.
(function () {
  "use strict";
  if (window.parent === window) return;
  var doc = document, loc = window.location, html = doc.documentElement;
  html.classList.add("in-frame");

  // Only to the page that framed us (which frame-ancestors allowed).
  var parent = loc.ancestorOrigins && loc.ancestorOrigins[0];
  function post(type, extra) {
    var message = { source: "studio-portal", type: type };
    for (var key in extra) message[key] = extra[key];
    window.parent.postMessage(message, parent && parent !== "null" ? parent : "*");
  }

  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(html.getBoundingClientRect().height);
    if (height !== lastHeight) post("resize", { height: (lastHeight = height) });
  }

  // Member pages need a cookie, which Safari never gives a frame: offer a new tab or the Storage Access
  // API, not a sign-in that can never stick.
  function cookiesBlocked() {
    try {
      var flags = "; path=/; SameSite=None; Secure";
      doc.cookie = "portal_frame_test=1" + flags;
      var ok = doc.cookie.indexOf("portal_frame_test=1") !== -1;
      doc.cookie = "portal_frame_test=; max-age=0" + flags;
      return !ok;
    } catch (e) {
      return true;
    }
  }
  var help = doc.getElementById("frame-cookie-help");
  var allow = doc.getElementById("frame-storage-access");
  function ask() {
    return doc.requestStorageAccess().then(function () {
      // Load again to send the cookies: once, marked in the address (storage may be blocked too).
      var url = new URL(loc.href);
      if (cookiesBlocked() || url.searchParams.has("storage_access")) return (allow.hidden = true);
      url.searchParams.set("storage_access", "1");
      loc.replace(url.href);
    });
  }
  if (help && doc.body.hasAttribute("data-needs-cookies") && cookiesBlocked()) {
    help.hidden = false;
    if (allow && doc.requestStorageAccess) {
      allow.hidden = false;
      allow.addEventListener("click", function () {
        ask().catch(function () {
          allow.hidden = true;
        });
      });
      // Allowed on an earlier visit: use it without another click.
      if (navigator.permissions) {
        navigator.permissions.query({ name: "storage-access" }).then(function (status) {
          if (status.state === "granted") return ask();
        }).catch(function () {});
      }
    }
  }
  // Without cookies the language cookie is gone too: our links, forms, requests and redirects carry it.
  var lang = html.lang;
  function withLanguage(raw) {
    try {
      var url = new URL(raw, loc.href);
    } catch (e) {
      return;
    }
    if (!raw || raw.charAt(0) === "#" || url.origin !== loc.origin || url.pathname.indexOf("/s/")) return;
    if (url.searchParams.has("lang")) return;
    url.searchParams.set("lang", lang);
    return url.pathname + url.search + url.hash;
  }
  function keepLanguage(root) {
    var links = root.querySelectorAll("a[href], form[method=post]");
    for (var i = 0; i < links.length; i++) {
      var attr = links[i].tagName === "A" ? "href" : "action";
      var kept = withLanguage(links[i].getAttribute(attr));
      if (kept) links[i].setAttribute(attr, kept);
    }
  }
  doc.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["Accept-Language"] = lang;
  });
  doc.addEventListener("htmx:beforeOnLoad", function (event) {
    var kept = withLanguage(event.detail.xhr.getResponseHeader("HX-Redirect"));
    if (kept) {
      event.preventDefault(); // instead of htmx, which drops the language
      loc.href = kept;
    }
  });

  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(html);
  window.addEventListener("load", reportHeight);
  reportHeight();
  // Opened at an anchor (#calendar): show that part, not the top.
  var anchor = loc.hash && doc.getElementById(loc.hash.slice(1));
  post("navigated", { title: doc.title, top: anchor ? anchor.getBoundingClientRect().top + window.scrollY : 0 });
  keepLanguage(doc);

  // A swapped fragment that is a journey step (not e.g. a day switch) counts as a new step.
  doc.addEventListener("htmx:afterSettle", function (event) {
    reportHeight();
    // An outerHTML swap replaced the target: the event comes from the new element.
    var target = event.detail.target && event.detail.target.isConnected ? event.detail.target : event.target;
    keepLanguage(target.isConnected ? target : doc);
    if (target.closest("[data-journey-step]") || target.querySelector("[data-journey-step]")) post("step", {});
  });
})();
