"""Fixtures for the trial offer journey: a visitor without cookies, the sandbox's clock, scripted answers.

The demo's trial offers (sandbox/demo/trialoffers.py): "Hatha Yoga", "Indoor Cycling" and the
"Probetraining" appointment need a confirmation (config "Kostenloses Probetraining", 24 hours, gender,
birth date and phone optional, no address); "Zumba", "Pilates Mat", "Vinyasa Flow", "HIIT Express" and
the "Körperanalyse (InBody)" appointment do not (birth date and phone mandatory, address optional).
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from html import unescape
from unittest import mock

import pytest
from django.test import Client
from django.utils import translation

from portal.perfectgym import errors
from sandbox.faults import FaultPlan
from tests.sandbox import at, frozen

ORIGIN = "http://testserver"


class CookielessVisitor(Client):
    """A browser that keeps no cookies (Safari in a third-party iframe) and sends its Origin on POSTs.

    CSRF checks are enforced, as in production: the journey must pass them without a cookie.
    ``set_cookies`` lists every cookie a response tried to set.
    """

    def __init__(self) -> None:
        super().__init__(enforce_csrf_checks=True)
        self.set_cookies: list[str] = []

    def request(self, **request):
        response = super().request(**request)
        self.set_cookies.extend(response.cookies.keys())
        self.cookies.clear()
        return response

    def post(self, path, data=None, *, origin: str | None = ORIGIN, htmx: bool = False, **extra):
        headers = dict(extra.pop("headers", None) or {})
        if origin:
            headers["Origin"] = origin
        if htmx:
            headers["HX-Request"] = "true"
        return super().post(path, data, headers=headers, **extra)

    def choose(self, link: str):
        """A time from the offer page (which every visitor shares): the journey starts at an address of its own."""
        chosen = self.get(link)
        if chosen.status_code != 303:
            return chosen
        return self.get(chosen["Location"])

    def htmx_get(self, path, **extra):
        return self.get(path, headers={"HX-Request": "true"}, **extra)


@pytest.fixture(autouse=True)
def english():
    """Sentences are compared in English; German has its own tests (the studios' default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def visitor() -> CookielessVisitor:
    return CookielessVisitor()


@pytest.fixture
def morning(demo_studio):
    """Today at 06:00 in the studio: the next week's classes are open for booking."""
    with frozen(at(0, "06:00")):
        yield


@pytest.fixture
def upstream_ops(caplog):
    """The operation names the client sent, in order (read from its log lines: no personal data there)."""
    caplog.set_level(logging.INFO, logger="portal.perfectgym")

    def ops() -> list[str]:
        return [m.group(1) for r in caplog.records if (m := re.search(r"upstream op=(\w+)", r.getMessage()))]

    return ops


@contextmanager
def timeout_once(operation_id: str):
    """The sandbox times out the first call of ``operation_id`` only (a write still happens: outcome unknown)."""
    import sandbox.views

    real_resolve = sandbox.views.resolve
    state = {"op": None, "fired": False}

    def resolve(method, path):
        found = real_resolve(method, path)
        state["op"] = found[0].operation_id if found else None
        return found

    def plan_for(studio, rng=None):
        fire = state["op"] == operation_id and not state["fired"]
        state["fired"] = state["fired"] or fire
        return FaultPlan(latency_ms=0, error_status=None, timeout=fire)

    with mock.patch("sandbox.views.resolve", resolve), mock.patch("sandbox.views.faults.plan_for", plan_for):
        yield state


class Scripted:
    """The real sandbox client, with some operations answering what a test says.

    ``answers`` maps a client method name to a value (returned) or an exception (raised);
    ``calls`` records every scripted method's request, so tests assert what was sent.
    """

    def __init__(self, real, answers: dict):
        self._real = real
        self._answers = answers
        self.calls: list[tuple[str, object]] = []

    def __getattr__(self, name):
        if name not in self._answers:
            return getattr(self._real, name)

        def answer(*args, **kwargs):
            self.calls.append((name, args[0] if args else kwargs))
            value = self._answers[name]
            if isinstance(value, BaseException):
                raise value
            return value

        return answer


@pytest.fixture
def script(monkeypatch):
    """``script(studio, method=answer, ...)``: the services' client answers those operations as told."""
    from portal.upstream import client_for

    scripted: list[Scripted] = []

    def install(**answers) -> Scripted:
        holder = Scripted(None, answers)

        def fake_client_for(studio, **kwargs):
            holder._real = client_for(studio, **kwargs)
            return holder

        monkeypatch.setattr("portal.upstream.client_for", fake_client_for)  # the writes (trialoffers.services)
        monkeypatch.setattr("portal.reads.client_for", fake_client_for)  # the reads (portal.reads)
        scripted.append(holder)
        return holder

    return install


def unavailable(operation: str = "op") -> errors.Unavailable:
    return errors.Unavailable(operation, status=503, error_code="errormessage.unavailable", trace_id="t-1")


# --- Reading pages --------------------------------------------------------------------------------
def text_of(response) -> str:
    """The page's visible text, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def links(response, pattern: str) -> list[str]:
    return [
        unescape(href) for href in re.findall(r'href="([^"]*)"', response.content.decode()) if re.search(pattern, href)
    ]


def offer_link(visitor, title: str, lang: str = "en") -> str:
    """The "Choose a time" link of an offer on the trial page."""
    html = visitor.get(f"/s/demo/trial/?lang={lang}").content.decode()
    for card in re.findall(r'<li class="offer-card">(.*?)</li>', html, flags=re.S):
        if re.search(rf"<h2>{re.escape(title)}</h2>", unescape(card)):
            return unescape(re.search(r'href="([^"]+)"', card).group(1))
    raise LookupError(title)


def form_token(response) -> str:
    return unescape(re.search(r'name="t" value="([^"]+)"', response.content.decode()).group(1))


def lead_details(email: str, **extra) -> dict:
    return {
        "first_name": "Lea",
        "last_name": "Lead",
        "email": email,
        "telephone": "+49 170 1234567",
        "date_of_birth": "1990-05-17",
        "privacy_consent": "on",
        **extra,
    }


SENT_PAGE = "/s/demo/trial/sent/?lang=en"


def done_link(message) -> str:
    """The booking page's address from a booking e-mail (the form itself ends on the "check your e-mail" page)."""
    return re.search(r"http://testserver(/s/demo/trial/done/\S+/\?lang=\w+)", message.body).group(1)
