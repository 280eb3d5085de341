"""Helpers for the browser tests: the studio's own website on a second origin, the portal shown top-level or
inside that website's iframe, and the checks every page and state must pass (axe, size, width, focus)."""

from __future__ import annotations

import gzip
import html
import itertools
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# WCAG 2.1 A and AA (axe's tags for 2.0 and 2.1 success criteria), and axe's landmark and heading rules
# (tagged best practice): the issue asks for semantic landmarks and headings.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STRUCTURE_RULES = [
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-main-is-top-level",
    "landmark-unique",
    "region",
    "page-has-heading-one",
    "heading-order",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


# --- The studio's website ---------------------------------------------------------------------------------
class StudioSite:
    """A studio's own website on another site (``http://127.0.0.1:<port>``; the live server is ``localhost``).

    Real HTTP from a thread, so the portal runs in a cross-site iframe exactly as on a studio's website.
    ``page(...)`` registers a page with one or more embed snippets and returns its address.
    """

    def __init__(self, portal_url: str) -> None:
        self.portal_url = portal_url
        self.pages: dict[str, bytes] = {}
        self._numbers = itertools.count(1)
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Another site, not just another port, so that the portal's cookies are third-party in the frame.
        host = "localhost" if "//127.0.0.1:" in portal_url else "127.0.0.1"
        self.origin = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page(self, *embeds: dict[str, str], lang: str = "de", above_px: int = 0, below_px: int = 0) -> str:
        """A page of the studio's website with the snippet from admin (one ``<div>`` per embed)."""
        divs = "".join(
            "<div data-studio-portal"
            + "".join(f' data-{name}="{html.escape(value)}"' for name, value in {"studio": "demo", **embed}.items())
            + "></div>"
            for embed in embeds
        )
        spacer = '<div class="spacer" style="height:{}px">Studio news</div>'
        body = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>Demo Fitness</title><link rel="icon" href="data:,">'
            "<style>body{margin:0;font-family:sans-serif}header,footer{padding:1rem;background:#eee}</style>"
            f"</head><body><header><h1>Demo Fitness</h1></header>{spacer.format(above_px) if above_px else ''}"
            f'<script src="{self.portal_url}/embed.js" async></script>{divs}'
            f"{spacer.format(below_px) if below_px else ''}<footer>Demo Fitness · Torstraße 101</footer></body></html>"
        )
        path = f"/page-{next(self._numbers)}"
        self.pages[path] = body.encode()
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- Checks ---------------------------------------------------------------------------------------------
def settle(ui) -> None:
    """Wait until no htmx request is in flight, the last swap has settled and no transition is running
    (axe would measure the contrast of a fading indicator)."""
    ui.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
        " && document.readyState === 'complete' && document.getAnimations().length === 0"
    )


def assert_accessible(ui, label: str, *, rules: list[str] | None = None) -> None:
    """axe-core with the WCAG 2.1 A and AA rules and the landmark and heading rules (or only ``rules``) on the
    whole document: zero violations."""
    from axe_playwright_python.sync_playwright import Axe

    settle(ui)
    if rules:
        options = {"runOnly": {"type": "rule", "values": rules}}
    else:
        options = {
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "rules": {r: {"enabled": True} for r in STRUCTURE_RULES},
        }
    results = Axe().run(ui, options={**options, "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"axe found problems on {label}:\n{results.generate_report()}"


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def focused_outline(ui) -> dict:
    """The focused element's tag, text and outline: keyboard focus must always be visible."""
    return ui.evaluate(
        """() => {
        const el = document.activeElement, style = getComputedStyle(el);
        // A date field's calendar button (inside the field) has the focus: Chromium rings it itself.
        const pickerButton = el.type === 'date' && !el.matches(':focus');
        return {tag: el.tagName, text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
                outline: pickerButton ? 'browser' : style.outlineStyle,
                width: pickerButton ? 2 : parseFloat(style.outlineWidth), id: el.id};
    }"""
    )


def tab_to(page, ui, locator, *, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab until ``locator`` has focus (as a keyboard user would); returns the focus style seen there.

    Every stop on the way must show a visible focus outline.
    """
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if ui.evaluate("() => document.hasFocus()"):  # focus is inside the portal (not the studio's page)
            seen = focused_outline(ui)
            assert seen["outline"] != "none" and seen["width"] >= 2, f"no visible focus on {seen}"
        if ui.evaluate("el => el === document.activeElement", target):
            return seen
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


@dataclass
class Transfer:
    """What one page load fetched: every response body size (as served: the test server does not compress)."""

    responses: list = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("requestfinished", lambda request: self.responses.append(request))

    @property
    def total_bytes(self) -> int:
        total = 0
        for request in self.responses:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total

    @property
    def production_bytes(self) -> int:
        """The same load as production sends it: whitenoise serves our static files gzip-compressed (level 9,
        precompressed by collectstatic); Django's HTML goes out as it is (no compression of pages that carry
        a CSRF token: BREACH)."""
        total = 0
        for request in self.responses:
            sizes = request.sizes()
            body = sizes["responseBodySize"]
            if "/static/" in request.url and request.url.endswith((".js", ".css", ".svg")):
                body = min(body, len(gzip.compress(request.response().body(), compresslevel=9)))
            total += body + sizes["responseHeadersSize"]
        return total

    def urls(self) -> list[str]:
        return [request.url for request in self.responses]


def render_blocking(page) -> list[str]:
    """Resources that held up the first render (Chromium's Resource Timing ``renderBlockingStatus``)."""
    return page.evaluate(
        """() => performance.getEntriesByType('resource')
            .filter(e => e.renderBlockingStatus === 'blocking').map(e => new URL(e.name).pathname)"""
    )


def query(**params: str) -> str:
    return "?" + urlencode(params) if params else ""


# --- The portal, top-level or embedded ------------------------------------------------------------------
PAGES = {"home": "", "trial": "trial/", "classes": "classes/", "appointments": "appointments/",
         "account": "account/", "cancel": "cancel/", "voucher": "voucher/"}  # fmt: skip


class Portal:
    """The portal as a visitor meets it: top-level (``embedded`` False) or inside an iframe on the studio's
    website, made by /embed.js. ``ui`` is where the portal's page is (the Page, or the iframe's Frame);
    journeys drive ``ui`` and call ``check`` at every state they reach."""

    def __init__(self, page, base_url: str, site: StudioSite | None = None) -> None:
        self.page = page
        self.base = base_url
        self.site = site
        self.ui = page
        problems = getattr(page, "problems", None)
        if site is not None and problems is not None and site.origin not in problems.allowed_origins:
            problems.allowed_origins.append(site.origin)

    def __repr__(self) -> str:
        return "Portal(in an iframe)" if self.embedded else "Portal(top-level)"

    @property
    def embedded(self) -> bool:
        return self.site is not None

    def url(self, path: str, lang: str = "de") -> str:
        joiner = "&" if "?" in path else "?"
        return f"{self.base}/s/demo/{path}{joiner}lang={lang}"

    def open(self, page_name: str | None = None, *, path: str | None = None, lang: str = "de", **site):
        """Open a portal page the way a visitor gets there: its address, or the studio's page with the snippet."""
        if not self.embedded:
            self.page.goto(self.url(path if path is not None else PAGES[page_name], lang))
            self.ui = self.page
            return self.ui
        embed = {"page": page_name} if path is None else {"path": path}
        self.page.goto(self.site.page({**embed, "lang": lang}, lang=lang, **site))
        self.ui = self.frame()
        return self.ui

    def frame(self, index: int = 0):
        handle = self.page.locator("[data-studio-portal] iframe").nth(index).element_handle()
        frame = handle.content_frame()
        frame.wait_for_load_state()
        return frame

    def go(self, path: str, lang: str = "de"):
        """Follow a link we were given (e.g. the address of a page we were on) inside the same place."""
        self.ui.goto(self.url(path, lang))
        return self.ui

    def check(self, label: str, *, step: bool = False) -> None:
        """Every state of a journey. Top-level: axe finds nothing (WCAG 2.1 A/AA). In the frame: the frame
        shows the page (never blank), is exactly as tall as its content, and after a step its top is in view."""
        settle(self.ui)
        if not self.embedded:
            assert_accessible(self.ui, label)
            return
        assert self.ui.locator("h1").first.is_visible(), f"{label}: the frame shows no page"
        self.assert_frame_fits(label)
        if step:
            self.assert_frame_top_in_view(label)

    def assert_in_view(self, locator, label: str = "") -> None:
        """``locator`` (e.g. an error summary that just got focus) is on screen, in the frame and on the page."""
        box = None
        for _ in range(40):
            box = locator.bounding_box()  # relative to the top page's viewport, also inside a frame
            height = self.page.viewport_size["height"]
            if box and box["y"] >= -1 and box["y"] + min(box["height"], 80) <= height + 1:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{label}: {locator} is out of view at {box}")

    def assert_frame_fits(self, label: str = "", index: int = 0) -> None:
        frame = self.ui if index == 0 else self.frame(index)
        iframe = self.page.locator("[data-studio-portal] iframe").nth(index)
        content = outer = 0
        for _ in range(40):
            content = frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
            outer = iframe.evaluate("el => el.getBoundingClientRect().height")
            inner_scroll = frame.evaluate("document.documentElement.scrollHeight - window.innerHeight")
            if abs(content - outer) <= 1 and inner_scroll <= 1:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{label}: the frame is {outer}px tall for {content}px of content")

    def assert_frame_top_in_view(self, label: str = "") -> None:
        top = 0.0
        iframe = self.page.locator("[data-studio-portal] iframe").first
        for _ in range(40):  # the parent scrolls smoothly
            top = iframe.evaluate("el => el.getBoundingClientRect().top")
            if -1 <= top < self.page.viewport_size["height"] - 100:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{label}: after a step the frame's top is at {top}px, out of view")


def sign_in_by_cookie(context, base_url: str, email: str) -> int:
    """A demo member's session, made the way portal.members.sign_in makes it (for tests about pages, not
    about signing in). Returns the customer id."""
    from importlib import import_module
    from urllib.parse import urlsplit

    from django.conf import settings

    from portal.models import Studio
    from portal.perfectgym import models as m
    from portal.upstream import client_for

    studio = Studio.objects.get(slug="demo")
    customer = client_for(studio).search_customers(m.CustomerSearchRequest(email=email))[0].id
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["member"] = {"studio": studio.pk, "customer": customer}
    session.create()
    host = urlsplit(base_url).hostname
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "domain": host, "path": "/"}
    # As production sets it, so that the portal inside a studio's iframe gets it too.
    context.add_cookies([{**cookie, "secure": True, "sameSite": "None", "httpOnly": True}])
    return customer
