"""The journey's service layer against the sandbox: every status value, every error, one booking per intent."""

from __future__ import annotations

import dataclasses
import time
import typing
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from portal.models import Write
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.user_messages import message_for
from sandbox import faults
from sandbox.demo.trialoffers import CONFIG_WITH_MANDATORY_DATA
from sandbox.store import Store
from tests.sandbox import ScheduleApi, at, frozen, make_customer
from tests.trialoffers.conftest import timeout_once, unavailable
from trialoffers import services, tokens
from trialoffers.models import HELD_STATUSES, BookingStatus, FunnelWeek, Lead, LeadStatus, TrialBooking
from trialoffers.outcomes import MESSAGES, NEXT_STEP, Next
from trialoffers.services.slots import SlotView

LINKS = services.Links("https://portal.example")


def offer_titled(studio, title: str) -> services.Offer:
    return next(offer for offer in services.list_offers(studio).offers if offer.title == title)


def first_slot(studio, title: str, nonce: str | None = None, *, day=None) -> tokens.SlotChoice:
    """The first bookable time of an offer (the picker skips full, closed and not yet open ones)."""
    offer = offer_titled(studio, title)
    picker = services.slot_picker(studio, offer, nonce or tokens.new_nonce(), day)
    slot = next(slot for slot in picker.slots if slot.bookable)
    return tokens.read_slot(slot.token)[0]


def lead(email: str = "lea.lead@example.org", **extra) -> services.LeadInput:
    from datetime import date

    values = {"first_name": "Lea", "last_name": "Lead", "email": email, "telephone": "+49 170 1234567"}
    values.update(date_of_birth=date(1990, 5, 17), **extra)
    return services.LeadInput(**values)


def book(studio, choice, data=None, **kwargs):
    options = {"client_ip": "203.0.113.7", "language": "en", "links": LINKS, **kwargs}
    return services.book_trial(studio, choice, data, **options)


def customers_with(studio, email: str) -> list[dict]:
    return [c for c in Store(studio).all("customer") if (c.get("email") or "").casefold() == email.casefold()]


def trial_bookings(studio, customer_id: int) -> list[dict]:
    store = Store(studio)
    return [
        *store.all("class_booking", customerId=customer_id),
        *store.all("appointment_booking", customerId=customer_id),
    ]


# --- Offers and slots ---------------------------------------------------------------------------
def test_offers_list_every_trial_class_and_appointment(demo_studio, morning):
    listing = services.list_offers(demo_studio)
    titles = {(offer.kind, offer.title) for offer in listing.offers}
    assert ("class", "Hatha Yoga") in titles and ("class", "Zumba") in titles
    assert ("appointment", "Probetraining") in titles and ("appointment", "Körperanalyse (InBody)") in titles
    assert ("appointment", "Personal Training") not in titles  # not a trial offer
    assert {"Yoga", "Dance", "Training"} <= set(listing.categories)
    assert {offer.title for offer in listing.in_category("yoga")} == {"Hatha Yoga", "Vinyasa Flow"}


def test_offers_closed_to_leads_are_not_listed(demo_studio, morning):
    store = Store(demo_studio)
    closed = next(c for c in store.all("trial_config") if c["name"] == CONFIG_WITH_MANDATORY_DATA)
    closed["allowBookingForLeads"] = False
    store.save("trial_config", closed)
    titles = {offer.title for offer in services.list_offers(demo_studio).offers}
    assert "Hatha Yoga" in titles and "Zumba" not in titles and "Körperanalyse (InBody)" not in titles


def test_offer_listing_failure_is_a_sentence(demo_studio, script):
    script(all_bookable_trial_offer_classes=unavailable())
    listing = services.list_offers(demo_studio)
    assert listing.offers == [] and listing.problem == message_for(unavailable())


def test_class_slots_show_places_waiting_list_full_and_closures(demo_studio, morning):
    hiit = services.slot_picker(demo_studio, offer_titled(demo_studio, "HIIT Express"), "n1", None)
    states = {
        slot.state for day in hiit.days for slot in services.slot_picker(demo_studio, hiit.offer, "n1", day.day).slots
    }
    assert "waiting_list" in states  # full with one waiting-list place left
    cycling = offer_titled(demo_studio, "Indoor Cycling")
    weekday = next(d for d in range(1, 7) if (at(d, "00:00").weekday() < 5 and d != 3))
    picker = services.slot_picker(demo_studio, cycling, "n2", at(weekday, "00:00").date())
    evening = next(slot for slot in picker.slots if slot.starts_at == at(weekday, "18:30"))
    assert evening.state == "open" and evening.places_left == 1
    assert len(picker.days) == 14 and picker.days[0].day == at(0, "00:00").date()


def test_slots_in_a_studio_closure_say_so(demo_studio, morning):
    zumba = first_slot(demo_studio, "Zumba")
    store = Store(demo_studio)
    [info] = store.all("studio_info")
    info["closingHours"].append(
        {"reason": "Wasserschaden", "dateTimeFrom": zumba.start_raw, "dateTimeTo": zumba.end_raw}
    )
    store.save("studio_info", info)
    cache.clear()  # closing hours are cached for a few minutes
    offer = offer_titled(demo_studio, "Zumba")
    picker = services.slot_picker(demo_studio, offer, "n", zumba.starts_at.date())
    [closed] = [slot for slot in picker.slots if slot.starts_at == zumba.starts_at]
    assert closed.state == "studio_closed" and not closed.bookable and not closed.token


def test_appointment_slots_move_through_week_windows(demo_studio, morning, upstream_ops):
    offer = offer_titled(demo_studio, "Körperanalyse (InBody)")
    first = services.slot_picker(demo_studio, offer, "n", None)
    assert len(first.days) == 7 and first.slots and first.earlier_day is None
    assert first.later_day == at(7, "00:00").date()
    last = services.slot_picker(demo_studio, offer, "n", at(27, "00:00").date())
    assert last.later_day is None and last.days[-1].day == at(27, "00:00").date()
    assert services.slot_picker(demo_studio, offer, "n", at(40, "00:00").date()).days[0].day == at(0, "00:00").date()
    # Two weeks read (the first and the last), each once: the third picker finds the first in the cache.
    assert upstream_ops().count("getBookableAppointmentSlotsForTrialOffers") == 2


# --- One click: validate lead, create, validate booking, book ------------------------------------------
def test_one_click_runs_the_four_steps_in_order(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Zumba")
    outcome = book(demo_studio, choice, lead())
    assert outcome.next == Next.DONE and outcome.booking.status == BookingStatus.BOOKED
    writes = [op for op in upstream_ops() if "Lead" in op or "ClassSlot" in op and "Slots" not in op]
    assert writes == [
        "validateForLeadCustomerCreation",
        "createLeadCustomer",
        "validateClassSlotForTrialOffers",
        "bookClassSlotForTrialOffers",
    ]
    [customer] = customers_with(demo_studio, "lea.lead@example.org")
    assert customer["status"] == "PROSPECT" and customer["phonePrivateMobile"] == "+49 170 1234567"
    assert Lead.objects.get().status == LeadStatus.BOOKED
    week = FunnelWeek.objects.get()
    assert (week.leads_created, week.bookings_confirmed) == (1, 1)
    [email] = mail.outbox
    assert email.subject == "Your trial session is booked" and email.to == ["lea.lead@example.org"]
    assert "trial.ics" in email.body and "Sportkleidung" in email.body and "+49 30 1234567" in email.body


def test_booking_that_needs_confirmation_sends_the_link(demo_studio, morning):
    choice = first_slot(demo_studio, "Hatha Yoga")
    outcome = book(demo_studio, choice, lead())
    booking = outcome.booking
    assert booking.status == BookingStatus.CONFIRMATION_PENDING
    assert booking.confirm_by == min(timezone.now() + timedelta(hours=24), booking.starts_at)
    [email] = mail.outbox
    assert email.subject == "Please confirm your trial session"
    assert "https://portal.example/s/demo/trial/confirm/" in email.body
    assert FunnelWeek.objects.get().bookings_confirmed == 0  # not before it is confirmed


def test_appointment_trial_is_booked(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Körperanalyse (InBody)")
    outcome = book(demo_studio, choice, lead())
    assert outcome.booking.status == BookingStatus.BOOKED and outcome.booking.booking_id
    assert "bookAppointmentForTrialOffer" in upstream_ops()
    [customer] = customers_with(demo_studio, "lea.lead@example.org")
    [stored] = trial_bookings(demo_studio, customer["id"])
    assert stored["startDateTime"] == choice.start_raw


# --- Every status value ------------------------------------------------------------------------------
CLASS_STATUSES = [s for s in typing.get_args(m.ClassSlotValidationStatus) if s != "AVAILABLE"]
APPOINTMENT_STATUSES = [s for s in typing.get_args(m.AppointmentValidationStatus) if s != "AVAILABLE"]


@pytest.mark.parametrize("status", CLASS_STATUSES)
def test_every_class_validation_status_is_a_sentence_with_a_way_forward(demo_studio, morning, script, status):
    choice = first_slot(demo_studio, "Zumba")
    scripted = script(validate_class_slot_for_trial_offers=m.ClassSlotBookingValidationResult(validation_status=status))
    outcome = book(demo_studio, choice, lead())
    assert outcome.text == str(MESSAGES[status]) and outcome.next == NEXT_STEP[status]
    assert outcome.booking.status == BookingStatus.FAILED and outcome.booking.failure_reason == status
    [(name, request)] = scripted.calls
    assert request.class_slot_id == choice.class_slot_id and request.customer_id == Lead.objects.get().lead_customer_id
    assert all(b["bookingStatus"] != "BOOKED" for b in trial_bookings(demo_studio, request.customer_id))


@pytest.mark.parametrize("status", APPOINTMENT_STATUSES)
def test_every_appointment_validation_status_is_a_sentence(demo_studio, morning, script, status):
    choice = first_slot(demo_studio, "Körperanalyse (InBody)")
    scripted = script(
        validate_for_appointment_booking_for_trial_offers=m.AppointmentBookingValidationResult(validation_status=status)
    )
    outcome = book(demo_studio, choice, lead())
    assert outcome.text == str(MESSAGES[status]) and outcome.next == NEXT_STEP[status]
    [(_name, request)] = scripted.calls
    assert request.start_date_time == choice.start_raw and request.end_date_time == choice.end_raw
    assert Lead.objects.get().failure_reason == status


def picked_slot(studio, title: str, wanted: typing.Callable[[SlotView], bool]) -> tokens.SlotChoice:
    """The first time of an offer, over all its days, that the picker shows as ``wanted``."""
    offer = offer_titled(studio, title)
    nonce = tokens.new_nonce()
    return next(
        tokens.read_slot(slot.token)[0]
        for day in services.slot_picker(studio, offer, nonce, None).days
        for slot in services.slot_picker(studio, offer, nonce, day.day).slots
        if slot.bookable and wanted(slot)
    )


def test_a_full_class_puts_the_trial_on_its_waiting_list(demo_studio, morning):
    choice = picked_slot(demo_studio, "HIIT Express", lambda slot: slot.state == "waiting_list")
    assert choice.waiting_list
    outcome = book(demo_studio, choice, lead())
    assert outcome.next == Next.DONE
    assert outcome.booking.status == BookingStatus.WAITING_LIST and Lead.objects.get().status == LeadStatus.WAITING_LIST
    [customer] = customers_with(demo_studio, "lea.lead@example.org")
    [stored] = trial_bookings(demo_studio, customer["id"])
    assert stored["bookingStatus"] == "WAITING_LIST" and outcome.booking.booking_id == stored["id"]
    [message] = mail.outbox
    assert message.subject == "You are on the waiting list" and "not a confirmed place yet" in message.body
    assert "/confirm/" not in message.body and "trial.ics" not in message.body

    # That was the waiting list's last place: the next lead is told the time is fully booked.
    other = book(demo_studio, dataclasses.replace(choice, nonce=tokens.new_nonce()), lead("leo.lead@example.org"))
    assert other.reason == "BOOKING_LIMIT_REACHED" and other.next == Next.PICK_TIME
    assert other.booking.status == BookingStatus.FAILED


def test_a_trial_with_a_confirmation_term_waits_without_a_deadline(demo_studio, morning, client):
    """Indoor Cycling's offer needs a confirmation, but a waiting-list place has nothing to confirm yet."""
    choice = picked_slot(demo_studio, "Indoor Cycling", lambda slot: slot.places_left == 1)
    assert not choice.waiting_list  # the lead picked the last place...
    member = make_customer(demo_studio, "Max", "max.cycling@example.org")
    taken = ScheduleApi(client).book_class(member, choice.class_slot_id).json()  # ...a member took it meanwhile
    assert taken["bookingStatus"] == "BOOKED"
    outcome = book(demo_studio, choice, lead())
    assert outcome.next == Next.DONE
    assert outcome.booking.status == BookingStatus.WAITING_LIST and outcome.booking.confirm_by is None
    [message] = mail.outbox
    assert message.subject == "You are on the waiting list" and "/confirm/" not in message.body


def test_duplicate_customer_is_told_to_sign_in_by_email(demo_studio, morning, upstream_ops):
    from django.core import mail

    outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead("mia@example.com"))
    assert outcome.reason == "DUPLICATE_CUSTOMER" and outcome.next == Next.CHECK_EMAIL
    assert "createLeadCustomer" not in upstream_ops()
    [message] = mail.outbox
    assert message.to == ["mia@example.com"] and "sign in to book" in message.body


def test_invalid_lead_data_sends_back_to_the_form(demo_studio, morning, script):
    script(
        validate_for_lead_customer_creation=m.TrialOfferLeadCustomerCreationValidationResult(
            validation_status="INVALID_LEAD_CUSTOMER_DATA"
        )
    )
    outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    assert outcome.next == Next.FIX_FORM and outcome.text == str(MESSAGES["INVALID_LEAD_CUSTOMER_DATA"])


def test_create_refusal_names_the_field(demo_studio, morning, script):
    refusal = errors.BadRequest(
        "createLeadCustomer", status=400, error_code="errormessage.lead.invalid", reference="leadCustomerData.telephone"
    )
    script(create_lead_customer=refusal)
    outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    assert outcome.next == Next.FIX_FORM and outcome.field_errors == {"telephone": "Please check this entry."}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("BOOKED", BookingStatus.BOOKED),
        ("BOOKED_WITH_CONFIRMATION_REQUIRED", BookingStatus.CONFIRMATION_PENDING),
        ("WAITING_LIST", BookingStatus.WAITING_LIST),
        ("CANCELED", BookingStatus.FAILED),
    ],
)
def test_every_booking_status(demo_studio, morning, script, status, expected):
    choice = first_slot(demo_studio, "Zumba")
    result = m.ClassSlotBookingResult(
        booking_id=555,
        booking_status=status,
        class_slot_id=choice.class_slot_id,
        class_id=choice.offer_id,
        customer_id=1,
        class_slot_status="PLANNED",
        participant_status="UNSET",
    )
    script(book_class_slot_for_trial_offers=result)
    outcome = book(demo_studio, choice, lead())
    booking = TrialBooking.objects.get()
    assert booking.status == expected and booking.booking_id == 555
    if status == "CANCELED":
        assert outcome.next == Next.PICK_TIME and outcome.text == str(MESSAGES["CANCELED"])
    else:
        assert outcome.next == Next.DONE
    if status == "WAITING_LIST":
        assert mail.outbox[0].subject == "You are on the waiting list"
        assert "not a confirmed place" in mail.outbox[0].body


def test_book_refused_with_a_status_code_gets_that_statuses_sentence(demo_studio, morning, script):
    refusal = errors.BadRequest(
        "bookClassSlotForTrialOffers", status=400, error_code="errormessage.booking.studio_closed"
    )
    script(book_class_slot_for_trial_offers=refusal)
    outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    assert outcome.reason == "STUDIO_CLOSED" and outcome.next == Next.PICK_TIME


@pytest.mark.parametrize(
    "error",
    [
        errors.Forbidden("x", status=403),
        errors.MalformedResponse("x", status=200),
        errors.Conflict("x", status=409),
    ],
)
@pytest.mark.parametrize("step", ["validate_for_lead_customer_creation", "validate_class_slot_for_trial_offers"])
def test_transport_errors_leave_nothing_half_done(demo_studio, morning, script, upstream_ops, error, step):
    script(**{step: error})
    outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    assert outcome.next == Next.TRY_AGAIN and outcome.text == message_for(error)
    assert "bookClassSlotForTrialOffers" not in upstream_ops()


@pytest.mark.parametrize(
    "error", [errors.Unavailable("x", status=503), errors.RateLimited("x", status=429), errors.OutcomeUnknown("x")]
)
@pytest.mark.parametrize(
    ("title", "step", "operation"),
    [
        ("Zumba", "validate_for_lead_customer_creation", "createLeadCustomer"),
        ("Zumba", "validate_class_slot_for_trial_offers", "bookClassSlotForTrialOffers"),
        ("Körperanalyse (InBody)", "validate_for_appointment_booking_for_trial_offers", "bookAppointmentForTrialOffer"),
    ],
)
def test_a_check_that_cannot_answer_does_not_stop_the_journey(
    demo_studio, morning, script, upstream_ops, title, step, operation, error
):
    """A validation writes nothing, and the write behind it validates upstream too: when the check times
    out, fails or is paused after a 429, the write goes ahead (and its refusals are answered as usual)."""
    script(**{step: error})
    outcome = book(demo_studio, first_slot(demo_studio, title), lead())
    assert outcome.next == Next.DONE and outcome.booking.status in HELD_STATUSES
    assert upstream_ops().count(operation) == 1


def test_a_booking_without_an_answer_is_checked_before_sending_again(demo_studio, morning, script):
    """Only a write whose answer was lost (here the booking) tells the visitor that we check first."""
    script(
        book_class_slot_for_trial_offers=errors.OutcomeUnknown("bookClassSlotForTrialOffers"),
        get_class_bookings_by_customer_id=unavailable(),
    )
    outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    assert outcome.next == Next.CHECK_AGAIN and outcome.text == str(MESSAGES["OUTCOME_UNKNOWN"])
    assert outcome.booking.status == BookingStatus.UNKNOWN


def test_config_that_vanished(demo_studio, morning, script):
    script(get_trial_offer_config=errors.NotFound("getTrialOfferConfig", status=404))
    outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    assert outcome.next == Next.PICK_OFFER and outcome.reason == "CONFIG_UNAVAILABLE"


# --- One booking per intent ---------------------------------------------------------------------------
def test_repeating_the_same_journey_books_once(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Zumba")
    first = book(demo_studio, choice, lead())
    second = book(demo_studio, choice, lead())
    assert second.next == Next.DONE and second.booking.pk == first.booking.pk
    assert upstream_ops().count("createLeadCustomer") == 1
    assert upstream_ops().count("bookClassSlotForTrialOffers") == 1
    assert len(mail.outbox) == 1


def test_a_request_that_finds_the_journey_busy_waits(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Zumba")
    busy = Lead.objects.create(
        studio=demo_studio,
        journey=choice.nonce,
        offer_kind="class",
        offer_id=choice.offer_id,
        config_id=choice.config_id,
    )
    claim = Write.objects.create(  # another request is working on this journey
        studio=demo_studio,
        key=services.form_key(demo_studio, "trial.book", choice.nonce),
        actor="lead",
        action="trial.book",
        target={"form": choice.nonce},
    )
    started = time.monotonic()
    outcome = book(demo_studio, choice, lead())
    assert time.monotonic() - started < 2  # answered at once, no waiting
    assert outcome.next == Next.IN_PROGRESS
    assert "createLeadCustomer" not in upstream_ops()
    claim.refresh_from_db()
    assert claim.state == Write.State.PENDING  # the other request still holds it
    assert busy.creation == "not_yet"


def test_picking_another_time_keeps_the_lead(demo_studio, morning, script, monkeypatch, upstream_ops):
    nonce = tokens.new_nonce()
    zumba = first_slot(demo_studio, "Zumba", nonce)
    script(
        validate_class_slot_for_trial_offers=m.ClassSlotBookingValidationResult(
            validation_status="CUSTOMER_IN_OTHER_BOOKING"
        )
    )
    refused = book(demo_studio, zumba, lead())
    assert refused.next == Next.PICK_TIME
    monkeypatch.undo()  # the studio answers normally again
    offer = offer_titled(demo_studio, "Zumba")
    picker = services.slot_picker(demo_studio, offer, nonce, None)
    other = [tokens.read_slot(s.token)[0] for s in picker.slots if s.bookable and s.token]
    other += [
        tokens.read_slot(s.token)[0]
        for day in picker.days[1:]
        for s in services.slot_picker(demo_studio, offer, nonce, day.day).slots
        if s.bookable
    ]
    later = next(choice for choice in other if choice.class_slot_id != zumba.class_slot_id)
    assert later.nonce == nonce
    outcome = book(demo_studio, later, None)
    assert outcome.next == Next.DONE
    assert upstream_ops().count("createLeadCustomer") == 1
    assert Lead.objects.count() == 1 and TrialBooking.objects.count() == 2


def test_lead_timeout_is_reconciled_by_searching(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Zumba")
    with timeout_once("createLeadCustomer"):
        outcome = book(demo_studio, choice, lead())
    assert outcome.next == Next.DONE
    assert len(customers_with(demo_studio, "lea.lead@example.org")) == 1
    ops = upstream_ops()
    assert ops.index("searchCustomers") > ops.index("createLeadCustomer")
    assert ops.count("createLeadCustomer") == 1


def test_a_crash_after_creating_the_lead_is_reconciled_not_reported_as_duplicate(demo_studio, morning, script):
    choice = first_slot(demo_studio, "Zumba")
    script(validate_class_slot_for_trial_offers=unavailable(), book_class_slot_for_trial_offers=unavailable())
    book(demo_studio, choice, lead())  # lead created upstream; then the studio went down
    # As if the worker had died right after the create call: the local record never learned the id.
    Lead.objects.update(creation="unknown", lead_customer_id=None)
    script()  # the studio answers normally again
    outcome = book(demo_studio, choice, lead())
    assert outcome.next == Next.DONE
    assert len(customers_with(demo_studio, "lea.lead@example.org")) == 1
    assert Lead.objects.get().lead_customer_id == customers_with(demo_studio, "lea.lead@example.org")[0]["id"]


def test_booking_timeout_is_reconciled_by_reading_the_bookings(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Hatha Yoga")
    with timeout_once("bookClassSlotForTrialOffers"):
        outcome = book(demo_studio, choice, lead())
    assert outcome.next == Next.DONE and outcome.booking.status == BookingStatus.CONFIRMATION_PENDING
    [customer] = customers_with(demo_studio, "lea.lead@example.org")
    [stored] = trial_bookings(demo_studio, customer["id"])
    assert outcome.booking.booking_id == stored["id"]
    ops = upstream_ops()
    assert ops.count("bookClassSlotForTrialOffers") == 1
    assert ops.index("getClassBookingsByCustomerId") > ops.index("bookClassSlotForTrialOffers")
    assert "confirm/" in mail.outbox[0].body


def test_appointment_timeout_is_reconciled_too(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Körperanalyse (InBody)")
    with timeout_once("bookAppointmentForTrialOffer"):
        outcome = book(demo_studio, choice, lead())
    assert outcome.next == Next.DONE and outcome.booking.booking_id
    assert upstream_ops().count("bookAppointmentForTrialOffer") == 1
    assert "getAppointmentBookings" in upstream_ops()


def test_unknown_outcome_is_checked_before_anything_is_sent_again(demo_studio, morning, upstream_ops):
    choice = first_slot(demo_studio, "Zumba")
    book(demo_studio, choice, lead())  # lead and booking exist; now the answers stop arriving
    TrialBooking.objects.update(status=BookingStatus.UNKNOWN)
    Lead.objects.update(status=LeadStatus.UNKNOWN)
    faults.configure(demo_studio, timeout_rate=1.0)
    still_unknown = book(demo_studio, choice, lead())
    assert still_unknown.next == Next.CHECK_AGAIN and still_unknown.reason == "OUTCOME_UNKNOWN"
    faults.configure(demo_studio, timeout_rate=0)
    found = book(demo_studio, choice, lead())
    assert found.next == Next.DONE and found.booking.status == BookingStatus.BOOKED
    assert upstream_ops().count("bookClassSlotForTrialOffers") == 1  # never sent a second time


def test_an_unknown_attempt_at_another_time_is_checked_first(demo_studio, morning, script, monkeypatch, upstream_ops):
    nonce = tokens.new_nonce()
    first = first_slot(demo_studio, "Zumba", nonce)
    script(
        book_class_slot_for_trial_offers=errors.OutcomeUnknown("book"), get_class_bookings_by_customer_id=unavailable()
    )
    assert book(demo_studio, first, lead()).reason == "OUTCOME_UNKNOWN"
    monkeypatch.undo()
    offer = offer_titled(demo_studio, "Zumba")
    other = next(
        tokens.read_slot(slot.token)[0]
        for day in services.slot_picker(demo_studio, offer, nonce, None).days
        for slot in services.slot_picker(demo_studio, offer, nonce, day.day).slots
        if slot.bookable and tokens.read_slot(slot.token)[0].class_slot_id != first.class_slot_id
    )
    outcome = book(demo_studio, other, None)
    assert outcome.next == Next.DONE and outcome.booking.class_slot_id == other.class_slot_id
    earlier = TrialBooking.objects.get(class_slot_id=first.class_slot_id)
    assert earlier.status == BookingStatus.FAILED and earlier.failure_reason == "NOT_BOOKED"
    assert upstream_ops().index("getClassBookingsByCustomerId") < upstream_ops().index("bookClassSlotForTrialOffers")


def test_rate_limit_per_ip_address(demo_studio, morning, upstream_ops):
    demo_studio.lead_limit_per_ip_per_hour = 1
    demo_studio.save()
    assert book(demo_studio, first_slot(demo_studio, "Zumba"), lead("one@example.org")).next == Next.DONE
    limited = book(demo_studio, first_slot(demo_studio, "Pilates Mat"), lead("two@example.org"))
    assert limited.reason == "RATE_LIMITED" and "too many sign-ups" in limited.text
    assert upstream_ops().count("createLeadCustomer") == 1
    other_ip = book(
        demo_studio, first_slot(demo_studio, "Pilates Mat"), lead("two@example.org"), client_ip="198.51.100.9"
    )
    assert other_ip.next == Next.DONE


def test_rate_limit_per_email_address(demo_studio, morning):
    demo_studio.lead_limit_per_email_per_day = 1
    demo_studio.save()
    book(demo_studio, first_slot(demo_studio, "Zumba"), lead("mia@example.com"))  # duplicate: still counted
    limited = book(demo_studio, first_slot(demo_studio, "Zumba"), lead("MIA@example.com"), client_ip="198.51.100.1")
    assert limited.reason == "RATE_LIMITED"


# --- Confirmation -------------------------------------------------------------------------------------
@pytest.fixture
def pending(demo_studio, morning) -> TrialBooking:
    outcome = book(demo_studio, first_slot(demo_studio, "Hatha Yoga"), lead())
    mail.outbox.clear()
    return outcome.booking


def test_confirming_in_time(demo_studio, pending, upstream_ops):
    outcome = services.confirm_booking(demo_studio, pending, pending.confirm_by, LINKS)
    assert outcome.reason == "CONFIRMED" and outcome.text == "Your booking is confirmed."
    pending.refresh_from_db()
    assert pending.status == BookingStatus.CONFIRMED and pending.lead.status == LeadStatus.CONFIRMED
    assert [e.subject for e in mail.outbox] == ["Your trial session is booked"]
    assert FunnelWeek.objects.get().bookings_confirmed == 1
    again = services.confirm_booking(demo_studio, pending, pending.confirm_by, LINKS)
    assert again.reason == "CONFIRMED" and len(mail.outbox) == 1
    assert upstream_ops().count("confirmTrialOfferBooking") == 1


def test_confirming_after_the_deadline(demo_studio, pending, upstream_ops):
    with frozen(pending.confirm_by + timedelta(minutes=1)):
        outcome = services.confirm_booking(demo_studio, pending, pending.confirm_by, LINKS)
    assert outcome.reason == "EXPIRED" and "expired" in outcome.text
    assert pending.status == BookingStatus.EXPIRED
    assert "confirmTrialOfferBooking" not in upstream_ops()


def test_upstream_says_expired(demo_studio, pending, script):
    script(confirm_trial_offer_booking=m.BookingConfirmationResult(status="EXPIRED"))
    outcome = services.confirm_booking(demo_studio, pending, pending.confirm_by, LINKS)
    assert outcome.reason == "EXPIRED" and pending.lead.__class__.objects.get().status == LeadStatus.EXPIRED


def test_confirmation_of_a_canceled_booking(demo_studio, pending, script):
    script(
        confirm_trial_offer_booking=errors.BadRequest(
            "c", status=400, error_code="errormessage.trialoffer.booking.canceled"
        )
    )
    outcome = services.confirm_booking(demo_studio, pending, pending.confirm_by, LINKS)
    assert outcome.reason == "BOOKING_CANCELED_BY_STUDIO" and outcome.next == Next.PICK_TIME


def test_confirmation_timeout_is_reconciled_by_reading_the_booking(demo_studio, pending, upstream_ops):
    with timeout_once("confirmTrialOfferBooking"):
        outcome = services.confirm_booking(demo_studio, pending, pending.confirm_by, LINKS)
    assert outcome.reason == "CONFIRMED"
    assert upstream_ops().count("confirmTrialOfferBooking") == 1 and "getClassBookingById" in upstream_ops()


def test_confirmation_when_the_studio_is_down(demo_studio, pending, script):
    script(confirm_trial_offer_booking=unavailable())
    outcome = services.confirm_booking(demo_studio, pending, pending.confirm_by, LINKS)
    assert outcome.next == Next.TRY_AGAIN and pending.status == BookingStatus.CONFIRMATION_PENDING


def test_overdue_confirmations_expire(demo_studio, pending):
    with frozen(pending.confirm_by + timedelta(seconds=1)):
        assert services.expire_overdue() == 1
    pending.refresh_from_db()
    assert pending.status == BookingStatus.EXPIRED and pending.lead.status == LeadStatus.EXPIRED


# --- Privacy ------------------------------------------------------------------------------------------
def test_old_leads_are_anonymised(demo_studio, morning):
    book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    later = timezone.now() + timedelta(days=demo_studio.lead_retention_days + 1)
    assert services.anonymise_old_records(now=later, dry_run=True) == {"leads": 1, "vouchers": 0}
    assert Lead.objects.get().email == "lea.lead@example.org"
    assert services.anonymise_old_records(now=later) == {"leads": 1, "vouchers": 0}
    anonymised = Lead.objects.get()
    assert (anonymised.first_name, anonymised.last_name, anonymised.email) == ("", "", "")
    assert anonymised.status == LeadStatus.BOOKED and anonymised.anonymised_at is not None
    assert services.anonymise_old_records(now=later) == {"leads": 0, "vouchers": 0}


def test_recent_leads_are_kept(demo_studio, morning):
    book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    soon = timezone.now() + timedelta(days=demo_studio.lead_retention_days - 1)
    assert services.anonymise_old_records(now=soon) == {"leads": 0, "vouchers": 0}
