"""Canceling a class booking: the condition before confirming, ownership, lost answers, too late."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from bookings import services
from bookings.sources import CancelRule, ClassInfo, MemberClassBooking, studio_now
from portal.models import Write
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from tests.bookings.conftest import set_faults
from tests.bookings.helpers import slot, text

MINE = "/s/demo/account/bookings/"


@pytest.fixture
def mias_pilates(demo_studio, demo_client, mia_id):
    """Mia's booking of a Pilates class this week (cancelable until 2 hours before it starts)."""
    pilates = slot(demo_studio, "Pilates Mat")
    result = demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=pilates.id))
    return result.booking_id, pilates


def status_of(demo_client, booking_id: int) -> str:
    return demo_client.get_class_booking_by_id(booking_id).booking_status


def test_the_cancel_page_shows_the_class_cancelation_condition(mia, mias_pilates):
    booking_id, pilates = mias_pilates
    page = mia.get(f"{MINE}class/{booking_id}/cancel/", HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200
    deadline = pilates.start - timedelta(hours=2)
    body = text(page)
    assert "Sie können bis 2 Stunden vor Kursbeginn stornieren" in body
    assert f"{deadline:%H:%M}" in body
    assert "Danach können Sie nicht mehr online stornieren." in body
    assert "Diese Buchung stornieren" in body and "Buchung behalten" in body


def test_a_livestream_may_still_be_canceled_late(mia, mia_id, demo_studio, demo_client):
    live = slot(demo_studio, "Yoga am Morgen (Livestream)")
    booking = demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=live.id))
    body = text(mia.get(f"{MINE}class/{booking.booking_id}/cancel/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Sie können bis 30 Minuten vor Kursbeginn stornieren" in body
    assert "Danach ist eine Stornierung weiterhin möglich." in body


def test_cancel_then_back_where_the_member_came_from(mia, demo_client, mias_pilates):
    booking_id, _pilates = mias_pilates
    response = mia.post(f"{MINE}class/{booking_id}/cancel/", {"next": "/s/demo/classes/?category=Pilates"})
    assert response.status_code == 302
    assert response["Location"] == "/s/demo/classes/?category=Pilates"
    assert status_of(demo_client, booking_id) == "CANCELED"
    assert "Ihre Buchung ist storniert." in text(mia.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de"))


def test_next_only_leads_back_into_this_studio(mia, mias_pilates):
    booking_id, _pilates = mias_pilates
    response = mia.post(f"{MINE}class/{booking_id}/cancel/", {"next": "https://evil.example/s/demo/"})
    assert response["Location"] == MINE


def test_canceling_twice_is_harmless(mia, demo_client, mias_pilates):
    booking_id, _pilates = mias_pilates
    mia.post(f"{MINE}class/{booking_id}/cancel/")
    response = mia.post(f"{MINE}class/{booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert "Diese Buchung war bereits storniert." in text(response)


def test_leaving_the_waiting_list(mia, mia_id, demo_studio, demo_client):
    hiit = slot(demo_studio, "HIIT Express", weekdays=range(5))
    booking = demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=hiit.id))
    assert booking.booking_status == "WAITING_LIST"
    page = text(mia.get(f"{MINE}class/{booking.booking_id}/cancel/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Sie können die Warteliste jederzeit vor Kursbeginn verlassen." in page
    response = mia.post(f"{MINE}class/{booking.booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert "Sie haben die Warteliste verlassen." in text(response)


class TestOwnership:
    """Another member's booking id answers 404, whatever is asked of it."""

    def test_cancel_page(self, jonas, mias_pilates):
        booking_id, _pilates = mias_pilates
        assert jonas.get(f"{MINE}class/{booking_id}/cancel/").status_code == 404

    def test_cancel(self, jonas, demo_client, mias_pilates):
        booking_id, _pilates = mias_pilates
        assert jonas.post(f"{MINE}class/{booking_id}/cancel/").status_code == 404
        assert status_of(demo_client, booking_id) == "BOOKED"

    def test_calendar_file(self, jonas, mia, mias_pilates):
        booking_id, _pilates = mias_pilates
        assert mia.get(f"{MINE}class/{booking_id}.ics").status_code == 200
        assert jonas.get(f"{MINE}class/{booking_id}.ics").status_code == 404

    def test_a_booking_that_does_not_exist(self, mia):
        assert mia.get(f"{MINE}class/987654/cancel/").status_code == 404
        assert mia.get(f"{MINE}appointment/987654/cancel/").status_code == 404

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, mias_pilates):
        booking_id, _pilates = mias_pilates
        response = client.get(f"{MINE}class/{booking_id}/cancel/")
        assert response.status_code == 302 and response["Location"].startswith("/s/demo/account/?next=")


class TestLostAnswers:
    def test_a_cancelation_whose_answer_was_lost_is_checked_by_reading(
        self, mia, demo_client, mias_pilates, monkeypatch
    ):
        booking_id, _pilates = mias_pilates
        original = PerfectGymClient.cancel_class_slot_by_id

        def canceled_but_lost(self, booking):
            original(self, booking)
            raise errors.OutcomeUnknown("cancelClassSlotById", error_message="ReadTimeout")

        monkeypatch.setattr(PerfectGymClient, "cancel_class_slot_by_id", canceled_but_lost)
        response = mia.post(f"{MINE}class/{booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
        assert "Ihre Buchung ist storniert." in text(response)

    def test_a_cancelation_that_did_not_arrive_says_so(self, mia, demo_client, mias_pilates, monkeypatch):
        booking_id, _pilates = mias_pilates

        def lost(self, booking):
            raise errors.OutcomeUnknown("cancelClassSlotById", error_message="ReadTimeout")

        monkeypatch.setattr(PerfectGymClient, "cancel_class_slot_by_id", lost)
        response = mia.post(f"{MINE}class/{booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
        assert "Ihre Stornierung ist nicht durchgegangen." in text(response)
        assert status_of(demo_client, booking_id) == "BOOKED"

    def test_cancel_while_the_upstream_is_down(self, mia, demo_studio, mias_pilates):
        booking_id, _pilates = mias_pilates
        mia.get(f"{MINE}class/{booking_id}/cancel/")  # the booking is known (cached)
        set_faults(demo_studio, error_rates={"503": 1.0})
        response = mia.post(f"{MINE}class/{booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
        assert response.status_code == 200
        assert "nicht erreichbar" in text(response)


class TestTooLate:
    """The deadline logic with a fixed "now" (the sandbox's own clock cannot be moved)."""

    def detail(self, demo_studio, monkeypatch, *, minutes_before: int, late_allowed: bool, status="BOOKED"):
        start = studio_now(demo_studio) + timedelta(minutes=minutes_before)
        pilates = slot(demo_studio, "Pilates Mat")
        klass = ClassInfo(1, "Pilates Mat", "Pilates", "", True, False, CancelRule(2, "HOURS", late_allowed))
        booking = MemberClassBooking(1, status, pilates.id, 1, "PLANNED")
        from dataclasses import replace

        return services.class_detail(demo_studio, booking, replace(pilates, start=start), klass)

    def test_after_the_deadline_no_cancel_button(self, demo_studio, monkeypatch):
        detail = self.detail(demo_studio, monkeypatch, minutes_before=60, late_allowed=False)
        assert not detail.can_cancel

    def test_after_the_deadline_when_late_cancelation_is_allowed(self, demo_studio, monkeypatch):
        assert self.detail(demo_studio, monkeypatch, minutes_before=60, late_allowed=True).can_cancel

    def test_a_waiting_list_place_can_be_given_up_until_the_start(self, demo_studio, monkeypatch):
        detail = self.detail(demo_studio, monkeypatch, minutes_before=60, late_allowed=False, status="WAITING_LIST")
        assert detail.can_cancel

    def test_before_the_deadline(self, demo_studio, monkeypatch):
        assert self.detail(demo_studio, monkeypatch, minutes_before=180, late_allowed=False).can_cancel

    def test_the_upstream_refusing_a_late_cancelation_is_explained(self, mia, mias_pilates, monkeypatch):
        booking_id, _pilates = mias_pilates

        def too_late(self, booking):
            raise errors.BadRequest(
                "cancelClassSlotById", status=400, error_code="errormessage.booking.cancelation.too.late"
            )

        monkeypatch.setattr(PerfectGymClient, "cancel_class_slot_by_id", too_late)
        response = mia.post(f"{MINE}class/{booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
        assert "Für eine Online-Stornierung ist es zu spät." in text(response)


def test_with_the_upstream_down_and_nothing_known_the_member_is_told_not_shown_an_error(mia, demo_studio, mias_pilates):
    booking_id, _pilates = mias_pilates
    set_faults(demo_studio, error_rates={"503": 1.0})
    response = mia.get(f"{MINE}class/{booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "nicht erreichbar" in text(response)
    response = mia.get(f"{MINE}appointment/{booking_id}/cancel/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200 and "nicht erreichbar" in text(response)


def test_a_second_cancel_while_the_first_is_sending_is_answered_at_once_and_polls(
    mia, mia_id, demo_studio, demo_client, mias_pilates, upstream_calls
):
    booking_id, _pilates = mias_pilates
    url = f"{MINE}class/{booking_id}/cancel/"
    first = Write.objects.create(  # the first click, still sending (a booking is canceled once: its id is the key)
        studio=demo_studio,
        key=uuid.uuid5(uuid.NAMESPACE_URL, f"{demo_studio.pk}/class.cancel/{booking_id}"),
        actor=f"customer:{mia_id}",
        action="class.cancel",
        target={"booking": booking_id},
    )
    upstream_calls.reset()
    again = mia.post(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="de")
    assert again.status_code == 202 and "Ihre Stornierung wird gerade gesendet." in text(again)
    assert 'hx-trigger="load delay:1s"' in again.content.decode() and "sent=1" in again.content.decode()
    assert upstream_calls.count("cancelClassSlotById") == 0
    # The first request finishes: the poll then shows the outcome.
    demo_client.cancel_class_slot_by_id(booking_id)
    first.finish(Write.State.DONE, {"status": "CANCELED"})
    done = mia.get(url, {"sent": 1}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="de")
    assert done["HX-Redirect"] == MINE  # back to her bookings, where the result is said
    assert "Ihre Buchung ist storniert." in text(mia.get(MINE, HTTP_ACCEPT_LANGUAGE="de"))
