"""Counts per studio and day for the staff dashboard, with nothing of any visitor: page views and upstream health.

- Page views (``PageViewDay``): a GET below ``/s/<slug>/`` answered 200 with a whole HTML page (not an
  HTMX fragment; an HTMX history restore is a whole page), by route name; pages served from the page
  cache count too (the request log sees every answer). Members' pages count like any other: only the
  sum per page and day is kept. Nothing of the visitor is looked at (no address, agent, cookie, path,
  query or id); 304s, HEADs, redirects and errors are not views.
- Upstream health (``UpstreamDay``): every attempt the client makes inside ``portal.reads.call`` (the
  one read and write path; the sandbox's in-process calls too): calls, errors (an answer other than a
  2xx, or none), 429s, total and longest time. Calls outside it belong to no studio and are not counted;
  a call the 429 pause kept back was never made and is not counted either.

The request path stays cheap: a count is added to a dict of this process under a lock, with no database
or cache round trip. Counts are kept per quarter-hour (UTC) and turned into the studio's day when they
are written: every time zone's offset is a whole number of quarter-hours, so each quarter-hour lies in
one local day. The first request (or finished task) ``FLUSH_SECONDS`` after the last writing writes
what the process holds; ``flush()`` writes at once (the dashboard calls it before reading), and what is
left is written when the process exits. Rows older than ``KEEP_DAYS`` go in the daily housekeeping.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from portal.middleware import STUDIO_PATH
from portal.models import PageViewDay, Studio, UpstreamDay
from portal.perfectgym import timing

logger = logging.getLogger("portal.counting")

FLUSH_SECONDS = 5.0
KEEP_DAYS = 400
QUARTER_HOUR = 900
# What one process keeps while the database cannot be written; counts for further keys are dropped.
MAX_KEYS = 50_000
NAME_LENGTH = 100  # PageViewDay.page, UpstreamDay.operation

clock: Callable[[], float] = time.time  # the wall clock (tests move it)


@dataclass
class CallTally:
    calls: int = 0
    errors: int = 0
    rate_limited: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0

    def record(self, status: int | None, duration_ms: float) -> None:
        self.calls += 1
        self.errors += int(status is None or not 200 <= status < 300)
        self.rate_limited += int(status == 429)
        self.total_ms += duration_ms
        self.max_ms = max(self.max_ms, duration_ms)

    def add(self, other: CallTally) -> None:
        self.calls += other.calls
        self.errors += other.errors
        self.rate_limited += other.rate_limited
        self.total_ms += other.total_ms
        self.max_ms = max(self.max_ms, other.max_ms)


ViewKey = tuple[str, int, str]  # studio slug, quarter-hour, route name
CallKey = tuple[int, int, str]  # studio pk, quarter-hour, operation

_lock = threading.Lock()
_views: dict[ViewKey, int] = {}
_calls: dict[CallKey, CallTally] = {}
_last_flush = time.monotonic()
_installed = False


def _quarter_hour() -> int:
    return int(clock() // QUARTER_HOUR)


# --- The request path: counting in this process ------------------------------------------------------
def whole_page(request: HttpRequest, response: HttpResponse) -> bool:
    """An HTML page a browser shows as a page: not an HTMX fragment (a history restore is a whole page)."""
    fragment = "HTTP_HX_REQUEST" in request.META and "HTTP_HX_HISTORY_RESTORE_REQUEST" not in request.META
    return not fragment and response.get("Content-Type", "").startswith("text/html")


def count_request(request: HttpRequest, response: HttpResponse, route: str) -> None:
    """Every answer passes here (``portal.requestlog``): a studio page shown is a view; then the counts are
    written when they are due."""
    if request.method == "GET" and response.status_code == 200 and route != "-":
        match = STUDIO_PATH.match(request.path_info)
        if match is not None and whole_page(request, response):
            key = (match.group(1), _quarter_hour(), route[:NAME_LENGTH])
            with _lock:
                if key in _views or len(_views) < MAX_KEYS:
                    _views[key] = _views.get(key, 0) + 1
    flush_if_due()


@contextmanager
def calls_of(studio: Studio) -> Iterator[None]:
    """The upstream calls made inside count for ``studio`` (``portal.reads.call``)."""
    token = timing.current_studio_pk.set(studio.pk)
    try:
        yield
    finally:
        timing.current_studio_pk.reset(token)


def record_call(operation: str, status: int | None, duration_ms: float) -> None:
    """A ``portal.perfectgym.timing`` listener: one upstream attempt, for the studio it was made for."""
    studio_pk = timing.current_studio_pk.get()
    if studio_pk is None:
        return
    key = (studio_pk, _quarter_hour(), (operation or "-")[:NAME_LENGTH])
    with _lock:
        tally = _calls.get(key)
        if tally is None:
            if len(_calls) >= MAX_KEYS:
                return
            tally = _calls[key] = CallTally()
        tally.record(status, duration_ms)


# --- Writing ---------------------------------------------------------------------------------------------
def flush_if_due() -> None:
    """Write the counts when ``FLUSH_SECONDS`` have passed since the last writing, else nothing (no round trip)."""
    if time.monotonic() - _last_flush < FLUSH_SECONDS:
        return
    with _lock:
        due = time.monotonic() - _last_flush >= FLUSH_SECONDS and bool(_views or _calls)
    if due:
        flush()


def flush() -> None:
    """Write what this process has counted (the dashboard calls it before reading). Never raises: counts
    that could not be written are kept for the next try."""
    global _last_flush
    with _lock:
        views, calls = dict(_views), dict(_calls)
        _views.clear()
        _calls.clear()
        _last_flush = time.monotonic()
    if not views and not calls:
        return
    try:
        _write(views, calls)
    except Exception:  # a count must never cost a visitor their page
        logger.warning("counting: could not write the counts, kept for the next try", exc_info=True)
        _put_back(views, calls)


def _put_back(views: dict[ViewKey, int], calls: dict[CallKey, CallTally]) -> None:
    with _lock:
        for key, count in views.items():
            if key in _views or len(_views) < MAX_KEYS:
                _views[key] = _views.get(key, 0) + count
        for call_key, tally in calls.items():
            if call_key in _calls or len(_calls) < MAX_KEYS:
                _calls.setdefault(call_key, CallTally()).add(tally)


def local_day(quarter_hour: int, zone_name: str) -> date:
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return datetime.fromtimestamp(quarter_hour * QUARTER_HOUR, tz=zone).date()


def _write(views: dict[ViewKey, int], calls: dict[CallKey, CallTally]) -> None:
    """One query for the studios' time zones, then one update (or insert) per studio, day and name."""
    slugs = {slug for slug, _quarter, _route in views}
    pks = {pk for pk, _quarter, _operation in calls}
    studios = Studio.objects.filter(Q(slug__in=slugs) | Q(pk__in=pks)).values_list("pk", "slug", "timezone")
    by_slug = {slug: (pk, zone) for pk, slug, zone in studios}
    zone_of = {pk: zone for pk, _slug, zone in studios}
    page_days: dict[tuple[int, date, str], int] = {}
    for (slug, quarter, route), count in views.items():
        if slug in by_slug:  # else the studio is gone
            pk, zone = by_slug[slug]
            key = (pk, local_day(quarter, zone), route)
            page_days[key] = page_days.get(key, 0) + count
    call_days: dict[tuple[int, date, str], CallTally] = {}
    for (pk, quarter, operation), tally in calls.items():
        if pk in zone_of:
            call_days.setdefault((pk, local_day(quarter, zone_of[pk]), operation), CallTally()).add(tally)
    with transaction.atomic():  # all or nothing: what failed is put back whole, never counted twice
        for (pk, day, page), count in page_days.items():
            PageViewDay.add(pk, day, page, count)
        for (pk, day, operation), tally in call_days.items():
            UpstreamDay.add(
                pk,
                day,
                operation,
                calls=tally.calls,
                errors=tally.errors,
                rate_limited=tally.rate_limited,
                total_ms=round(tally.total_ms),
                max_ms=round(tally.max_ms),
            )


def forget() -> None:
    """Drop this process's counts (the test suite starts every test without them)."""
    global _last_flush
    with _lock:
        _views.clear()
        _calls.clear()
        _last_flush = time.monotonic()


def prune(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    """Housekeeping: the counts of days more than ``KEEP_DAYS`` ago."""
    cutoff = now.date() - timedelta(days=KEEP_DAYS)
    pages = PageViewDay.objects.filter(day__lt=cutoff)
    calls = UpstreamDay.objects.filter(day__lt=cutoff)
    if dry_run:
        return {"page view days": pages.count(), "upstream days": calls.count()}
    return {"page view days": pages.delete()[0], "upstream days": calls.delete()[0]}


def _task_finished(sender: Any, **kwargs: Any) -> None:
    flush_if_due()  # the worker makes upstream calls outside any request


def install() -> None:
    """Listen to upstream calls and finished tasks, and write what is left at exit (``AppConfig.ready``)."""
    global _installed
    from django_tasks.signals import task_finished

    if record_call not in timing.call_listeners:
        timing.call_listeners.append(record_call)
    task_finished.connect(_task_finished, dispatch_uid="portal.counting")
    if not _installed:
        _installed = True
        atexit.register(flush)
