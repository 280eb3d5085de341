"""Booking the chosen time for the journey's lead: validate, book (recorded ahead), and find it again
after a timeout, so that a journey holds one booking at most."""

from __future__ import annotations

import calendar
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal import audit, reads, upstream
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from trialoffers import tokens
from trialoffers.models import BookingStatus, FunnelWeek, Lead, LeadStatus, OfferKind, TrialBooking
from trialoffers.outcomes import Outcome, booking_error_status
from trialoffers.services.emails import Links, send_booking_email
from trialoffers.services.records import (
    fail,
    set_booking,
    set_lead,
    unanswered,
    unknown,
    upstream_failure,
    validation_failure,
)

logger = logging.getLogger("portal.trialoffers")

# The API's bookingStatus values that hold a place, and what the booking becomes.
_HELD = {
    "BOOKED": BookingStatus.BOOKED,
    "BOOKED_WITH_CONFIRMATION_REQUIRED": BookingStatus.CONFIRMATION_PENDING,
    "WAITING_LIST": BookingStatus.WAITING_LIST,
}
_EMAIL_TEMPLATE = {"BOOKED": "booked", "BOOKED_WITH_CONFIRMATION_REQUIRED": "confirm", "WAITING_LIST": "waiting_list"}


def add_term(moment: datetime, term: m.TermWithMinutes) -> datetime:
    units = {"MINUTES": timedelta(minutes=1), "HOURS": timedelta(hours=1), "DAY": timedelta(days=1)}
    if term.unit in units:
        return moment + term.value * units[term.unit]
    if term.unit == "WEEK":
        return moment + timedelta(weeks=term.value)
    months = term.value * (12 if term.unit == "YEAR" else 1)
    year, month_index = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)


def _customer_id(lead: Lead) -> int:
    assert lead.lead_customer_id is not None  # booking only ever follows a created lead
    return lead.lead_customer_id


def _validate(studio: Studio, lead: Lead, booking: TrialBooking) -> str:
    client = upstream.client_for(studio)
    if booking.kind == OfferKind.CLASS:
        request = m.ClassSlotBookingRequest(customer_id=_customer_id(lead), class_slot_id=booking.class_slot_id)
        return client.validate_class_slot_for_trial_offers(request).validation_status
    return client.validate_for_appointment_booking_for_trial_offers(
        _appointment_request(lead, booking)
    ).validation_status


def _send_book(studio: Studio, lead: Lead, booking: TrialBooking) -> tuple[str, int]:
    client = upstream.client_for(studio)
    if booking.kind == OfferKind.CLASS:
        request = m.ClassSlotBookingRequest(customer_id=_customer_id(lead), class_slot_id=booking.class_slot_id)
        result = client.book_class_slot_for_trial_offers(request)
        return result.booking_status, result.booking_id
    answer = client.book_appointment_for_trial_offer(_appointment_request(lead, booking))
    return answer.booking_status, answer.booking_id


def _appointment_request(lead: Lead, booking: TrialBooking) -> m.AppointmentBookingRequest:
    return m.AppointmentBookingRequest(
        customer_id=_customer_id(lead),
        bookable_appointment_id=booking.offer_id,
        start_date_time=booking.start_raw,
        end_date_time=booking.end_raw,
    )


def _find_booking(studio: Studio, lead: Lead, booking: TrialBooking) -> tuple[str, int] | None:
    """After a book that timed out: the booking, read from the customer's bookings. Raises ApiError.

    The listings cover two weeks around today; a booked slot further ahead is not in them (None).
    """
    # Uncached (``reads.call``): reconciling must see the upstream as it is now.
    customer_id = _customer_id(lead)
    if booking.kind == OfferKind.CLASS:
        classes = reads.call(
            studio, "getClassBookingsByCustomerId", lambda client: client.get_class_bookings_by_customer_id(customer_id)
        )
        for found in classes:
            if found.class_slot_id == booking.class_slot_id and found.booking_status != "CANCELED":
                return found.booking_status, found.booking_id
        return None
    appointments = reads.call(
        studio, "getAppointmentBookings", lambda client: client.get_appointment_bookings(customer_id)
    )
    for appointment in appointments:
        if (
            appointment.start_date_time == booking.starts_at
            and appointment.end_date_time == booking.ends_at
            and appointment.booking_status != "CANCELED"
        ):
            return appointment.booking_status, appointment.booking_id
    return None


def reconcile_booking(
    studio: Studio, lead: Lead, booking: TrialBooking, config: m.TrialOfferConfig, links: Links
) -> Outcome | None:
    """Learn by reading whether an earlier book call went through. None: it did not, booking may go ahead."""
    try:
        found = _find_booking(studio, lead, booking)
    except errors.ApiError as exc:
        logger.info("trial booking reconcile failed booking=%s error=%s", booking.pk, type(exc).__name__)
        return unknown(lead, "OUTCOME_UNKNOWN", booking)
    if found is not None:
        return _booked(studio, lead, booking, config, *found, links=links)
    if booking.ends_at > timezone.now() + timedelta(days=14):
        # Beyond the listings' reach: ask validation instead. AVAILABLE means nothing was booked.
        try:
            status = _validate(studio, lead, booking)
        except errors.ApiError:
            return unknown(lead, "OUTCOME_UNKNOWN", booking)
        if status != "AVAILABLE":
            return unknown(lead, "PROBABLY_BOOKED", booking)
    return None


def _booking_for(lead: Lead, choice: tokens.SlotChoice) -> TrialBooking:
    booking, _created = TrialBooking.objects.get_or_create(
        lead=lead,
        slot_key=choice.slot_key,
        defaults={
            "kind": choice.kind,
            "offer_id": choice.offer_id,
            "offer_title": choice.title[:200],
            "class_slot_id": choice.class_slot_id,
            "start_raw": choice.start_raw,
            "end_raw": choice.end_raw,
            "starts_at": choice.starts_at,
            "ends_at": choice.ends_at,
            "location": choice.location[:200],
            "instructors": choice.instructors[:300],
        },
    )
    return booking


def book(studio: Studio, lead: Lead, choice: tokens.SlotChoice, config: m.TrialOfferConfig, links: Links) -> Outcome:
    """Book the chosen time for the (created) lead, after settling what earlier attempts left unknown."""
    # An earlier attempt at another time whose answer never came: find out first (one booking per journey).
    for earlier in lead.bookings.filter(status=BookingStatus.UNKNOWN).exclude(slot_key=choice.slot_key):
        outcome = reconcile_booking(studio, lead, earlier, config, links)
        if outcome is not None:
            return outcome
        set_booking(earlier, status=BookingStatus.FAILED, failure_reason="NOT_BOOKED")
    booking = _booking_for(lead, choice)
    if booking.status == BookingStatus.UNKNOWN:
        outcome = reconcile_booking(studio, lead, booking, config, links)
        if outcome is not None:
            return outcome
    set_booking(booking, status=BookingStatus.PENDING, failure_reason="", attempts=booking.attempts + 1)
    set_lead(lead, status=LeadStatus.STARTED, reason="")

    try:
        validation = _validate(studio, lead, booking)
    except errors.ApiError as exc:
        if not unanswered(exc):
            return validation_failure(lead, exc, booking)
        error = type(exc).__name__
        logger.info("trial booking pre-check unanswered studio=%s booking=%s error=%s", studio.pk, booking.pk, error)
        validation = "AVAILABLE"  # the book call validates too
    if validation != "AVAILABLE":
        logger.info("trial booking refused studio=%s booking=%s status=%s", studio.pk, booking.pk, validation)
        return fail(lead, validation, booking)
    return _send(studio, lead, booking, config, links)


def _send(studio: Studio, lead: Lead, booking: TrialBooking, config: m.TrialOfferConfig, links: Links) -> Outcome:
    # Write-ahead, as for the lead: a crash after sending leaves "unknown", and the next attempt reads first.
    set_booking(booking, status=BookingStatus.UNKNOWN)
    try:
        status, booking_id = _send_book(studio, lead, booking)
    except errors.OutcomeUnknown:
        set_booking(booking, failure_reason="OUTCOME_UNKNOWN")
        outcome = reconcile_booking(studio, lead, booking, config, links)
        return outcome if outcome is not None else unknown(lead, "OUTCOME_UNKNOWN", booking)
    except errors.BadRequest as exc:
        reason = booking_error_status(exc.error_code) or "NOT_AVAILABLE"
        audit.record(studio, "trial.booking", actor="lead", outcome=reason.lower(), error=exc)
        return fail(lead, reason, booking)
    except errors.ApiError as exc:
        audit.record(studio, "trial.booking", actor="lead", outcome="error", error=exc)
        return upstream_failure(lead, exc, booking)
    return _booked(studio, lead, booking, config, status, booking_id, links=links)


def _booked(
    studio: Studio,
    lead: Lead,
    booking: TrialBooking,
    config: m.TrialOfferConfig,
    status: str,
    booking_id: int,
    *,
    links: Links,
) -> Outcome:
    """Record the API's bookingStatus and send the matching e-mail."""
    audit.record(
        studio,
        "trial.booking",
        actor="lead",
        outcome=status.lower(),
        details={"lead_customer_id": lead.lead_customer_id, "booking_id": booking_id},
    )
    if status not in _HELD:  # CANCELED straight away
        set_booking(booking, booking_id=booking_id)
        return fail(lead, "CANCELED", booking)
    changes: dict[str, Any] = {"status": _HELD[status], "failure_reason": "", "booking_id": booking_id}
    if status == "BOOKED_WITH_CONFIRMATION_REQUIRED":
        term = config.confirmation_of_booking_term
        deadline = add_term(timezone.now(), term) if term else booking.starts_at
        changes["confirm_by"] = min(deadline, booking.starts_at)
    try:
        with transaction.atomic():
            set_booking(booking, **changes)
    except IntegrityError:  # the journey already holds a booking (constraint): that one counts
        held = lead.held_booking()
        assert held is not None  # the constraint only fails next to a held booking
        logger.warning("trial booking beyond the journey's one booking=%s upstream=%s", booking.pk, booking_id)
        set_booking(booking, status=BookingStatus.FAILED, failure_reason="SECOND_BOOKING", booking_id=booking_id)
        return Outcome.done(held)
    set_lead(lead, status=LeadStatus(_HELD[status].value), reason="")
    if status == "BOOKED":
        FunnelWeek.bump(studio, "bookings_confirmed")
    logger.info("trial booked studio=%s booking=%s status=%s", studio.pk, booking.pk, status)
    send_booking_email(studio, booking, _EMAIL_TEMPLATE[status], links)
    return Outcome.done(booking)
