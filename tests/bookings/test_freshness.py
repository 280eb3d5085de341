"""Invalidation by key after bookings, and the upstream rate limit with 200 members browsing at once."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.conf import settings
from django.test import override_settings

from bookings import services
from portal import reads
from portal.lib import cache as swr
from portal.perfectgym import models as m
from sandbox.store import Store
from tests.bookings.helpers import slot, text
from tests.bookings.test_book_class import book

SCHEDULE = "/s/demo/classes/"


def places(browser, slot_id: int) -> str:
    page = browser.get(SCHEDULE, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    row = re.search(rf'id="slot-{slot_id}">.*?</li>', page, re.S)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    import time

    fake = FakeClock((time.time() // 60) * 60)
    monkeypatch.setattr(swr, "clock", fake)
    return fake


def test_a_booking_shows_for_every_visitor_at_once(client, mia, demo_studio):
    cycling = slot(demo_studio, "Indoor Cycling", weekdays=range(5), after="18:00")
    assert "1 Platz frei" in places(client, cycling.id)  # cached now, fresh for 30 s
    book(mia, cycling.id)
    assert "Ausgebucht" in places(client, cycling.id)
    booking_id = re.search(r"class/(\d+)/cancel", mia.get(SCHEDULE).content.decode())[1]
    mia.post(f"/s/demo/account/bookings/class/{booking_id}/cancel/")
    assert "1 Platz frei" in places(client, cycling.id)


def test_a_booking_refreshes_only_what_it_changed(client, mia, demo_studio, upstream_calls):
    pilates = slot(demo_studio, "Pilates Mat")
    client.get(SCHEDULE)
    mia.get(SCHEDULE)
    upstream_calls.reset()
    answer = book(mia, pilates.id)
    # Validate and book: the slot shown in place is the one the page had, with the booking the API returned.
    assert upstream_calls.calls == ["validateClassSlot", "bookClassSlot"]
    assert "Sie sind gebucht." in text(answer)
    upstream_calls.reset()
    client.get(SCHEDULE)
    # What the booking invalidated is read again by the next page: one slot window (of three)...
    assert upstream_calls.calls == ["getClassSlotsForMultipleClasses"]
    upstream_calls.reset()
    # ...and for the member, her own bookings too, once.
    assert "Gebucht" in places(mia, pilates.id)
    assert upstream_calls.count("getClassBookingsByCustomerId") == 1
    assert upstream_calls.count("getClassSlotsForMultipleClasses") == 0


def test_a_booking_made_elsewhere_shows_once_the_schedule_is_no_longer_fresh(
    client, demo_studio, demo_client, jonas_id, clock
):
    cycling = slot(demo_studio, "Indoor Cycling", weekdays=range(5), after="18:00")
    assert "1 Platz frei" in places(client, cycling.id)
    demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=jonas_id, class_slot_id=cycling.id))
    clock.now += 10
    assert "1 Platz frei" in places(client, cycling.id)  # fresh for 30 s
    clock.now += 25
    places(client, cycling.id)  # stale: served once, refreshed behind it
    assert "Ausgebucht" in places(client, cycling.id)


# The local-memory cache keeps 300 entries by default, fewer than 200 members' bookings plus their
# sessions: production uses Redis (REDIS_URL), and a single-process deployment needs a larger MAX_ENTRIES.
@override_settings(
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 10000}}}
    if "locmem" in settings.CACHES["default"]["BACKEND"]
    else settings.CACHES
)
def test_200_members_browsing_for_a_minute_stay_far_below_the_rate_limit(demo_studio, upstream_calls, clock):
    """Each of 200 signed-in members opens the schedule every 5 seconds for a minute (2400 pages)."""
    store = Store(demo_studio)
    members = [
        store.create("customer", {"firstName": f"M{i}", "lastName": "Test", "status": "MEMBER", "idlePeriods": []})[
            "id"
        ]
        for i in range(200)
    ]
    start = clock.now
    pages = 0
    for second in range(60):
        clock.now = start + second
        for index, member in enumerate(members):
            if (index + second) % 5 == 0:
                data = services.schedule_data(demo_studio, member)
                assert data.slots and not data.member_problem
                pages += 1
    per_endpoint = Counter(upstream_calls.calls)
    assert pages == 2400
    assert max(per_endpoint.values()) < 1000
    assert per_endpoint["getClassBookingsByCustomerId"] <= 200  # once per member and minute
    assert per_endpoint["getClassSlotsForMultipleClasses"] <= 3 * 2  # 3 windows, refreshed every 30 s
    assert per_endpoint["getActiveClasses"] == 1 and per_endpoint["getUtilization"] <= 2
    assert not any(reads.paused_until(demo_studio, op) for op in per_endpoint)


def test_text_helper_reads_like_a_visitor(client, demo_studio):
    assert "Kursplan" in text(client.get(SCHEDULE, HTTP_ACCEPT_LANGUAGE="de"))
