"""My bookings: classes and appointments together, .ics files and the private calendar feed."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from django.test import Client

from bookings import ics
from bookings.models import CalendarFeed, hash_token
from bookings.services import Entry
from portal.perfectgym import models as m
from tests.bookings.conftest import set_faults
from tests.bookings.helpers import slot, text
from tests.bookings.test_appointments import first_free, type_id

MINE = "/s/demo/account/bookings/"


@pytest.fixture
def mias_bookings(demo_studio, demo_client, mia_id):
    """A class on the last bookable day, a waiting-list place and an appointment in between."""
    late = slot(demo_studio, "Pilates Mat", days=range(4, 7))
    hiit = slot(demo_studio, "HIIT Express", weekdays=range(5))
    class_booking = demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=late.id))
    waiting = demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=hiit.id))
    probetraining = type_id(demo_client, "Probetraining")
    free = first_free(demo_studio, probetraining)
    appointment = demo_client.book_appointment_booking(
        m.AppointmentBookingRequest(
            customer_id=mia_id,
            bookable_appointment_id=probetraining,
            start_date_time=free.start_raw,
            end_date_time=free.end_raw,
        )
    )
    return {"class": (class_booking, late), "waiting": (waiting, hiit), "appointment": (appointment, free)}


def test_classes_and_appointments_together_in_time_order(mia, mias_bookings):
    response = mia.get(MINE, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    page = response.content.decode()
    ids = re.findall(r'<li class="card booking booking-\w+" id="((?:class|appointment)-\d+)"', page)
    starts = {
        f"class-{mias_bookings['class'][0].booking_id}": mias_bookings["class"][1].start,
        f"class-{mias_bookings['waiting'][0].booking_id}": mias_bookings["waiting"][1].start,
        f"appointment-{mias_bookings['appointment'][0].booking_id}": mias_bookings["appointment"][1].start,
    }
    assert sorted(ids) == sorted(starts)
    assert ids == sorted(ids, key=lambda uid: starts[uid])
    body = text(response)
    assert "Pilates Mat" in body and "Probetraining" in body and "Warteliste" in body
    assert "Warteliste verlassen" in body and "Buchung stornieren" in body
    assert body.count("In den Kalender (.ics)") == 3


def test_no_bookings_yet(mia, demo_studio):
    body = text(mia.get(MINE, HTTP_ACCEPT_LANGUAGE="de"))
    assert "Sie haben keine anstehenden Buchungen." in body


def test_signed_out_visitors_are_sent_to_sign_in(client, demo_studio):
    response = client.get(MINE)
    assert response.status_code == 302 and response["Location"] == f"/s/demo/account/?next={MINE.replace('/', '%2F')}"


def test_an_ics_file_for_each_booking(mia, mias_bookings, demo_studio):
    booking, pilates = mias_bookings["class"]
    response = mia.get(f"{MINE}class/{booking.booking_id}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="class-{booking.booking_id}.ics"'
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{pilates.start.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n" in body
    assert "SUMMARY:Pilates Mat\r\n" in body
    assert "LOCATION:Kursraum 2\\, Demo Fitness Berlin\r\n" in body
    assert "STATUS:CONFIRMED" in body
    appointment, _free = mias_bookings["appointment"]
    assert "SUMMARY:Probetraining" in mia.get(f"{MINE}appointment/{appointment.booking_id}.ics").content.decode()
    waiting, _hiit = mias_bookings["waiting"]
    assert "STATUS:TENTATIVE" in mia.get(f"{MINE}class/{waiting.booking_id}.ics").content.decode()


def test_my_bookings_while_the_upstream_is_down(mia, demo_studio):
    set_faults(demo_studio, error_rates={"503": 1.0})
    response = mia.get(MINE, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "Einige Ihrer Buchungen konnten gerade nicht geladen werden" in text(response)


class TestCalendarFeed:
    def create(self, browser) -> str:
        browser.post(f"{MINE}feed/", {"action": "create"})
        page = browser.get(MINE, HTTP_ACCEPT_LANGUAGE="de").content.decode()
        return re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', page)[1]

    def test_a_private_link_calendar_apps_can_read_without_cookies(self, mia, mia_id, demo_studio, mias_bookings):
        url = self.create(mia)
        assert url.startswith("http://testserver/s/demo/account/bookings/feed/") and url.endswith(".ics")
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        feed = CalendarFeed.objects.get(customer_id=mia_id)
        assert feed.token_hash == hash_token(token) and token not in feed.token_hash  # only the hash is stored
        calendar_app = Client()  # no cookies, no session
        response = calendar_app.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200
        body = response.content.decode()
        assert body.count("BEGIN:VEVENT") == 3
        assert "X-WR-CALNAME:Demo Fitness Berlin" in body
        assert "no-store" not in response.get("Cache-Control", "")

    def test_the_link_is_shown_once(self, mia, mias_bookings):
        self.create(mia)
        again = mia.get(MINE, HTTP_ACCEPT_LANGUAGE="de")
        assert 'id="feed-url"' not in again.content.decode()
        assert "Sie haben am" in text(again) and "einen Kalender-Link erstellt" in text(again)

    def test_turning_it_off_and_replacing_it(self, mia, demo_studio):
        first = self.create(mia).removeprefix("http://testserver")
        second = self.create(mia).removeprefix("http://testserver")
        assert Client().get(first).status_code == 404
        assert Client().get(second).status_code == 200
        mia.post(f"{MINE}feed/", {"action": "revoke"})
        assert Client().get(second).status_code == 404
        assert not CalendarFeed.objects.exists()

    def test_a_made_up_token_is_not_found(self, client, demo_studio):
        assert client.get(f"{MINE}feed/{'a' * 43}.ics").status_code == 404

    def test_when_the_upstream_is_down_the_last_known_bookings_are_served(self, mia, demo_studio, mias_bookings):
        url = self.create(mia).removeprefix("http://testserver")
        set_faults(demo_studio, error_rates={"503": 1.0})
        assert Client().get(url).content.decode().count("BEGIN:VEVENT") == 3

    def test_with_nothing_known_the_app_is_asked_to_come_back(self, mia, demo_studio):
        from django.core.cache import cache

        url = self.create(mia).removeprefix("http://testserver")
        cache.clear()
        set_faults(demo_studio, error_rates={"503": 1.0})
        response = Client().get(url)
        assert response.status_code == 503 and response["Retry-After"]


class TestIcsFormat:
    def test_an_event(self, demo_studio):
        from django.utils import timezone

        start = timezone.now()
        entry = Entry("class", 7, "BOOKED", "Yoga, sanft", start, start, "Raum 1", "Lena V.", "CANCELED", False)
        lines = ics.event(entry, demo_studio, "portal.example", start)
        assert "UID:class-7.demo@portal.example" in lines and "STATUS:CANCELLED" in lines
        assert "SUMMARY:Yoga\\, sanft" in lines
        description = next(line for line in lines if line.startswith("DESCRIPTION:"))
        assert description.removeprefix("DESCRIPTION:Lena V.\\n") in ("Vom Studio abgesagt", "Canceled by the studio")
