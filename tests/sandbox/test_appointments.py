"""Bookable appointments in the sandbox: generated slots, trainers as resources, every validationStatus."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.perfectgym.datetimes import format_api_datetime
from sandbox.store import Store
from tests.sandbox import ScheduleApi, at, end_of, frozen, make_customer, next_weekday, start_of, studio_today

JONAS, MARCO, EMMA = 9002, 9004, 9007


@pytest.fixture
def api(client, demo_studio) -> ScheduleApi:
    return ScheduleApi(client)


@pytest.fixture
def morning(demo_studio):
    with frozen(at(0, "06:00")):
        yield


@pytest.fixture
def alice(demo_studio) -> int:
    return make_customer(demo_studio, "Alice", "alice.appointments@example.org")


@pytest.fixture
def bob(demo_studio) -> int:
    return make_customer(demo_studio, "Bob", "bob.appointments@example.org")


@pytest.fixture
def types(api, morning) -> dict[str, int]:
    return {item["title"]: item["id"] for item in api.all_slices("/v1/appointments/bookable")}


def period(offset: int, clock: str, minutes: int) -> dict[str, str]:
    start = at(offset, clock)
    return {
        "startDateTime": format_api_datetime(start),
        "endDateTime": format_api_datetime(start + timedelta(minutes=minutes)),
    }


def request(customer: int, type_id: int, times: dict[str, str], **extra) -> dict:
    return {"customerId": customer, "bookableAppointmentId": type_id, **times, **extra}


def validate(api: ScheduleApi, body: dict) -> str:
    return api.ok("POST", "/v1/appointments/bookable/validate", body)["validationStatus"]


def slots(api: ScheduleApi, type_id: int, offset: int, days: int = 1, customer: int | None = None) -> list[dict]:
    day = studio_today() + timedelta(days=offset)
    query = f"slotWindowStartDate={day}&daysAhead={days}" + (f"&customerId={customer}" if customer else "")
    return api.ok("GET", f"/v1/appointments/bookable/{type_id}/slots?{query}")


def test_demo_has_bookable_appointment_types(api, types):
    assert {"Probetraining", "Körperanalyse (InBody)", "Personal Training"} <= set(types)
    one = api.ok("GET", f"/v1/appointments/bookable/{types['Probetraining']}")
    assert (one["title"], one["duration"]) == ("Probetraining", 60)
    assert api.get("/v1/appointments/bookable/999999").status_code == 404
    assert api.get("/v1/appointments/bookable?sliceSize=5").status_code == 400


def test_slots_follow_availability_and_trainers_teaching_classes(api, types, alice):
    offset = next_weekday()
    found = slots(api, types["Probetraining"], offset, days=1, customer=alice)
    days = {start_of(slot).date() for slot in found}
    assert days <= {studio_today() + timedelta(days=offset), studio_today() + timedelta(days=offset + 1)}
    assert all(end_of(slot) - start_of(slot) == timedelta(minutes=60) for slot in found)
    assert all(slot["instructors"] for slot in found)
    six_pm = [slot for slot in found if start_of(slot) == at(offset, "18:00")]
    assert six_pm and JONAS not in {i["id"] for i in six_pm[0]["instructors"]}  # he teaches HIIT at 18:00
    for query in ("daysAhead=0", "daysAhead=7", "customerId=999999"):
        assert api.get(f"/v1/appointments/bookable/{types['Probetraining']}/slots?{query}").status_code in (400, 404)
    assert api.get("/v1/appointments/bookable/999999/slots").status_code == 404


def test_book_get_list_and_delete(api, types, alice, bob):
    body_analysis = types["Körperanalyse (InBody)"]
    offset = next_weekday()
    slot = slots(api, body_analysis, offset, days=1)[0]
    times = {"startDateTime": slot["startDateTime"], "endDateTime": slot["endDateTime"]}
    assert validate(api, request(alice, body_analysis, times)) == "AVAILABLE"
    booked = api.ok("POST", "/v1/appointments/booking/book", request(alice, body_analysis, times))
    assert booked["bookingStatus"] == "BOOKED" and booked["appointmentStatus"] == "PLANNED"
    assert [i["id"] for i in booked["instructors"]] == [EMMA]
    assert booked["title"] == "Körperanalyse (InBody)"
    fetched = api.ok("GET", f"/v1/appointments/booking/{booked['bookingId']}")
    assert fetched == {**booked, "customerId": alice}
    assert api.ok("GET", f"/v1/appointments/booking?customerId={alice}") == [booked]

    # Emma is the only trainer for it: the slot is gone and nobody else gets it.
    assert slot["startDateTime"] not in {s["startDateTime"] for s in slots(api, body_analysis, offset)}
    assert validate(api, request(bob, body_analysis, times)) == "RESOURCE_NOT_AVAILABLE"
    taken = api.post("/v1/appointments/booking/book", request(bob, body_analysis, times))
    assert taken.status_code == 400 and taken.json()["errorCode"] == "errormessage.booking.resource_not_available"
    # One upcoming body analysis per customer.
    other = slots(api, body_analysis, offset)[1]
    other_times = {"startDateTime": other["startDateTime"], "endDateTime": other["endDateTime"]}
    assert validate(api, request(alice, body_analysis, other_times)) == "BOOKING_LIMIT_REACHED"

    assert api.ok("DELETE", f"/v1/appointments/booking/{booked['bookingId']}") == {}
    canceled = api.ok("GET", f"/v1/appointments/booking/{booked['bookingId']}")
    assert (canceled["bookingStatus"], canceled["appointmentStatus"]) == ("CANCELED", "CANCELED")
    again = api.delete(f"/v1/appointments/booking/{booked['bookingId']}")
    assert again.status_code == 400 and again.json()["errorCode"] == "errormessage.booking.already.canceled"
    assert validate(api, request(bob, body_analysis, times)) == "AVAILABLE"


def test_time_rules(api, types, alice, demo_studio):
    trial_workout = types["Probetraining"]
    offset = next_weekday()
    assert validate(api, request(alice, trial_workout, period(-1, "10:00", 60))) == "PAST_START_DATE_TIME"
    same = period(offset, "10:00", 0)
    assert validate(api, request(alice, trial_workout, same)) == "END_DATE_TIME_NOT_AFTER_START_DATE_TIME"
    assert validate(api, request(alice, trial_workout, period(offset, "10:15", 60))) == "PERIOD_DOES_NOT_MATCH"
    assert validate(api, request(alice, trial_workout, period(offset, "10:00", 45))) == "PERIOD_DOES_NOT_MATCH"
    far = next_weekday(16, last_offset=22)
    assert validate(api, request(alice, trial_workout, period(far, "10:00", 60))) == (
        "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME"
    )
    with frozen(at(offset, "09:30")):
        assert validate(api, request(alice, trial_workout, period(offset, "10:00", 60))) == (
            "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME"
        )

    store = Store(demo_studio)
    info = store.all("studio_info")[0]
    closed = period(offset, "08:00", 240)
    info["closingHours"].append(
        {"reason": "Betriebsversammlung", "dateTimeFrom": closed["startDateTime"], "dateTimeTo": closed["endDateTime"]}
    )
    store.save("studio_info", info)
    assert validate(api, request(alice, trial_workout, period(offset, "10:00", 60))) == "STUDIO_CLOSED"
    assert at(offset, "10:00") not in {start_of(s) for s in slots(api, trial_workout, offset, days=1)}
    refused = api.post("/v1/appointments/booking/book", request(alice, trial_workout, period(offset, "10:00", 60)))
    assert refused.json()["errorCode"] == "errormessage.booking.studio_closed"


def test_customer_rules(api, types, demo_studio):
    offset = next_weekday()
    day = studio_today() + timedelta(days=offset)
    idle = make_customer(
        demo_studio,
        "Ida",
        "ida.appointments@example.org",
        idlePeriods=[{"id": 7, "startDate": str(day), "endDate": str(day), "unlimited": False}],
    )
    exhausted = make_customer(demo_studio, "Nina", "nina.appointments@example.org", _appointmentContingent=0)
    lead = make_customer(demo_studio, "Leo", "leo.appointments@example.org", status="PROSPECT")
    times = period(offset, "10:00", 60)
    assert validate(api, request(idle, types["Probetraining"], times)) == "CUSTOMER_IDLE"
    assert validate(api, request(exhausted, types["Probetraining"], times)) == "NO_CONTINGENT"
    assert validate(api, request(lead, types["Personal Training"], times)) == (
        "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED"
    )
    assert validate(api, request(lead, types["Probetraining"], times)) == "NO_CONTINGENT"  # leads use the trial offer
    refused = api.post("/v1/appointments/booking/book", request(lead, types["Personal Training"], times))
    assert refused.json()["errorCode"] == "errormessage.booking.bookable_appointment_restrictions_not_fulfilled"


def test_customer_in_other_booking_with_a_class(api, types, alice):
    offset = next_weekday()
    cycling = next(
        s for s in api.slots_on(offset) if s["classInformation"]["title"] == "Indoor Cycling" and start_of(s).hour == 18
    )
    assert api.book_class(alice, cycling["id"]).status_code == 200
    times = period(offset, "18:00", 60)
    assert validate(api, request(alice, types["Probetraining"], times)) == "CUSTOMER_IN_OTHER_BOOKING"


def test_trainers_are_resources_two_bookings_then_none(api, types, alice, bob, demo_studio):
    personal = types["Personal Training"]
    offset = next_weekday()
    six_pm = period(offset, "18:00", 60)  # Jonas teaches HIIT then
    assert validate(api, request(alice, personal, six_pm, instructorIds=[JONAS])) == "RESOURCE_NOT_AVAILABLE"
    assert validate(api, request(alice, personal, six_pm, instructorIds=[MARCO])) == "AVAILABLE"

    ten = period(offset, "10:00", 60)
    first = api.ok("POST", "/v1/appointments/booking/book", request(alice, personal, ten))
    second = api.ok("POST", "/v1/appointments/booking/book", request(bob, personal, ten))
    assert {first["instructors"][0]["id"], second["instructors"][0]["id"]} == {JONAS, MARCO}
    carla = make_customer(demo_studio, "Carla", "carla.appointments@example.org")
    assert validate(api, request(carla, personal, ten)) == "RESOURCE_NOT_AVAILABLE"
    refused = api.post("/v1/appointments/booking/book", request(carla, personal, ten))
    assert refused.status_code == 400


def test_bad_requests_and_unknowns(api, types, alice):
    times = period(next_weekday(), "10:00", 60)
    missing = api.post("/v1/appointments/bookable/validate", {"customerId": alice, **times})
    assert missing.status_code == 400 and missing.json()["reference"] == "bookableAppointmentId"
    garbage = api.post(
        "/v1/appointments/bookable/validate",
        request(alice, types["Probetraining"], {"startDateTime": "soon", "endDateTime": times["endDateTime"]}),
    )
    assert garbage.status_code == 400 and garbage.json()["reference"] == "startDateTime"
    assert (
        api.post("/v1/appointments/bookable/validate", request(999999, types["Probetraining"], times)).status_code
        == 404
    )
    assert api.post("/v1/appointments/booking/book", request(alice, 999999, times)).status_code == 404
    assert api.get("/v1/appointments/booking/999999").status_code == 404
    assert api.delete("/v1/appointments/booking/999999").status_code == 404
    assert api.get("/v1/appointments/booking?customerId=999999").status_code == 404
    assert api.get("/v1/appointments/booking").status_code == 400


def test_past_booking_cannot_be_deleted(api, types, alice):
    offset = next_weekday()
    times = period(offset, "10:00", 60)
    booked = api.ok("POST", "/v1/appointments/booking/book", request(alice, types["Probetraining"], times))
    with frozen(at(offset, "11:30")):
        late = api.delete(f"/v1/appointments/booking/{booked['bookingId']}")
        assert late.status_code == 400
        assert api.ok("GET", f"/v1/appointments/booking/{booked['bookingId']}")["appointmentStatus"] == "COMPLETED"
