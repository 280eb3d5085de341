"""Trial journeys left unknown, settled by the job every minute (``reconcile_writes``) as the next click would."""

from __future__ import annotations

import pytest
from django.core import mail

from portal import writes
from portal.models import AuditEntry, Write
from portal.perfectgym import errors
from tests.trialoffers.conftest import timeout_once, unavailable
from tests.trialoffers.test_services import LINKS, book, customers_with, first_slot, lead, trial_bookings
from trialoffers import services
from trialoffers.models import BookingStatus, Lead, LeadCreation, LeadStatus, TrialBooking
from trialoffers.outcomes import Next


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = LINKS.base_url


def unknown_booking(studio, script, title: str = "Zumba", *, booked: bool):
    """The visitor books; the answer is lost and reading the customer's bookings fails too."""
    choice = first_slot(studio, title)
    if booked:
        script(get_class_bookings_by_customer_id=unavailable())
        with timeout_once("bookClassSlotForTrialOffers"):  # the sandbox books, then times out
            outcome = book(studio, choice, lead())
    else:
        lost = errors.OutcomeUnknown("bookClassSlotForTrialOffers")
        script(book_class_slot_for_trial_offers=lost, get_class_bookings_by_customer_id=unavailable())
        outcome = book(studio, choice, lead())
    assert outcome.next == Next.CHECK_AGAIN and outcome.booking.status == BookingStatus.UNKNOWN
    script()  # the studio answers normally again; the visitor does not come back
    mail.outbox.clear()
    return choice


def test_a_booking_that_went_through_is_recorded_and_mailed(demo_studio, morning, script):
    unknown_booking(demo_studio, script, booked=True)

    counts = writes.reconcile_unknown()

    assert counts["done"] == 1
    booking = TrialBooking.objects.get()
    [customer] = customers_with(demo_studio, "lea.lead@example.org")
    [stored] = trial_bookings(demo_studio, customer["id"])
    assert booking.status == BookingStatus.BOOKED and booking.booking_id == stored["id"]
    assert Lead.objects.get().status == LeadStatus.BOOKED
    assert len(mail.outbox) == 1  # the booking e-mail, as after an answer that arrived
    entry = AuditEntry.objects.get(action="trial.booking", outcome="reconciled:done")
    assert entry.details == {"lead_customer_id": customer["id"], "booking_id": stored["id"]}
    assert Write.objects.get(action="trial.book").state == Write.State.FAILED  # the form's claim is free again


def test_the_visitors_next_click_then_shows_the_booking_without_sending(demo_studio, morning, script, upstream_ops):
    choice = unknown_booking(demo_studio, script, booked=True)
    writes.reconcile_unknown()

    again = book(demo_studio, choice, lead())

    assert again.next == Next.DONE and again.booking.status == BookingStatus.BOOKED
    assert upstream_ops().count("bookClassSlotForTrialOffers") == 1


def test_a_booking_that_never_arrived_is_not_booked_and_the_next_click_books(demo_studio, morning, script):
    choice = unknown_booking(demo_studio, script, booked=False)

    counts = writes.reconcile_unknown()

    assert counts["failed"] == 1
    booking = TrialBooking.objects.get()
    assert booking.status == BookingStatus.FAILED and booking.failure_reason == "NOT_BOOKED"
    assert AuditEntry.objects.filter(action="trial.booking", outcome="reconciled:failed").count() == 1
    assert mail.outbox == []
    again = book(demo_studio, choice, None)
    assert again.next == Next.DONE and again.booking.pk == booking.pk


def test_while_reading_fails_the_journey_stays_unknown(demo_studio, morning, script):
    unknown_booking(demo_studio, script, booked=True)
    script(get_class_bookings_by_customer_id=unavailable())

    counts = writes.reconcile_unknown()

    assert counts["still unknown"] == 1 and counts["done"] == 0
    assert TrialBooking.objects.get().status == BookingStatus.UNKNOWN
    assert Lead.objects.get().status == LeadStatus.UNKNOWN


def test_without_a_public_address_bookings_wait_for_the_visitor(demo_studio, morning, script, settings):
    unknown_booking(demo_studio, script, booked=True)
    settings.PUBLIC_BASE_URL = ""  # the e-mail's links could not be written

    assert writes.reconcile_unknown()["no reconciler"] == 1
    assert TrialBooking.objects.get().status == BookingStatus.UNKNOWN


def test_a_lead_whose_creation_went_through_is_recorded(demo_studio, morning, script):
    script(search_customers=unavailable())
    with timeout_once("createLeadCustomer"):
        outcome = book(demo_studio, first_slot(demo_studio, "Zumba"), lead())
    assert outcome.next == Next.CHECK_AGAIN
    script()

    assert writes.reconcile_unknown()["done"] == 1

    found = Lead.objects.get()
    [customer] = customers_with(demo_studio, "lea.lead@example.org")
    assert found.creation == LeadCreation.CREATED and found.lead_customer_id == customer["id"]
    assert AuditEntry.objects.filter(action="trial.lead_created", outcome="reconciled:done").count() == 1


def test_a_journey_a_visitor_is_working_on_is_left_alone(demo_studio, morning, script):
    choice = unknown_booking(demo_studio, script, booked=True)
    claim = Write.objects.get(key=services.form_key(demo_studio, "trial.book", choice.nonce))
    Write.objects.filter(pk=claim.pk).update(state=Write.State.PENDING)  # a click is being answered right now

    assert writes.reconcile_unknown()["busy"] == 1
    assert TrialBooking.objects.get().status == BookingStatus.UNKNOWN
