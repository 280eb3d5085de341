"""The API's date-times, and appointment slots whose exact strings must go back unchanged."""

from __future__ import annotations

import json
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.perfectgym import models as m
from portal.perfectgym.datetimes import format_api_datetime, parse_api_datetime
from tests.perfectgym.conftest import BASE

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_bracketed_zone_gives_an_aware_datetime_in_that_zone():
    parsed = parse_api_datetime("2022-06-22T08:00:00.000+02:00[Europe/Berlin]")
    assert parsed.tzinfo == BERLIN
    assert (parsed.hour, parsed.utcoffset()) == (8, timedelta(hours=2))
    assert parsed == datetime(2022, 6, 22, 6, 0, tzinfo=UTC)


def test_winter_time_in_the_same_zone():
    parsed = parse_api_datetime("2022-12-01T08:00:00.000+01:00[Europe/Berlin]")
    assert parsed.tzinfo == BERLIN and parsed.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("text", ["2022-06-22T06:00:00Z", "2022-06-22T06:00:00.000Z"])
def test_z_form_is_utc(text):
    parsed = parse_api_datetime(text)
    assert parsed.utcoffset() == timedelta(0)
    assert parsed == parse_api_datetime("2022-06-22T08:00:00.000+02:00[Europe/Berlin]")


def test_format_round_trips_the_api_form():
    text = "2022-06-22T08:00:00.000+02:00[Europe/Berlin]"
    assert format_api_datetime(parse_api_datetime(text)) == text


def test_class_slot_fields_are_parsed(client, api):
    api.get(
        f"{BASE}/v1/classes/7/slots/9",
        json={
            "id": 9,
            "startDateTime": "2022-06-22T08:00:00.000+02:00[Europe/Berlin]",
            "endDateTime": "2022-06-22T09:00:00.000+02:00[Europe/Berlin]",
            "earliestBookingDateTime": "2022-06-15T00:00:00Z",
            "additionalParticipants": 0,
            "instructors": [{"id": 1, "firstName": "Kim", "lastName": "Lee"}],
        },
    )
    slot = client.get_class_slot_by_id(7, 9)
    assert slot.start_date_time.tzinfo == BERLIN and slot.start_date_time.hour == 8
    assert slot.end_date_time - slot.start_date_time == timedelta(hours=1)
    assert slot.earliest_booking_date_time == datetime(2022, 6, 15, tzinfo=UTC)
    assert slot.instructors[0].display_name == "Kim Lee"


SLOT_START = "2026-11-23T08:00:00.000+01:00[Europe/Berlin]"
SLOT_END = "2026-11-23T08:45:00.000+01:00[Europe/Berlin]"


def test_booking_sends_back_exactly_the_slot_strings(client, api):
    api.get(
        f"{BASE}/v1/appointments/bookable/31/slots",
        json=[{"startDateTime": SLOT_START, "endDateTime": SLOT_END, "instructors": []}],
    )
    api.post(
        f"{BASE}/v1/appointments/booking/book",
        json={
            "bookingId": 77,
            "bookingStatus": "BOOKED",
            "startDateTime": SLOT_START,
            "endDateTime": SLOT_END,
            "appointmentStatus": "PLANNED",
            "participantStatus": "UNSET",
        },
    )

    [slot] = client.get_bookable_appointment_slots(
        31, customer_id=3, days_ahead=6, slot_window_start_date=date(2026, 11, 23)
    )
    assert slot.start_date_time == datetime(2026, 11, 23, 8, tzinfo=BERLIN)
    booking = client.book_appointment_booking(slot.booking_request(customer_id=3, bookable_appointment_id=31))

    assert api.calls[0].request.params == {"customerId": "3", "daysAhead": "6", "slotWindowStartDate": "2026-11-23"}
    assert json.loads(api.calls[1].request.body) == {
        "customerId": 3,
        "bookableAppointmentId": 31,
        "startDateTime": SLOT_START,
        "endDateTime": SLOT_END,
    }
    assert booking.booking_id == 77 and booking.start_date_time.tzinfo == BERLIN


def test_slot_json_dump_round_trips_the_raw_strings():
    slot = m.BookableAppointmentSlot.model_validate({"startDateTime": SLOT_START, "endDateTime": SLOT_END})
    dumped = slot.model_dump(mode="json", by_alias=True)
    assert (dumped["startDateTime"], dumped["endDateTime"]) == (SLOT_START, SLOT_END)
    assert m.BookableAppointmentSlot.model_validate(dumped) == slot


def test_slot_built_from_datetimes_gets_api_strings():
    slot = m.BookableAppointmentSlot(
        start_date_time=datetime(2026, 11, 23, 8, tzinfo=BERLIN), end_date_time=datetime(2026, 11, 23, 9, tzinfo=BERLIN)
    )
    assert slot.start_date_time_raw == SLOT_START


@pytest.mark.parametrize("days", [0, 7])
def test_appointment_slot_window_is_one_to_six_days(client, days):
    with pytest.raises(ValueError):
        client.get_bookable_appointment_slots(31, days_ahead=days)


def test_naive_datetimes_are_refused_in_requests():
    with pytest.raises(ValueError):
        m.CommunicationThreadRequest(
            communication_thread_status="CREATED",
            subject="s",
            content="c",
            communication_direction="INCOMING",
            communication_channel="EMAIL",
            communication_date_time=datetime(2026, 1, 1, 10, 0),
        )
