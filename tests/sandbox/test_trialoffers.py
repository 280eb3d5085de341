"""Trial offers in the sandbox: configs, leads, trial bookings with contingent, term and confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.demo.trialoffers import CONFIG_WITH_CONFIRMATION, CONFIG_WITH_MANDATORY_DATA
from sandbox.store import Store
from tests.sandbox import ScheduleApi, at, frozen, make_customer, next_weekday, start_of, studio_today

TRIAL = "/v1/trial-offers"


@pytest.fixture
def api(client, demo_studio) -> ScheduleApi:
    return ScheduleApi(client)


@pytest.fixture
def morning(demo_studio):
    with frozen(at(0, "06:00")):
        yield


@pytest.fixture
def configs(api, morning) -> dict[str, dict]:
    """Trial configs by name, found through the trial class listing (their ids are row ids)."""
    ids = {item["trialOfferConfigId"] for item in api.all_slices(f"{TRIAL}/bookable-trial-offers/classes")}
    found = [api.ok("GET", f"{TRIAL}/config/{config_id}") for config_id in ids]
    return {config["name"]: config for config in found}


@pytest.fixture
def trial_classes(api, morning) -> dict[str, dict]:
    return {item["trialOfferClass"]["title"]: item for item in api.all_slices(f"{TRIAL}/bookable-trial-offers/classes")}


def lead_data(email: str, **extra) -> dict:
    return {"firstname": "Lea", "lastname": "Lead", "email": email, **extra}


def create_lead(api: ScheduleApi, config: dict, email: str, **extra) -> int:
    body = {"leadCustomerData": lead_data(email, telephone="+49 170 1234567", dateOfBirth="1990-05-17", **extra)}
    return api.ok("POST", f"{TRIAL}/lead/create", {**body, "trialOfferConfigId": config["id"]})["leadCustomerId"]


def trial_slots(api: ScheduleApi, trial_classes: dict, title: str) -> list[dict]:
    class_id = trial_classes[title]["trialOfferClass"]["id"]
    return api.all_slices(f"{TRIAL}/bookable-trial-offers/classes/{class_id}/slots", size=100)


def this_week(slots: list[dict]) -> list[dict]:
    """Slots open for booking from this morning: the next six days, without the closure day (day 3)."""
    closed = studio_today() + timedelta(days=3)
    return [s for s in slots if at(1, "00:00") <= start_of(s) < at(7, "00:00") and start_of(s).date() != closed]


def test_configs_and_trial_listings(api, configs, trial_classes):
    with_confirmation = configs[CONFIG_WITH_CONFIRMATION]
    assert with_confirmation["confirmationOfBookingTerm"] == {"value": 24, "unit": "HOURS"}
    mandatory = configs[CONFIG_WITH_MANDATORY_DATA]["leadDataConfig"]
    assert (mandatory["telephoneMode"], mandatory["dateOfBirthMode"]) == ("MANDATORY", "MANDATORY")
    assert trial_classes["Hatha Yoga"]["trialOfferConfigId"] == with_confirmation["id"]
    assert trial_classes["Zumba"]["trialOfferConfigId"] == configs[CONFIG_WITH_MANDATORY_DATA]["id"]
    appointments = api.all_slices(f"{TRIAL}/bookable-trial-offers/appointments/bookable")
    titles = {item["trialOfferBookableAppointment"]["title"]: item["trialOfferConfigId"] for item in appointments}
    assert titles["Probetraining"] == with_confirmation["id"]
    assert api.get(f"{TRIAL}/config/999999").status_code == 404
    paged = api.ok("GET", f"{TRIAL}/bookable-trial-offers/classes?sliceSize=10&offset={trial_classes['Zumba']['id']}")
    assert trial_classes["Hatha Yoga"]["id"] not in {item["id"] for item in paged["result"]}


def test_lead_validation(api, configs):
    easy, strict = configs[CONFIG_WITH_CONFIRMATION], configs[CONFIG_WITH_MANDATORY_DATA]

    def status(config, lead):
        body = {"leadCustomerData": lead, "trialOfferConfigId": config["id"]}
        return api.ok("POST", f"{TRIAL}/lead/validate", body)["validationStatus"]

    assert status(easy, lead_data("new.lead@example.org")) == "POSSIBLE"
    assert status(strict, lead_data("new.lead@example.org")) == "INVALID_LEAD_CUSTOMER_DATA"  # phone, birth date
    complete = lead_data("new.lead@example.org", telephone="+49 30 1234567", dateOfBirth="1990-01-31")
    assert status(strict, complete) == "POSSIBLE"
    invalid = [
        lead_data("not-an-email"),
        lead_data("new.lead@example.org", firstname=" "),
        lead_data("new.lead@example.org", dateOfBirth=str(studio_today() + timedelta(days=1))),
        lead_data("new.lead@example.org", dateOfBirth="31.01.1990"),
        lead_data("new.lead@example.org", gender="DIVERSE"),
        lead_data("new.lead@example.org", telephone="call me"),
    ]
    for lead in invalid:
        assert status(easy, lead) == "INVALID_LEAD_CUSTOMER_DATA", lead
    # The easy config does not collect addresses: whatever is sent there is ignored.
    assert status(easy, lead_data("new.lead@example.org", address={"street": ""})) == "POSSIBLE"
    assert status(strict, {**complete, "address": {"street": "Torstraße"}}) == "INVALID_LEAD_CUSTOMER_DATA"

    missing = api.post(f"{TRIAL}/lead/validate", {"trialOfferConfigId": easy["id"]})
    assert missing.status_code == 400
    unknown = api.post(
        f"{TRIAL}/lead/validate", {"leadCustomerData": lead_data("x@example.org"), "trialOfferConfigId": 999999}
    )
    assert unknown.status_code == 404


def test_lead_creation_and_duplicates(api, configs, demo_studio):
    strict = configs[CONFIG_WITH_MANDATORY_DATA]
    lead_id = create_lead(
        api,
        strict,
        "Mara.Lead@Example.org",
        gender="FEMALE",
        address={"street": "Torstraße", "houseNumber": "5", "zipCode": "10119", "city": "Berlin"},
    )
    customer = Store(demo_studio).get("customer", lead_id)
    assert customer["status"] == "PROSPECT"
    assert (customer["firstName"], customer["email"], customer["phonePrivateMobile"]) == (
        "Lea",
        "Mara.Lead@Example.org",
        "+49 170 1234567",
    )
    assert (customer["dateOfBirth"], customer["gender"], customer["zipCode"]) == ("1990-05-17", "FEMALE", "10119")
    assert customer["accessRefusal"] is False and customer["idlePeriods"] == []

    body = {
        "leadCustomerData": lead_data("mara.lead@example.org"),
        "trialOfferConfigId": configs[CONFIG_WITH_CONFIRMATION]["id"],
    }
    assert api.ok("POST", f"{TRIAL}/lead/validate", body)["validationStatus"] == "DUPLICATE_CUSTOMER"
    duplicate = api.post(f"{TRIAL}/lead/create", body)
    assert duplicate.status_code == 400 and duplicate.json()["errorCode"] == "errormessage.lead.duplicate"

    invalid = api.post(
        f"{TRIAL}/lead/create", {"leadCustomerData": lead_data("other@example.org"), "trialOfferConfigId": strict["id"]}
    )
    assert invalid.status_code == 400
    assert invalid.json()["errorCode"] == "errormessage.lead.invalid"
    assert invalid.json()["reference"].startswith("leadCustomerData.")


def test_trial_slots_only_for_trial_classes(api, trial_classes):
    slots = trial_slots(api, trial_classes, "Hatha Yoga")
    assert slots and all(slot["classInformation"]["title"] == "Hatha Yoga" for slot in slots)
    not_trial = api.slot("Yoga am Morgen (Livestream)", next_weekday())
    assert (
        api.get(f"{TRIAL}/bookable-trial-offers/classes/{not_trial['classInformation']['id']}/slots").status_code == 404
    )


def test_trial_booking_needs_confirmation_within_the_term(api, configs, trial_classes):
    lead = create_lead(api, configs[CONFIG_WITH_CONFIRMATION], "confirm.me@example.org")
    slot = next(s for s in this_week(trial_slots(api, trial_classes, "Indoor Cycling")) if start_of(s) > at(2, "00:00"))
    assert api.validate_class(lead, slot["id"], trial=True) == "AVAILABLE"
    booking = api.book_class(lead, slot["id"], trial=True).json()
    assert booking["bookingStatus"] == "BOOKED_WITH_CONFIRMATION_REQUIRED"
    assert api.ok("POST", f"{TRIAL}/bookings/{booking['bookingId']}/confirm") == {"status": "CONFIRMED"}
    assert api.ok("POST", f"{TRIAL}/bookings/{booking['bookingId']}/confirm") == {"status": "CONFIRMED"}
    assert api.ok("GET", f"/v1/classes/booking/{booking['bookingId']}")["bookingStatus"] == "BOOKED"

    # One trial per lead: the contingent is used up.
    other = this_week(trial_slots(api, trial_classes, "Hatha Yoga"))[0]
    assert api.validate_class(lead, other["id"], trial=True) == "NO_CONTINGENT"
    refused = api.book_class(lead, other["id"], trial=True)
    assert refused.json()["errorCode"] == "errormessage.booking.no_contingent"


def test_unconfirmed_trial_booking_expires_and_frees_the_place(api, configs, trial_classes):
    lead = create_lead(api, configs[CONFIG_WITH_CONFIRMATION], "too.late@example.org")
    slot = next(s for s in this_week(trial_slots(api, trial_classes, "Hatha Yoga")) if start_of(s) > at(2, "00:00"))
    booking = api.book_class(lead, slot["id"], trial=True).json()
    class_id = slot["classInformation"]["id"]
    with frozen(at(1, "06:01")):  # 24 hours and a minute later
        assert api.ok("GET", f"/v1/classes/booking/{booking['bookingId']}")["bookingStatus"] == "CANCELED"
        after = api.ok("GET", f"/v1/classes/{class_id}/slots/{slot['id']}")
        assert after["bookedParticipants"] == slot["bookedParticipants"]
        assert api.ok("POST", f"{TRIAL}/bookings/{booking['bookingId']}/confirm") == {"status": "EXPIRED"}
        assert api.ok("POST", f"{TRIAL}/bookings/{booking['bookingId']}/confirm") == {"status": "EXPIRED"}
        assert api.validate_class(lead, slot["id"], trial=True) == "AVAILABLE"  # the expired one does not count


def test_contingent_and_term_between_trial_bookings(api, configs, trial_classes):
    """Two trial classes per lead, at least two days apart."""
    lead = create_lead(api, configs[CONFIG_WITH_MANDATORY_DATA], "two.classes@example.org")
    candidates = sorted(
        (
            slot
            for title in ("Zumba", "Pilates Mat", "Vinyasa Flow")
            for slot in trial_slots(api, trial_classes, title)
            if at(1, "00:00") <= start_of(slot) < at(7, "00:00")
            and api.validate_class(lead, slot["id"], trial=True) == "AVAILABLE"
        ),
        key=start_of,
    )
    first = candidates[0]
    booked = api.book_class(lead, first["id"], trial=True).json()
    assert booked["bookingStatus"] == "BOOKED"  # no confirmation in this config
    near = [s for s in candidates[1:] if start_of(s) - start_of(first) < timedelta(days=2)]
    far = [s for s in candidates[1:] if start_of(s) - start_of(first) >= timedelta(days=2)]
    assert near and len(far) >= 2
    assert api.validate_class(lead, near[0]["id"], trial=True) == "BOOKING_LIMIT_REACHED"
    assert api.book_class(lead, far[0]["id"], trial=True).status_code == 200
    assert api.validate_class(lead, far[-1]["id"], trial=True) == "NO_CONTINGENT"
    bookings = api.ok("GET", f"/v1/classes/booking?customerId={lead}")
    assert len(bookings) == 2


def test_a_trial_on_a_full_class_joins_its_waiting_list_until_that_is_full_too(api, configs):
    """As the API documents: bookingStatus WAITING_LIST; BOOKING_LIMIT_REACHED once both lists are full."""
    first = create_lead(api, configs[CONFIG_WITH_MANDATORY_DATA], "waiting.first@example.org")
    second = create_lead(api, configs[CONFIG_WITH_MANDATORY_DATA], "waiting.second@example.org")
    full = api.slot("HIIT Express", next_weekday())
    assert full["bookedParticipants"] == full["maxParticipants"]
    assert full["waitingListParticipants"] == full["maxWaitingListParticipants"] - 1
    assert api.validate_class(first, full["id"], trial=True) == "AVAILABLE"
    assert api.book_class(first, full["id"], trial=True).json()["bookingStatus"] == "WAITING_LIST"

    assert api.validate_class(second, full["id"], trial=True) == "BOOKING_LIMIT_REACHED"
    refused = api.book_class(second, full["id"], trial=True)
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "errormessage.booking.booking_limit_reached"


def test_a_trial_on_the_waiting_list_needs_no_confirmation_while_it_waits(api, configs, demo_studio):
    """The config asks for confirmation within 24 hours, but a waiting-list place holds nothing to confirm."""
    lead = create_lead(api, configs[CONFIG_WITH_CONFIRMATION], "cycling.waiting@example.org")
    day = next_weekday()
    slot = api.slot("Indoor Cycling", day)
    assert slot["bookedParticipants"] == slot["maxParticipants"] - 1
    member = make_customer(demo_studio, "Max", "max.cycling@example.org")
    last_place = api.book_class(member, slot["id"]).json()
    assert last_place["bookingStatus"] == "BOOKED"
    waiting = api.book_class(lead, slot["id"], trial=True).json()
    assert waiting["bookingStatus"] == "WAITING_LIST"
    assert Store(demo_studio).get("class_booking", waiting["bookingId"])["_confirmBy"] is None  # no deadline
    with frozen(at(day, "08:00")):  # the 24 hours have passed: the place in the queue is kept all the same
        assert api.ok("GET", f"/v1/classes/booking/{waiting['bookingId']}")["bookingStatus"] == "WAITING_LIST"
        assert api.delete(f"/v1/classes/booking/{last_place['bookingId']}").status_code == 200
        assert api.ok("GET", f"/v1/classes/booking/{waiting['bookingId']}")["bookingStatus"] == "BOOKED"


def test_trial_rules_for_non_trial_classes_leads_and_configs(api, configs, trial_classes, demo_studio):
    lead = create_lead(api, configs[CONFIG_WITH_CONFIRMATION], "rules@example.org")
    regular = api.slot("Yoga am Morgen (Livestream)", next_weekday())
    assert api.validate_class(lead, regular["id"], trial=True) == "NOT_AVAILABLE"
    assert api.book_class(lead, regular["id"], trial=True).json()["errorCode"] == "errormessage.booking.not_available"
    hatha = this_week(trial_slots(api, trial_classes, "Hatha Yoga"))[0]
    assert api.validate_class(lead, hatha["id"]) == "NO_CONTINGENT"  # a lead books classes through the trial

    store = Store(demo_studio)
    config = store.get("trial_config", configs[CONFIG_WITH_CONFIRMATION]["id"])
    store.save("trial_config", {**config, "allowBookingForLeads": False})
    assert api.validate_class(lead, hatha["id"], trial=True) == "NOT_AVAILABLE"
    member = make_customer(demo_studio, "Mia", "mia.trial@example.org")
    assert api.validate_class(member, hatha["id"], trial=True) == "AVAILABLE"


def test_trial_appointment_with_confirmation(api, configs):
    lead = create_lead(api, configs[CONFIG_WITH_CONFIRMATION], "workout@example.org")
    offers = api.all_slices(f"{TRIAL}/bookable-trial-offers/appointments/bookable")
    workout = next(o for o in offers if o["trialOfferBookableAppointment"]["title"] == "Probetraining")
    type_id = workout["trialOfferBookableAppointment"]["id"]
    day = studio_today() + timedelta(days=next_weekday(2))
    slots = api.ok(
        "GET",
        f"{TRIAL}/bookable-trial-offers/appointments/bookable/{type_id}/slots?slotWindowStartDate={day}&daysAhead=1",
    )
    body = {
        "customerId": lead,
        "bookableAppointmentId": type_id,
        **{k: slots[0][k] for k in ("startDateTime", "endDateTime")},
    }
    assert api.ok("POST", f"{TRIAL}/appointments/booking/validate", body)["validationStatus"] == "AVAILABLE"
    booking = api.ok("POST", f"{TRIAL}/appointments/booking/book", body)
    assert booking["bookingStatus"] == "BOOKED_WITH_CONFIRMATION_REQUIRED"
    assert api.ok("POST", f"{TRIAL}/bookings/{booking['bookingId']}/confirm") == {"status": "CONFIRMED"}
    assert api.ok("GET", f"/v1/appointments/booking/{booking['bookingId']}")["bookingStatus"] == "BOOKED"
    assert api.ok("POST", f"{TRIAL}/appointments/booking/validate", body)["validationStatus"] == "NO_CONTINGENT"

    others = {o["trialOfferBookableAppointment"]["id"] for o in offers}
    regular = next(t for t in api.all_slices("/v1/appointments/bookable") if t["id"] not in others)
    assert api.get(f"{TRIAL}/bookable-trial-offers/appointments/bookable/{regular['id']}/slots").status_code == 404
    not_trial = {**body, "bookableAppointmentId": regular["id"]}
    assert api.ok("POST", f"{TRIAL}/appointments/booking/validate", not_trial)["validationStatus"] == "NOT_AVAILABLE"


def test_confirm_unknown_or_regular_booking(api, trial_classes, demo_studio):
    assert api.post(f"{TRIAL}/bookings/999999/confirm").status_code == 404
    member = make_customer(demo_studio, "Max", "max.regular@example.org")
    slot = trial_slots(api, trial_classes, "Hatha Yoga")[-1]
    with frozen(start_of(slot) - timedelta(days=1)):
        regular = api.book_class(member, slot["id"]).json()
    assert api.post(f"{TRIAL}/bookings/{regular['bookingId']}/confirm").status_code == 404
