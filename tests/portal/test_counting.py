"""Page views and upstream calls counted per studio and day (studio time) for the staff dashboard: kept pages
too, never fragments, refusals or other people's requests, nothing of the visitor, and no round trip while
answering."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from portal import counting, housekeeping, reads
from portal.lib import cache as swr
from portal.models import PageViewDay, Studio, UpstreamDay
from portal.perfectgym import timing
from tests.bookings.conftest import CallCounter, customer_id, set_faults, signed_in

HOME, OFFERS, SCHEDULE = "/s/demo/", "/s/demo/trial/", "/s/demo/classes/"
# 22:50 UTC on 3 December: 23:50 on 3 December in Berlin, already 12:50 on 4 December at Kiritimati (UTC+14).
LATE_EVENING_UTC = datetime(2026, 12, 3, 22, 50, tzinfo=UTC).timestamp()
BERLIN_DAY = date(2026, 12, 3)


@pytest.fixture
def at(monkeypatch):
    """Sets the wall clock the counts are taken at."""

    def move(timestamp: float) -> None:
        monkeypatch.setattr(counting, "clock", lambda: timestamp)

    move(LATE_EVENING_UTC)
    return move


def views(studio: Studio) -> dict[tuple[date, str], int]:
    counting.flush()
    return {(row.day, row.page): row.views for row in PageViewDay.objects.filter(studio=studio)}


def calls(studio: Studio) -> dict[str, UpstreamDay]:
    counting.flush()
    return {row.operation: row for row in UpstreamDay.objects.filter(studio=studio)}


def kept(response) -> bool:
    return 'page;desc="cache hit"' in response.get("Server-Timing", "")


def test_pages_count_per_page_and_studio_day_kept_pages_too(demo_studio, settings, at):
    settings.PUBLIC_PAGE_CACHE = True
    assert Client().get(HOME).status_code == 200
    assert kept(Client().get(HOME))
    assert Client().get(OFFERS).status_code == 200
    assert kept(Client().get(OFFERS))
    at(LATE_EVENING_UTC + 20 * 60)  # 00:10 in Berlin: the next day there
    assert Client().get(HOME).status_code == 200
    assert views(demo_studio) == {
        (BERLIN_DAY, "studio-home"): 2,
        (BERLIN_DAY, "trialoffers:offers"): 2,
        (BERLIN_DAY + timedelta(days=1), "studio-home"): 1,
    }


def test_the_day_is_the_studios_own(demo_studio, at):
    Studio.objects.filter(pk=demo_studio.pk).update(timezone="Pacific/Kiritimati")
    assert Client().get(HOME).status_code == 200
    at(LATE_EVENING_UTC + 12 * 3600)  # 10:50 UTC on 4 December: 00:50 on 5 December at Kiritimati
    assert Client().get(HOME).status_code == 200
    assert views(demo_studio) == {(date(2026, 12, 4), "studio-home"): 1, (date(2026, 12, 5), "studio-home"): 1}


def test_only_whole_studio_pages_shown_count(demo_studio, demo_client, at):
    visitor = Client()
    fragment = visitor.get(SCHEDULE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="schedule-results")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    restored = visitor.get(
        SCHEDULE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="schedule-results", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert restored.status_code == 200
    assert visitor.get("/s/demo/no-such-page/").status_code == 404
    assert visitor.get("/s/no-such-studio/").status_code == 404
    visitor.head(SCHEDULE)  # not a view (the home page allows GET only)
    assert visitor.post("/s/demo/voucher/", {"code": "NOPE"}).status_code in (200, 400, 403)
    assert visitor.get("/s/demo/logo").status_code in (200, 404)  # an image, not a page
    assert visitor.get("/admin/login/").status_code == 200
    assert visitor.get("/healthz").status_code == 200
    # A member's own pages count like any other (only the sum per page and day is kept).
    mia = signed_in(demo_studio, customer_id(demo_client, "mia@example.com"))
    assert mia.get("/s/demo/account/").status_code == 200
    assert views(demo_studio) == {
        (BERLIN_DAY, "bookings-schedule"): 1,
        (BERLIN_DAY, "selfservice:account"): 1,
    }
    assert set(PageViewDay.objects.values_list("studio", flat=True)) == {demo_studio.pk}


def test_nothing_of_the_visitor_is_stored(demo_studio, at):
    visitor = Client(
        HTTP_USER_AGENT="Agent/1.0 (secret)", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_COOKIE="tracking=abc123"
    )
    assert visitor.get(HOME + "?utm_source=newsletter&email=mia@example.com").status_code == 200
    fields = {field.name for field in PageViewDay._meta.get_fields()}
    assert fields == {"id", "studio", "day", "page", "views"}
    assert {field.name for field in UpstreamDay._meta.get_fields()} == {
        "id",
        "studio",
        "day",
        "operation",
        "calls",
        "errors",
        "rate_limited",
        "total_ms",
        "max_ms",
    }
    assert views(demo_studio) == {(BERLIN_DAY, "studio-home"): 1}


def test_a_cold_schedule_page_counts_its_upstream_calls_per_operation(demo_studio, monkeypatch, at):
    counted = CallCounter(monkeypatch)
    assert Client().get(SCHEDULE).status_code == 200
    found = calls(demo_studio)
    assert counted.calls and found
    assert {operation: row.calls for operation, row in found.items()} == {
        operation: counted.count(operation) for operation in set(counted.calls)
    }
    for row in found.values():
        assert row.errors == row.rate_limited == 0
        assert 0 <= row.max_ms <= row.total_ms
        assert row.day == BERLIN_DAY


def test_a_429_counts_as_rate_limited_and_as_an_error(demo_studio, monkeypatch):
    minute_start = (int(time.time()) // 60) * 60
    monkeypatch.setattr(swr, "clock", lambda: minute_start + 10.0)  # both pages in the minute of the pause
    set_faults(demo_studio, error_rates={"429": 1.0})
    assert Client().get(SCHEDULE).status_code == 200  # the page says the schedule cannot be shown
    slots = calls(demo_studio)["getClassSlotsForMultipleClasses"]
    assert slots.calls >= 1 and slots.errors == slots.calls and slots.rate_limited == slots.calls
    # Paused for the rest of the minute: the next page sends nothing, so nothing more is counted.
    reads.invalidate(demo_studio, "getClassSlotsForMultipleClasses")
    assert Client().get(SCHEDULE).status_code == 200
    assert calls(demo_studio)["getClassSlotsForMultipleClasses"].calls == slots.calls


def test_calls_made_for_no_studio_are_not_counted(demo_studio, demo_client):
    assert demo_client.get_studio_information() is not None
    assert calls(demo_studio) == {}


def test_answering_costs_no_round_trip_for_the_counts(demo_studio, settings, monkeypatch, django_assert_num_queries):
    settings.PUBLIC_PAGE_CACHE = True
    monkeypatch.setattr(counting, "FLUSH_SECONDS", 3600.0)
    assert Client().get(HOME).status_code == 200
    with django_assert_num_queries(0):
        assert kept(Client().get(HOME))
        token = timing.current_studio_pk.set(demo_studio.pk)
        try:
            timing.record_call(12.0, "getActiveClasses", 503)
        finally:
            timing.current_studio_pk.reset(token)
    assert sum(views(demo_studio).values()) == 2
    active = calls(demo_studio)["getActiveClasses"]
    assert (active.calls, active.errors, active.total_ms, active.max_ms) == (1, 1, 12, 12)


def test_counts_are_written_by_the_request_that_finds_them_due(demo_studio, monkeypatch):
    monkeypatch.setattr(counting, "FLUSH_SECONDS", 0.0)
    assert Client().get(HOME).status_code == 200
    assert PageViewDay.objects.filter(studio=demo_studio, page="studio-home", views=1).exists()
    assert UpstreamDay.objects.filter(studio=demo_studio).exists()


def test_counts_that_could_not_be_written_are_kept_for_the_next_try(demo_studio, monkeypatch):
    assert Client().get(HOME).status_code == 200
    original = PageViewDay.add

    def failing(*args, **kwargs):
        raise DatabaseError("the database is away")

    monkeypatch.setattr(PageViewDay, "add", failing)
    counting.flush()  # logs, never raises
    assert not PageViewDay.objects.exists() and not UpstreamDay.objects.exists()  # all or nothing
    monkeypatch.setattr(PageViewDay, "add", original)
    assert Client().get(HOME).status_code == 200
    assert sum(views(demo_studio).values()) == 2


def test_rows_are_added_to_not_replaced(demo_studio):
    day = date(2026, 12, 4)
    PageViewDay.add(demo_studio.pk, day, "studio-home", 3)
    PageViewDay.add(demo_studio.pk, day, "studio-home", 2)
    UpstreamDay.add(demo_studio.pk, day, "getActiveClasses", calls=2, errors=1, rate_limited=0, total_ms=50, max_ms=40)
    UpstreamDay.add(demo_studio.pk, day, "getActiveClasses", calls=1, errors=1, rate_limited=1, total_ms=10, max_ms=10)
    assert PageViewDay.objects.get().views == 5
    row = UpstreamDay.objects.get()
    assert (row.calls, row.errors, row.rate_limited, row.total_ms, row.max_ms) == (3, 2, 1, 60, 40)
    assert row.average_ms == 20


def test_housekeeping_removes_counts_older_than_400_days(demo_studio):
    now = timezone.now()
    today = now.date()
    for day in (today - timedelta(days=401), today - timedelta(days=400), today):
        PageViewDay.add(demo_studio.pk, day, "studio-home", 1)
        UpstreamDay.add(
            demo_studio.pk, day, "getActiveClasses", calls=1, errors=0, rate_limited=0, total_ms=5, max_ms=5
        )
    assert "counts" in housekeeping.registered()
    assert housekeeping.run(now=now, only=["counts"], dry_run=True) == {"page view days": 1, "upstream days": 1}
    assert housekeeping.run(now=now, only=["counts"]) == {"page view days": 1, "upstream days": 1}
    assert sorted(PageViewDay.objects.values_list("day", flat=True)) == [today - timedelta(days=400), today]
    assert UpstreamDay.objects.count() == 2
