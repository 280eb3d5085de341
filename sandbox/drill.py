"""The fault drill: simulated members and leads use the portal while the sandbox fails upstream calls.

Several visitors at once (threads, each its own test client, in-process: no network) for a bounded
time per phase; the sandbox's fault settings (``sandbox.faults``) decide what fails. Each phase
counts what stayed useful (schedule views with a Book button, pages that answered, lead journeys that
booked) and what must never happen (server errors, double bookings). After the last phase the faults
are switched off and the unknown writes are reconciled in the background job
(``portal.writes.reconcile_unknown``).

Run by ``manage.py fault_drill`` (prints the availability table) and by ``tests/portal/test_fault_drill.py``
(asserts the targets). It talks to the portal by URL only, like a browser.
"""

from __future__ import annotations

import functools
import random
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from portal import reads
from portal.models import Studio, Write
from sandbox import faults
from sandbox.router import ROUTES
from sandbox.store import Store

ORIGIN = "http://testserver"
MEMBER_EMAILS = ("mia@example.com", "lea@example.com", "tom@example.com", "sara@example.com")
BOOKING_CALLS = ("bookClassSlot",)  # its validation is a pre-check the booking can go without
LEAD_CALLS = (
    "validateForLeadCustomerCreation",
    "createLeadCustomer",
    "validateClassSlotForTrialOffers",
    "bookClassSlotForTrialOffers",
)
BOOKING_SHARE = 0.15  # schedule views on which a member books
BOOKED, FULL = "booked", "full"
FULL_CLASS = "it is fully booked"  # the trial page's sentence for BOOKING_LIMIT_REACHED (in English)
TRIES = 4  # how often a lead sends the trial form when the page asks to try again
BOOK_BUTTON = re.compile(r'formaction="(/s/[^/]+/classes/(\d+)/book/)"')


@dataclass(frozen=True)
class Phase:
    name: str
    error_rates: dict[str, float] = field(default_factory=dict)
    timeout_rate: float = 0.0


PHASES = {
    "none": Phase("0%"),
    "errors20": Phase("20% (500, 503, 429)", {"500": 0.07, "503": 0.07, "429": 0.06}),
    "errors50": Phase("50% (500, 503, 429)", {"500": 0.2, "503": 0.2, "429": 0.1}),
    "timeouts35": Phase("35% timeouts", timeout_rate=0.35),
}


@dataclass
class Report:
    phase: Phase
    schedule_views: int = 0  # while the booking calls themselves were not paused after a 429
    schedule_with_book: int = 0
    schedule_paused: int = 0  # views while a 429 on the booking call paused it: rightly no Book button
    bookings: Counter[int] = field(default_factory=Counter)  # by HTTP status
    pages: Counter[str] = field(default_factory=Counter)  # views by page kind
    pages_ok: Counter[str] = field(default_factory=Counter)  # ... that answered 200
    lead_journeys: int = 0
    leads_booked: int = 0
    leads_full: int = 0  # ended on a class that filled up meanwhile: the studio's answer, not a fault
    server_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def page(self, kind: str, status: int) -> None:
        with self.lock:
            self.pages[kind] += 1
            self.pages_ok[kind] += status == 200
            self.server_errors += status >= 500 and status != 503

    def share(self, kind: str) -> float:
        return self.pages_ok[kind] / self.pages[kind] if self.pages[kind] else 1.0

    @property
    def book_share(self) -> float:
        """Of the schedule views while booking itself was not paused, the share with a Book button."""
        return self.schedule_with_book / self.schedule_views if self.schedule_views else 1.0

    @property
    def lead_share(self) -> float:
        """Of the journeys that did not end on a full class, the share that booked."""
        tried = self.lead_journeys - self.leads_full
        return self.leads_booked / tried if tried else 0.0


@dataclass
class Result:
    reports: list[Report]
    double_bookings: int
    unknown_before: int  # writes left unknown or unfinished when the faults stopped
    reconciled: dict[str, int]  # what the background reconcile made of them (portal.writes counts)

    @property
    def unknown_after(self) -> int:
        left = ("still unknown", "unknown for over a day", "no reconciler", "errors")
        return sum(self.reconciled.get(name, 0) for name in left)


# --- One simulated member ---------------------------------------------------------------------------------
def _member_client(studio: Studio, customer_id: int) -> Client:
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["member"] = {"studio": studio.pk, "customer": customer_id}
    session.create()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def _member(studio: Studio, customer_id: int, report: Report, until: float, rng: random.Random) -> None:
    client = _member_client(studio, customer_id)
    schedule = f"/s/{studio.slug}/classes/"
    while time.monotonic() < until:
        paused_before = reads.any_paused(studio, *BOOKING_CALLS)
        page = client.get(schedule)
        report.page("schedule", page.status_code)
        html = page.content.decode()
        offered = BOOK_BUTTON.findall(html)
        # A pause may start or end (at the minute's turn) while the page is made: either way it counts.
        paused = paused_before or reads.any_paused(studio, *BOOKING_CALLS)
        with report.lock:
            report.schedule_paused += paused
            report.schedule_views += not paused
            report.schedule_with_book += bool(offered) and not paused
        key = re.search(r'name="key" value="([^"]+)"', html)
        if offered and key and rng.random() < BOOKING_SHARE:
            url, _slot = rng.choice(offered)
            answer = client.post(url, {"key": key.group(1), "next": schedule}, headers={"HX-Request": "true"})
            with report.lock:
                report.bookings[answer.status_code] += 1
                report.server_errors += answer.status_code >= 500
        account = client.get(f"/s/{studio.slug}/account/")
        report.page("account", account.status_code)


# --- One simulated lead -----------------------------------------------------------------------------------
def _links(html: str, pattern: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]*)"', html) if re.search(pattern, href)]


def _lead(studio: Studio, number: int, report: Report, until: float, rng: random.Random) -> None:
    """Trial list, an offer's times, the form; one journey after another until time is up."""
    journey = 0
    while time.monotonic() < until:
        journey += 1
        visitor = Client(REMOTE_ADDR=f"10.{number}.{journey // 250}.{journey % 250 + 1}", HTTP_ACCEPT_LANGUAGE="en")
        listing = visitor.get(f"/s/{studio.slug}/trial/")
        report.page("trial list", listing.status_code)
        offers = _links(listing.content.decode(), r"/trial/class/")
        if not offers:
            time.sleep(0.5)  # a person reads the page before trying again
            continue
        picker = visitor.get(rng.choice(offers))
        report.page("trial times", picker.status_code)
        # A place if there is one, else the waiting list (the buttons say which).
        html = picker.content.decode()
        places = [unescape(href) for href in re.findall(r'<a class="button" href="([^"]*/trial/book/\?t=[^"]*)"', html)]
        times = places or _links(html, r"/trial/book/\?t=")
        if not times:
            continue
        form = visitor.get(rng.choice(times), follow=True)  # a time picked on the shared page: a journey's own address
        token = re.search(r'name="t" value="([^"]+)"', form.content.decode())
        if token is None:
            continue
        with report.lock:
            report.lead_journeys += 1
        details = {
            "t": unescape(token.group(1)),
            "first_name": "Lea",
            "last_name": "Drill",
            "email": f"drill-{uuid.uuid4().hex[:12]}@example.org",
            "telephone": "+49 170 1234567",
            "date_of_birth": "1990-05-17",
            "privacy_consent": "on",
        }
        answer, ending = _send_form(visitor, f"/s/{studio.slug}/trial/book/", details)
        with report.lock:
            report.leads_booked += ending == BOOKED
            report.leads_full += ending == FULL
            report.server_errors += answer.status_code >= 500


def _send_form(visitor: Client, url: str, details: dict[str, str]) -> tuple[Any, str]:
    """Send the trial form as a person would: again when the page asks to try again (it keeps what was
    typed), waiting while it says the first click is still being sent. How it ended: BOOKED, FULL or ""."""
    answer: Any = None
    for _attempt in range(TRIES):
        answer = visitor.post(url, details, headers={"Origin": ORIGIN})
        location = answer.get("Location", "")
        for _ in range(10 if "/trial/status/" in location else 0):  # still being sent: ask until it settles
            answer = visitor.get(location)
            if answer.status_code != 202:
                break
            time.sleep(0.2)
        if answer.status_code in (302, 303) and re.search(r"/trial/(sent|done)/", answer.get("Location", "")):
            return answer, BOOKED
        if FULL_CLASS in answer.content.decode():
            return answer, FULL
        token = re.search(r'name="t" value="([^"]+)"', answer.content.decode()) if answer.status_code == 422 else None
        if token is None:  # not a form to send again (a refusal, or the class is gone): the journey ends
            return answer, ""
        details = {**details, "t": unescape(token.group(1))}
    return answer, ""


# --- The drill --------------------------------------------------------------------------------------------
def _run_users(targets: list[Callable[[], None]]) -> None:
    def run(target: Callable[[], None]) -> None:
        try:
            target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_phase(studio: Studio, phase: Phase, *, members: int, leads: int, seconds: float, seed: int) -> Report:
    # Each phase as if in a minute of its own: no pause after a 429 carries over from the phase before.
    reads.lift_pauses(studio, *BOOKING_CALLS, *LEAD_CALLS)
    random.seed(seed)  # the sandbox's fault draws: the same phase fails alike from run to run
    faults.configure(studio, error_rates=phase.error_rates, timeout_rate=phase.timeout_rate, latency_ms=0)
    report = Report(phase)
    until = time.monotonic() + seconds
    customers = [c["id"] for c in Store(studio).all("customer") if c.get("email") in MEMBER_EMAILS]
    targets: list[Callable[[], None]] = []
    for index in range(members):
        rng = random.Random(seed * 100 + index)
        customer = customers[index % len(customers)]
        targets.append(functools.partial(_member, studio, customer, report, until, rng))
    for index in range(leads):
        rng = random.Random(seed * 100 + 50 + index)
        targets.append(functools.partial(_lead, studio, index + 1, report, until, rng))
    _run_users(targets)
    return report


def _fresh_demo(studio: Studio) -> None:
    """The demo data anew (free places again), its caches emptied, then every trial offer's times and
    the schedule read once, as in a portal in use: a phase measures how the pages hold up, not how a
    cold cache meets a failing upstream."""
    faults.configure(studio, error_rates={}, timeout_rate=0.0, latency_ms=0)
    call_command("load_demo", "--no-admin", verbosity=0)
    cache.clear()
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    listing = visitor.get(f"/s/{studio.slug}/trial/").content.decode()
    for offer in _links(listing, r"/trial/(class|appointment)/"):
        visitor.get(offer)
    visitor.get(f"/s/{studio.slug}/classes/")
    for customer in Store(studio).all("customer"):
        if customer.get("email") in MEMBER_EMAILS:
            member = _member_client(studio, customer["id"])
            member.get(f"/s/{studio.slug}/classes/")
            member.get(f"/s/{studio.slug}/account/")


def double_bookings(studio: Studio) -> int:
    """Active bookings of one customer for one class slot beyond the first."""
    seen = Counter(
        (booking["customerId"], booking["classSlotId"])
        for booking in Store(studio).all("class_booking")
        if booking.get("bookingStatus") != "CANCELED"
    )
    return sum(count - 1 for count in seen.values() if count > 1)


def run(
    studio: Studio,
    phases: list[Phase],
    *,
    members: int = 3,
    leads: int = 2,
    seconds: float = 8.0,
    reconcile: Callable[[], dict[str, int]] | None = None,
) -> Result:
    """Every phase on fresh demo data (classes fill up); after each, the faults off and the unknown
    writes reconciled (``reconcile``, as the job a minute later would), then integrity checked."""
    reports, doubled, before, reconciled = [], 0, 0, Counter[str]()
    for number, phase in enumerate(phases):
        _fresh_demo(studio)
        reports.append(run_phase(studio, phase, members=members, leads=leads, seconds=seconds, seed=number))
        faults.configure(studio, error_rates={}, timeout_rate=0.0, latency_ms=0)
        # The background job runs in a later minute: no pause after a 429 of the drill is left.
        reads.lift_pauses(studio, *{route.operation_id for route in ROUTES})
        unfinished = Write.objects.filter(studio=studio, state__in=(Write.State.UNKNOWN, Write.State.PENDING))
        left = unfinished.count()
        before += left
        reconciled.update(reconcile() if reconcile is not None else {"still unknown": left})
        doubled += double_bookings(studio)
    return Result(reports, doubled, before, dict(reconciled))


def table(result: Result) -> str:
    """The availability table, one row per phase."""
    rows = [
        "| upstream failing | schedule views with a Book button | views while a 429 paused booking "
        "| trial list 200 | trial times 200 | account 200 "
        "| lead journeys that booked | bookings sent (status: count) | server errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for report in result.reports:
        sent = ", ".join(f"{status}: {count}" for status, count in sorted(report.bookings.items())) or "-"
        rows.append(
            f"| {report.phase.name} | {report.schedule_with_book} of {report.schedule_views} ({report.book_share:.0%}) "
            f"| {report.schedule_paused} "
            f"| {report.share('trial list'):.0%} of {report.pages['trial list']} "
            f"| {report.share('trial times'):.0%} of {report.pages['trial times']} "
            f"| {report.share('account'):.0%} of {report.pages['account']} "
            f"| {report.leads_booked} of {report.lead_journeys - report.leads_full} ({report.lead_share:.0%}); "
            f"{report.leads_full} more ended on a full class | {sent} "
            f"| {report.server_errors} |"
        )
    rows.append("")
    rows.append(
        f"Double bookings: {result.double_bookings}. Unknown or unfinished writes when the faults stopped: "
        f"{result.unknown_before}; left unknown after the background reconcile: {result.unknown_after} "
        f"({', '.join(f'{name}: {count}' for name, count in result.reconciled.items() if count) or 'nothing to do'})."
    )
    return "\n".join(rows)
