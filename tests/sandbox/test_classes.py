"""Classes in the sandbox: generated slots, booking rules behind every validationStatus, waiting list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.schedule.timetable import slot_id_for
from sandbox.store import Store
from tests.sandbox import ScheduleApi, at, end_of, frozen, make_customer, next_weekday, start_of, studio_today

FULL_CLASS = "HIIT Express"  # weekdays 18:00: full, one waiting-list place left
NEARLY_FULL_CLASS = "Indoor Cycling"  # weekdays 18:30: one place left
DISPLAY_ONLY_CLASS = "Sauna-Aufguss"


@pytest.fixture
def api(client, demo_studio) -> ScheduleApi:
    return ScheduleApi(client)


@pytest.fixture
def morning(demo_studio):
    """Six in the morning today: everything in the next seven days is open for booking."""
    with frozen(at(0, "06:00")):
        yield


@pytest.fixture
def alice(demo_studio) -> int:
    return make_customer(demo_studio, "Alice", "alice.schedule@example.org")


@pytest.fixture
def bob(demo_studio) -> int:
    return make_customer(demo_studio, "Bob", "bob.schedule@example.org")


def test_demo_timetable_has_classes_in_many_categories(api, morning):
    classes = api.all_slices("/v1/classes")
    assert len(classes) >= 10
    assert len({klass["category"] for klass in classes}) >= 4
    by_title = {klass["title"]: klass for klass in classes}
    assert by_title[DISPLAY_ONLY_CLASS]["bookable"] is False
    assert by_title[FULL_CLASS]["bookable"] is True


def test_sliced_class_listing_follows_the_offset_cursor(api, morning):
    everything = api.ok("GET", "/v1/classes?sliceSize=100")
    assert everything["hasNext"] is False
    first = api.ok("GET", "/v1/classes?sliceSize=10")
    assert first["hasNext"] is True and len(first["result"]) == 10
    assert first["offset"] == str(first["result"][-1]["id"])  # an id cursor, not a count
    paged = api.all_slices("/v1/classes", size=10)
    assert [klass["id"] for klass in paged] == [klass["id"] for klass in everything["result"]]


def test_slice_size_and_cursor_are_checked(api, morning):
    for query in ("sliceSize=9", "sliceSize=101", "offset=not-a-cursor"):
        response = api.get(f"/v1/classes?{query}")
        assert response.status_code == 400, query
        assert response.json()["errorCode"] == "errormessage.validation"
    assert api.get("/v1/classes/slots?daysAhead=7").status_code == 400


def test_slots_cover_yesterday_to_two_weeks_ahead_with_stable_ids(api, morning):
    class_id = api.slot(FULL_CLASS, next_weekday())["classInformation"]["id"]
    slots = api.all_slices(f"/v1/classes/{class_id}/slots")
    days = {start_of(slot).date() for slot in slots}
    assert min(days) >= studio_today() - timedelta(days=1)
    assert max(days) <= studio_today() + timedelta(days=14)
    assert len(slots) >= 9  # five evenings a week for two weeks
    assert [start_of(slot) for slot in slots] == sorted(start_of(slot) for slot in slots)
    again = api.all_slices(f"/v1/classes/{class_id}/slots", size=100)
    assert [slot["id"] for slot in again] == [slot["id"] for slot in slots]
    one = api.ok("GET", f"/v1/classes/{class_id}/slots/{slots[3]['id']}")
    assert one == slots[3]


def test_multi_class_slots_page_through_a_window(api, morning):
    start = studio_today() + timedelta(days=1)
    paged = api.all_slices(f"/v1/classes/slots?slotWindowStartDate={start}&daysAhead=6", size=10)
    whole = api.ok("GET", f"/v1/classes/slots?slotWindowStartDate={start}&daysAhead=6&sliceSize=100")
    assert [slot["id"] for slot in paged] == [slot["id"] for slot in whole["result"]]
    assert len({slot["id"] for slot in paged}) == len(paged) > 30
    assert {start_of(slot).date() for slot in paged} <= {start + timedelta(days=n) for n in range(7)}
    evening = [slot for slot in paged if start_of(slot).hour >= 19]
    assert evening, "the timetable has evening classes"


def test_unknown_things_answer_404(api, morning, alice):
    slot = api.slot(FULL_CLASS, next_weekday())
    other_class = api.slot(NEARLY_FULL_CLASS, next_weekday())["classInformation"]["id"]
    assert api.get("/v1/classes/999999").status_code == 404
    assert api.get(f"/v1/classes/{other_class}/slots/{slot['id']}").status_code == 404
    assert api.get(f"/v1/classes/{other_class}/slots/12345").status_code == 404
    assert api.get("/v1/classes/booking/999999").status_code == 404
    assert api.delete("/v1/classes/booking/999999").status_code == 404
    assert api.get("/v1/classes/booking?customerId=999999").status_code == 404
    unknown_customer = api.post("/v1/classes/booking/validate", {"customerId": 999999, "classSlotId": slot["id"]})
    assert unknown_customer.status_code == 404
    unknown_slot = api.post("/v1/classes/booking/book", {"customerId": alice, "classSlotId": 999920260101})
    assert unknown_slot.status_code == 404
    missing = api.post("/v1/classes/booking/book", {"customerId": alice})
    assert missing.status_code == 400 and missing.json()["reference"] == "classSlotId"


def test_booking_a_class_counts_the_participant(api, morning, alice):
    slot = api.slot("Yoga am Morgen (Livestream)", next_weekday())
    assert api.validate_class(alice, slot["id"]) == "AVAILABLE"
    booked = api.book_class(alice, slot["id"])
    assert booked.status_code == 200
    booking = booked.json()
    assert booking["bookingStatus"] == "BOOKED"
    assert booking["classSlotStatus"] == "PLANNED" and booking["customerId"] == alice
    class_id = slot["classInformation"]["id"]
    after = api.ok("GET", f"/v1/classes/{class_id}/slots/{slot['id']}")
    assert after["bookedParticipants"] == slot["bookedParticipants"] + 1
    assert api.ok("GET", f"/v1/classes/booking/{booking['bookingId']}") == booking
    assert api.ok("GET", f"/v1/classes/booking?customerId={alice}") == [booking]

    assert api.validate_class(alice, slot["id"]) == "CUSTOMER_ALREADY_BOOKED"
    again = api.book_class(alice, slot["id"])
    assert again.status_code == 400
    assert again.json()["errorCode"] == "errormessage.booking.customer_already_booked"


def test_full_class_puts_one_more_on_the_waiting_list_then_refuses(api, morning, alice, bob):
    slot = api.slot(FULL_CLASS, next_weekday())
    assert slot["bookedParticipants"] == slot["maxParticipants"]
    assert slot["waitingListParticipants"] == slot["maxWaitingListParticipants"] - 1
    assert api.validate_class(alice, slot["id"]) == "AVAILABLE"
    assert api.book_class(alice, slot["id"]).json()["bookingStatus"] == "WAITING_LIST"

    assert api.validate_class(bob, slot["id"]) == "BOOKING_LIMIT_REACHED"
    refused = api.book_class(bob, slot["id"])
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "errormessage.booking.booking_limit_reached"
    class_id = slot["classInformation"]["id"]
    after = api.ok("GET", f"/v1/classes/{class_id}/slots/{slot['id']}")
    assert after["waitingListParticipants"] == after["maxWaitingListParticipants"]


def test_last_place_goes_to_one_booking_and_moves_up_on_cancelation(api, morning, alice, bob):
    slot = api.slot(NEARLY_FULL_CLASS, next_weekday())
    assert slot["bookedParticipants"] == slot["maxParticipants"] - 1
    first = api.book_class(alice, slot["id"]).json()
    second = api.book_class(bob, slot["id"]).json()
    assert (first["bookingStatus"], second["bookingStatus"]) == ("BOOKED", "WAITING_LIST")
    class_id = slot["classInformation"]["id"]
    full = api.ok("GET", f"/v1/classes/{class_id}/slots/{slot['id']}")
    assert full["bookedParticipants"] == full["maxParticipants"]
    assert full["waitingListParticipants"] == 1

    cancel = api.delete(f"/v1/classes/booking/{first['bookingId']}")
    assert cancel.status_code == 200 and cancel.content == b""
    assert api.ok("GET", f"/v1/classes/booking/{first['bookingId']}")["bookingStatus"] == "CANCELED"
    assert api.ok("GET", f"/v1/classes/booking/{second['bookingId']}")["bookingStatus"] == "BOOKED"
    after = api.ok("GET", f"/v1/classes/{class_id}/slots/{slot['id']}")
    assert (after["bookedParticipants"], after["waitingListParticipants"]) == (after["maxParticipants"], 0)


def test_overlapping_booking_of_the_same_customer(api, morning, alice):
    def overlapping_pair():
        for offset in (1, 2, 4, 5, 6):
            slots = [s for s in api.slots_on(offset) if s["classInformation"]["title"] != DISPLAY_ONLY_CLASS]
            for one in slots:
                for other in slots:
                    if one["id"] != other["id"] and start_of(one) <= start_of(other) < end_of(one):
                        return one, other
        raise LookupError("no overlapping classes")

    one, other = overlapping_pair()
    assert api.book_class(alice, one["id"]).status_code == 200
    assert api.validate_class(alice, other["id"]) == "CUSTOMER_IN_OTHER_BOOKING"
    refused = api.book_class(alice, other["id"])
    assert refused.json()["errorCode"] == "errormessage.booking.customer_in_other_booking"


def test_booking_window_opens_a_week_before_and_closes_half_an_hour_before(api, morning, alice):
    later = api.slot(NEARLY_FULL_CLASS, next_weekday(8, last_offset=13))
    assert api.validate_class(alice, later["id"]) == "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME"
    assert api.book_class(alice, later["id"]).json()["errorCode"] == (
        "errormessage.booking.date_time_before_earliest_booking_date_time"
    )
    soon = api.slot(NEARLY_FULL_CLASS, next_weekday())
    with frozen(start_of(soon) - timedelta(minutes=20)):
        assert api.validate_class(alice, soon["id"]) == "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME"
    with frozen(start_of(soon) + timedelta(minutes=5)):
        assert api.validate_class(alice, soon["id"]) == "NOT_AVAILABLE"


def test_past_and_canceled_slots_are_not_available(api, morning, alice, demo_studio):
    yesterday = api.slots_on(-1)[0]
    assert api.validate_class(alice, yesterday["id"]) == "NOT_AVAILABLE"

    entry = next(e for e in Store(demo_studio).all("timetable_entry") if e["_canceledDates"])
    canceled_day = studio_today() + timedelta(days=2)
    canceled_id = slot_id_for(entry["id"], canceled_day)
    assert canceled_id not in {slot["id"] for slot in api.slots_on(2)}
    assert api.ok("GET", f"/v1/classes/{entry['classId']}/slots/{canceled_id}")["id"] == canceled_id
    assert api.validate_class(alice, canceled_id) == "NOT_AVAILABLE"
    refused = api.book_class(alice, canceled_id)
    assert refused.json()["errorCode"] == "errormessage.booking.not_available"


def test_studio_closed_in_the_morning_three_days_ahead(api, morning, alice):
    morning_slots = [
        s for s in api.slots_on(3) if start_of(s).hour < 14 and s["classInformation"]["title"] != DISPLAY_ONLY_CLASS
    ]
    assert morning_slots
    assert api.validate_class(alice, morning_slots[0]["id"]) == "STUDIO_CLOSED"
    info = api.ok("GET", "/v1/studios/information")
    assert any("Grundreinigung" in closing["reason"] for closing in info["closingHours"])


def test_display_only_class(api, morning, alice):
    slot = api.slot(DISPLAY_ONLY_CLASS, next_weekday())
    assert api.validate_class(alice, slot["id"]) == "DISPLAY_ONLY"
    assert api.book_class(alice, slot["id"]).json()["errorCode"] == "errormessage.booking.display_only"


def test_idle_customer_cannot_book(api, morning, demo_studio):
    offset = next_weekday()
    day = studio_today() + timedelta(days=offset)
    idle = make_customer(
        demo_studio,
        "Ida",
        "ida.idle@example.org",
        idlePeriods=[{"id": 1, "startDate": str(day), "endDate": str(day + timedelta(days=30)), "unlimited": False}],
    )
    slot = api.slot(NEARLY_FULL_CLASS, offset)
    assert api.validate_class(idle, slot["id"]) == "CUSTOMER_IDLE"
    assert api.book_class(idle, slot["id"]).json()["errorCode"] == "errormessage.booking.customer_idle"


def test_no_contingent_for_exhausted_members_and_for_leads(api, morning, demo_studio):
    slot = api.slot(NEARLY_FULL_CLASS, next_weekday())
    exhausted = make_customer(demo_studio, "Nina", "nina.none@example.org", _classContingent=0)
    lead = make_customer(demo_studio, "Leo", "leo.lead@example.org", status="PROSPECT")
    assert api.validate_class(exhausted, slot["id"]) == "NO_CONTINGENT"
    assert api.validate_class(lead, slot["id"]) == "NO_CONTINGENT"
    assert api.book_class(lead, slot["id"]).json()["errorCode"] == "errormessage.booking.no_contingent"

    one_left = make_customer(demo_studio, "Olga", "olga.one@example.org", _classContingent=1)
    assert api.book_class(one_left, slot["id"]).status_code == 200
    other = api.slot("Yoga am Morgen (Livestream)", next_weekday())
    assert api.validate_class(one_left, other["id"]) == "NO_CONTINGENT"


def test_cancelation_rules(api, morning, alice):
    slot = api.slot("Yoga am Morgen (Livestream)", next_weekday())  # may be canceled until 30 min before
    booking = api.book_class(alice, slot["id"]).json()
    late = api.slot(NEARLY_FULL_CLASS, next_weekday())  # two hours' cancel term, no late cancelation
    late_booking = api.book_class(alice, late["id"]).json()
    with frozen(start_of(late) - timedelta(hours=1)):
        too_late = api.delete(f"/v1/classes/booking/{late_booking['bookingId']}")
        assert too_late.status_code == 400
        assert too_late.json()["errorCode"] == "errormessage.booking.cancelation.too.late"
    assert api.delete(f"/v1/classes/booking/{booking['bookingId']}").status_code == 200
    twice = api.delete(f"/v1/classes/booking/{booking['bookingId']}")
    assert twice.status_code == 400 and twice.json()["errorCode"] == "errormessage.booking.already.canceled"
    statuses = {b["bookingId"]: b["bookingStatus"] for b in api.ok("GET", f"/v1/classes/booking?customerId={alice}")}
    assert statuses == {booking["bookingId"]: "CANCELED", late_booking["bookingId"]: "BOOKED"}


def test_finished_class_shows_completed(api, morning, alice):
    slot = api.slot("Yoga am Morgen (Livestream)", next_weekday())
    booking = api.book_class(alice, slot["id"]).json()
    with frozen(start_of(slot) + timedelta(hours=2)):
        assert api.ok("GET", f"/v1/classes/booking/{booking['bookingId']}")["classSlotStatus"] == "COMPLETED"
    with frozen(start_of(slot) + timedelta(weeks=3)):
        assert api.ok("GET", f"/v1/classes/booking?customerId={alice}") == []  # outside +/- two weeks


def test_german_error_message(api, morning, alice, client):
    slot = api.slot(DISPLAY_ONLY_CLASS, next_weekday())
    response = client.post(
        "/sandbox/demo/v1/classes/booking/book",
        {"customerId": alice, "classSlotId": slot["id"]},
        content_type="application/json",
        HTTP_X_API_KEY="demo-api-key",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.json()["errorMessage"] == "Dieser Kurs ist nicht buchbar"
