"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Never downloads a browser: Playwright launches /usr/bin/chromium, once per run (``browser``: third-party
cookies allowed, as Chrome does) and, only when a test asks, a second one that blocks them as Safari does
(``strict_browser`` / ``strict_page``). Screenshots go to test-artifacts/ (gitignored; CI keeps the folder).
Tests here are marked ``@pytest.mark.browser``; run only them with ``pytest -m browser``, skip them with
``pytest -m "not browser"``.

``portal`` runs a journey twice: top-level, and inside an iframe made by /embed.js on the studio's website,
a real second origin (``studio_site``, http.server on 127.0.0.1 while the live server is localhost). Helpers
for journeys and checks (axe, frame size, keyboard, page weight) are in tests/browser/support.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from portal.models import Studio
from tests.browser.support import Portal, StudioSite

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# database access from the test body (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _launch(playwright, profile: Path, *, third_party_cookies: bool):
    """Chromium with a profile that allows or blocks third-party cookies (Chrome's setting; Safari blocks them).

    Contexts made from it (``browser.new_context()``) follow the profile's cookie setting. Without it,
    Chromium's fresh contexts block third-party cookies, so an iframe on another site would get none.
    """
    (profile / "Default").mkdir(parents=True, exist_ok=True)
    preferences = {"profile": {"cookie_controls_mode": 0 if third_party_cookies else 1}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )


@pytest.fixture(scope="session")
def _playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright, tmp_path_factory):
    """One Chromium for the whole run. Third-party cookies are allowed, as in Chrome's default settings."""
    persistent = _launch(_playwright, tmp_path_factory.mktemp("chromium"), third_party_cookies=True)
    yield persistent.browser
    persistent.close()


@pytest.fixture(scope="session")
def strict_browser(_playwright, tmp_path_factory):
    """A second Chromium that blocks third-party cookies, as Safari does: a portal iframe gets no cookies."""
    persistent = _launch(_playwright, tmp_path_factory.mktemp("chromium-strict"), third_party_cookies=False)
    yield persistent.browser
    persistent.close()


class PageProblems:
    """What a page did that it must not: console errors, CSP violations, requests to other hosts."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.allowed_origins: list[str] = []  # e.g. the studio's website around an embedded portal
        self.ignored: list[str] = []

    def attach(self, page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        page.on(
            "response",
            lambda response: response.status >= 400 and self.console_errors.append(f"{response.status} {response.url}"),
        )
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((self.origin, "data:", *self.allowed_origins))
                else self.foreign_requests.append(request.url)
            ),
        )

    def ignore(self, *needles: str) -> None:
        """Expected errors do not count, e.g. ``ignore("422")``: a form answered with its errors."""
        self.ignored.extend(needles)

    def assert_none(self) -> None:
        errors = [error for error in self.console_errors if not any(needle in error for needle in self.ignored)]
        assert not errors, errors
        assert not self.foreign_requests, self.foreign_requests


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) per test; ``page.problems`` collects what went wrong."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = PageProblems(live_server.url)
    page.problems.attach(page)
    yield page
    context.close()


@pytest.fixture
def live_demo(transactional_db, live_server):
    """The demo studio, committed so the live server's thread sees it."""
    call_command("load_demo", "--no-admin", verbosity=0)
    return live_server


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str, *, full_page: bool = True) -> Path:
        # caret="initial": hiding the caret leaves empty style attributes on inputs, which htmx then copies
        # while settling a swap (a CSP report that no visitor would ever cause).
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, caret="initial")
        return path

    return save


@pytest.fixture(scope="session")
def studio_site(live_server):
    """The studio's own website on a second origin (127.0.0.1:<port>; the portal runs on localhost)."""
    site = StudioSite(live_server.url)
    yield site
    site.close()


@pytest.fixture
def embedded_site(live_demo, studio_site):
    """The studio's website, listed in the demo studio's allowed embed origins."""
    Studio.objects.filter(slug="demo").update(allowed_embed_origins=studio_site.origin)
    return studio_site


@pytest.fixture(params=["top-level", "in-iframe"])
def portal(request, page, live_demo) -> Portal:
    """Each journey twice: top-level, and inside an iframe on the studio's website (another origin)."""
    site = request.getfixturevalue("embedded_site") if request.param == "in-iframe" else None
    return Portal(page, live_demo.url, site)


@pytest.fixture
def strict_page(strict_browser, live_server):
    """A page in the browser that gives iframes no cookies (Safari; Chrome with third-party cookies blocked)."""
    context = strict_browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = PageProblems(live_server.url)
    page.problems.attach(page)
    yield page
    context.close()
