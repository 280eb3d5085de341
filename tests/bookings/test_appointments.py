"""Appointments: bookable types, free times by day (daysAhead windows), book, refusals, cancel."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from bookings import services
from bookings.sources import studio_today, window_start_for
from portal.perfectgym import errors
from portal.perfectgym.client import PerfectGymClient
from sandbox.demo.classes import CLOSED_DAY_OFFSET
from tests.bookings.conftest import set_faults
from tests.bookings.helpers import htmx, text

BASE = "/s/demo/appointments/"


def type_id(demo_client, title: str) -> int:
    return next(t.id for t in demo_client.all_bookable_appointments() if t.title == title)


def first_free(studio, atype: int, *, days=range(1, 7)):
    """The first free slot of an appointment type in the coming days."""
    today = studio_today(studio)
    for offset in days:
        page = services.appointment_page(studio, atype, today + timedelta(days=offset))
        if page.slots:
            return page.slots[0]
    raise LookupError("no free appointment slot")


def book(browser, atype: int, slot, key: str | None = None, *, hx: bool = True):
    data = {"key": key or str(uuid.uuid4()), "start": slot.start_raw, "end": slot.end_raw}
    headers = htmx("a", HTTP_ACCEPT_LANGUAGE="de") if hx else {"HTTP_ACCEPT_LANGUAGE": "de"}
    return browser.post(f"{BASE}{atype}/book/", data, **headers)


@pytest.fixture
def probetraining(demo_client) -> int:
    return type_id(demo_client, "Probetraining")


@pytest.fixture
def inbody(demo_client) -> int:
    return type_id(demo_client, "Körperanalyse (InBody)")


def test_the_bookable_appointments_are_listed(client, demo_studio):
    response = client.get(BASE + "?lang=de")
    assert response.status_code == 200
    body = text(response)
    for title in ("Probetraining", "Körperanalyse (InBody)", "Personal Training", "Ernährungsberatung"):
        assert title in body
    assert "60 Minuten" in body and "Freie Zeiten ansehen" in body


def test_free_times_by_day(client, demo_studio, probetraining):
    tomorrow = studio_today(demo_studio) + timedelta(days=1)
    if tomorrow.weekday() == 6:  # the demo has no trial workouts on Sundays: take Monday
        tomorrow += timedelta(days=1)
    response = client.get(f"{BASE}{probetraining}/?day={tomorrow.isoformat()}&lang=de")
    assert response.status_code == 200
    page = response.content.decode()
    assert len(re.findall(r'class="bk-day(?: bk-day-none)?"', page)) == 14
    assert f'href="?day={tomorrow.isoformat()}"' in page
    assert 'aria-current="date"' in page
    times = re.findall(r'<time datetime="([\d-]+) ', page)
    assert times and set(times) <= {tomorrow.isoformat()}


def test_choosing_a_day_swaps_only_the_times(client, demo_studio, probetraining):
    day = studio_today(demo_studio) + timedelta(days=2)
    response = client.get(f"{BASE}{probetraining}/?day={day.isoformat()}", **htmx("appointment-slots"))
    assert "<html" not in response.content.decode()
    assert 'class="bk-days"' in response.content.decode()


def test_a_day_without_free_times_points_to_the_next_one(client, demo_studio, demo_client):
    advice = type_id(demo_client, "Ernährungsberatung")  # Tuesdays and Thursdays only
    today = studio_today(demo_studio)
    # A Monday whose Tuesday is loaded with it (the page looks for the next free time in the window it loaded;
    # which Monday that is depends on today's weekday).
    monday = next(
        day
        for day in (today + timedelta(days=d) for d in range(1, 14))
        if day.weekday() == 0 and window_start_for(day, today) == window_start_for(day + timedelta(days=1), today)
    )
    body = text(client.get(f"{BASE}{advice}/?day={monday.isoformat()}&lang=de"))
    assert "An diesem Tag gibt es keine freien Zeiten." in body
    # Tuesday, unless that is the demo's closed morning (then Thursday): which depends on today's weekday.
    closed = today + timedelta(days=CLOSED_DAY_OFFSET)
    next_free = "Donnerstag" if monday + timedelta(days=1) == closed else "Dienstag"
    assert f"Nächster freier Termin: {next_free}" in body


def test_an_unknown_appointment_type_is_not_found(client, demo_studio):
    assert client.get(f"{BASE}999999/").status_code == 404


def test_a_member_books_an_appointment(mia, mia_id, demo_studio, demo_client, probetraining):
    slot = first_free(demo_studio, probetraining)
    response = book(mia, probetraining, slot)
    assert response.status_code == 200
    assert "Ihr Termin ist gebucht." in text(response)
    booked = [b for b in demo_client.get_appointment_bookings(mia_id) if b.booking_status == "BOOKED"]
    assert [b.start_date_time for b in booked] == [slot.start]


def test_without_javascript_booking_leads_to_my_bookings(mia, demo_studio, probetraining):
    slot = first_free(demo_studio, probetraining)
    response = book(mia, probetraining, slot, hx=False)
    assert response.status_code == 302 and response["Location"] == "/s/demo/account/bookings/"


def test_the_booking_page_for_visitors_coming_from_a_link(client, mia, demo_studio, probetraining):
    slot = first_free(demo_studio, probetraining)
    query = f"?start={slot.start_raw}&end={slot.end_raw}".replace("+", "%2B").replace("[", "%5B").replace("]", "%5D")
    assert client.get(f"{BASE}{probetraining}/book/{query}").status_code == 302  # sign in first
    page = mia.get(f"{BASE}{probetraining}/book/{query}", HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200 and "Termin buchen" in text(page)
    gone = mia.get(f"{BASE}{probetraining}/book/?start=2001-01-01T10:00:00Z&end=x", follow=True)
    assert "Diese Zeit ist nicht mehr frei." in text(gone)


def test_a_double_click_books_one_appointment(mia, mia_id, demo_studio, demo_client, probetraining):
    slot = first_free(demo_studio, probetraining)
    key = str(uuid.uuid4())
    book(mia, probetraining, slot, key)
    second = book(mia, probetraining, slot, key)
    assert "Ihr Termin ist gebucht." in text(second)
    assert len([b for b in demo_client.get_appointment_bookings(mia_id) if b.booking_status == "BOOKED"]) == 1


def test_a_booked_time_disappears_for_everyone_at_once(mia, jonas, demo_studio, inbody):
    slot = first_free(demo_studio, inbody)
    day = slot.start.date().isoformat()
    assert slot.start_raw in jonas.get(f"{BASE}{inbody}/?day={day}").content.decode()
    book(mia, inbody, slot)
    assert slot.start_raw not in jonas.get(f"{BASE}{inbody}/?day={day}").content.decode()


class TestRefusals:
    def test_one_upcoming_body_analysis_at_a_time(self, mia, demo_studio, inbody):
        first = first_free(demo_studio, inbody)
        assert book(mia, inbody, first).status_code == 200
        later = first_free(
            demo_studio, inbody, days=range((first.start.date() - studio_today(demo_studio)).days + 1, 14)
        )
        response = book(mia, inbody, later)
        assert response.status_code == 422
        assert "Sie haben bereits so viele anstehende Buchungen dieses Termins wie erlaubt." in text(response)

    def test_paused_membership(self, lea, demo_studio, probetraining):
        response = book(lea, probetraining, first_free(demo_studio, probetraining))
        assert "Ihre Mitgliedschaft ruht an diesem Tag" in text(response)

    def test_a_time_that_is_no_longer_offered(self, mia, demo_studio, probetraining):
        slot = first_free(demo_studio, probetraining)
        from dataclasses import replace

        shifted = replace(slot, start_raw=slot.start_raw.replace(":00:00.000", ":07:00.000"))
        response = book(mia, probetraining, shifted)
        assert "Diese Zeit wird nicht mehr angeboten." in text(response)

    def test_a_tampered_time_is_an_expired_form(self, mia, demo_studio, probetraining):
        response = mia.post(f"{BASE}{probetraining}/book/", {"key": str(uuid.uuid4()), "start": "soon", "end": "x"})
        assert response.status_code == 302
        assert "Dieses Formular ist abgelaufen." in text(mia.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de"))

    @pytest.mark.parametrize(
        "status,sentence",
        [
            ("BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED", "erfüllen Sie die Voraussetzungen nicht"),
            ("RESOURCE_NOT_AVAILABLE", "kein Coach und kein Raum mehr frei"),
            ("NO_CONTINGENT", "keine Terminbuchungen mehr frei"),
        ],
    )
    def test_statuses_the_demo_cannot_produce_on_demand(
        self, mia, demo_studio, probetraining, monkeypatch, status, sentence
    ):
        from portal.perfectgym import models as m

        monkeypatch.setattr(
            PerfectGymClient,
            "validate_for_appointment_booking",
            lambda self, request: m.AppointmentBookingValidationResult(validation_status=status),
        )
        response = book(mia, probetraining, first_free(demo_studio, probetraining))
        assert response.status_code == 422 and sentence in text(response)


def test_booking_while_the_upstream_is_down_explains_it(mia, demo_studio, probetraining):
    slot = first_free(demo_studio, probetraining)
    set_faults(demo_studio, error_rates={"503": 1.0})
    response = book(mia, probetraining, slot)
    assert response.status_code == 422 and "nicht erreichbar" in text(response)


class TestCancel:
    @pytest.fixture
    def booking_id(self, mia, mia_id, demo_studio, demo_client, probetraining):
        book(mia, probetraining, first_free(demo_studio, probetraining))
        return next(b.booking_id for b in demo_client.get_appointment_bookings(mia_id) if b.booking_status == "BOOKED")

    def test_cancel_an_appointment(self, mia, mia_id, demo_client, booking_id):
        page = mia.get(f"/s/demo/account/bookings/appointment/{booking_id}/cancel/", HTTP_ACCEPT_LANGUAGE="de")
        assert "Diesen Termin stornieren" in text(page)
        response = mia.post(f"/s/demo/account/bookings/appointment/{booking_id}/cancel/", follow=True)
        assert "Ihr Termin ist storniert." in text(response)
        assert demo_client.get_appointment_booking(booking_id).booking_status == "CANCELED"

    def test_another_members_appointment_is_not_found(self, jonas, demo_client, booking_id):
        url = f"/s/demo/account/bookings/appointment/{booking_id}/cancel/"
        assert jonas.get(url).status_code == 404
        assert jonas.post(url).status_code == 404
        assert jonas.get(f"/s/demo/account/bookings/appointment/{booking_id}.ics").status_code == 404
        assert demo_client.get_appointment_booking(booking_id).booking_status == "BOOKED"

    def test_a_lost_answer_is_checked_by_reading(self, mia, booking_id, monkeypatch):
        original = PerfectGymClient.delete_appointment_booking

        def deleted_but_lost(self, booking):
            original(self, booking)
            raise errors.OutcomeUnknown("deleteAppointmentBooking")

        monkeypatch.setattr(PerfectGymClient, "delete_appointment_booking", deleted_but_lost)
        response = mia.post(f"/s/demo/account/bookings/appointment/{booking_id}/cancel/", follow=True)
        assert "Ihr Termin ist storniert." in text(response)

    def test_the_freed_time_is_offered_again(self, mia, mia_id, jonas, demo_studio, demo_client, inbody):
        slot = first_free(demo_studio, inbody)  # one coach: a booked time is gone for everyone
        url = f"{BASE}{inbody}/?day={slot.start.date().isoformat()}"
        book(mia, inbody, slot)
        assert slot.start_raw not in jonas.get(url).content.decode()
        booking_id = next(
            b.booking_id for b in demo_client.get_appointment_bookings(mia_id) if b.booking_status == "BOOKED"
        )
        mia.post(f"/s/demo/account/bookings/appointment/{booking_id}/cancel/")
        assert slot.start_raw in jonas.get(url).content.decode()


@pytest.mark.parametrize(
    "status", sorted(set(__import__("bookings.texts", fromlist=["x"]).APPOINTMENT_VALIDATION) - {"AVAILABLE"})
)
def test_every_appointment_validation_status(mia, demo_studio, probetraining, monkeypatch, status):
    from django.utils import translation

    from bookings import texts
    from portal.perfectgym import models as m

    monkeypatch.setattr(
        PerfectGymClient,
        "validate_for_appointment_booking",
        lambda self, request: m.AppointmentBookingValidationResult(validation_status=status),
    )
    response = book(mia, probetraining, first_free(demo_studio, probetraining))
    assert response.status_code == 422
    with translation.override("de"):
        assert str(texts.APPOINTMENT_VALIDATION[status]) in text(response)


def test_an_appointment_waiting_for_confirmation_says_so(mia, mia_id, demo_studio, probetraining, monkeypatch):
    from portal.perfectgym import models as m

    free = first_free(demo_studio, probetraining)

    def booked(self, request):
        return m.AppointmentBookingResult(
            booking_id=4712,
            booking_status="BOOKED_WITH_CONFIRMATION_REQUIRED",
            start_date_time=free.start,
            end_date_time=free.end,
            title="Probetraining",
            appointment_status="PLANNED",
            participant_status="UNSET",
        )

    monkeypatch.setattr(PerfectGymClient, "book_appointment_booking", booked)
    response = book(mia, probetraining, free)
    assert "Ihr Termin ist reserviert. Das Studio muss ihn noch bestätigen." in text(response)
