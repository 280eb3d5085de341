"""Confirming a booking from the e-mailed link, and expiring bookings whose confirmation never came."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from portal import audit, reads, upstream
from portal.models import Studio
from portal.perfectgym import errors
from portal.user_messages import message_for
from trialoffers.models import BookingStatus, FunnelWeek, Lead, LeadStatus, OfferKind, TrialBooking
from trialoffers.outcomes import Next, Outcome
from trialoffers.outcomes import message as status_message
from trialoffers.services.emails import Links, send_booking_email
from trialoffers.services.records import set_booking


def expire_overdue() -> int:
    """Bookings whose confirmation deadline passed unconfirmed count as expired (as the API treats them)."""
    overdue = TrialBooking.objects.filter(status=BookingStatus.CONFIRMATION_PENDING, confirm_by__lt=timezone.now())
    lead_ids = list(overdue.values_list("lead_id", flat=True))
    count = overdue.update(status=BookingStatus.EXPIRED, failure_reason="EXPIRED")
    Lead.objects.filter(pk__in=lead_ids, status=LeadStatus.CONFIRMATION_PENDING).update(
        status=LeadStatus.EXPIRED, failure_reason="EXPIRED"
    )
    return count


def _confirmed(booking: TrialBooking) -> Outcome:
    return Outcome(next=Next.DONE, reason="CONFIRMED", text=status_message("CONFIRMED"), booking=booking)


def _mark_expired(booking: TrialBooking) -> Outcome:
    TrialBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMATION_PENDING).update(
        status=BookingStatus.EXPIRED, failure_reason="EXPIRED", updated_at=timezone.now()
    )
    Lead.objects.filter(pk=booking.lead_id, status=LeadStatus.CONFIRMATION_PENDING).update(
        status=LeadStatus.EXPIRED, failure_reason="EXPIRED"
    )
    booking.refresh_from_db()
    return Outcome.of("EXPIRED", booking=booking)


def _mark_confirmed(studio: Studio, booking: TrialBooking, links: Links) -> Outcome:
    changed = TrialBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMATION_PENDING).update(
        status=BookingStatus.CONFIRMED, failure_reason="", confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    booking.refresh_from_db()
    if changed:  # only the request that made the change counts it and sends the e-mail
        Lead.objects.filter(pk=booking.lead_id).update(status=LeadStatus.CONFIRMED, failure_reason="")
        FunnelWeek.bump(studio, "bookings_confirmed")
        audit.record(
            studio, "trial.confirm", actor="lead", outcome="confirmed", details={"booking_id": booking.booking_id}
        )
        send_booking_email(studio, booking, "booked", links)
    return _confirmed(booking)


def _read_booking_status(studio: Studio, kind: str, booking_id: int) -> str:
    if kind == OfferKind.CLASS:
        found = reads.call(studio, "getClassBookingById", lambda client: client.get_class_booking_by_id(booking_id))
        return found.booking_status
    appointment = reads.call(studio, "getAppointmentBooking", lambda client: client.get_appointment_booking(booking_id))
    return appointment.booking_status


def _after_timeout(studio: Studio, booking: TrialBooking, booking_id: int, links: Links) -> Outcome:
    """The confirm call timed out: the booking's status says whether it went through."""
    try:
        status = _read_booking_status(studio, booking.kind, booking_id)
    except errors.ApiError:
        return Outcome.of("OUTCOME_UNKNOWN", booking=booking)
    if status == "BOOKED":
        return _mark_confirmed(studio, booking, links)
    if status == "CANCELED":
        return _mark_expired(booking)
    return Outcome.of("OUTCOME_UNKNOWN", booking=booking)


def confirm_booking(studio: Studio, booking: TrialBooking, deadline: datetime, links: Links) -> Outcome:
    """The POST behind the e-mailed link: CONFIRMED or EXPIRED, in plain words."""
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.BOOKED):
        return _confirmed(booking)
    if booking.status == BookingStatus.EXPIRED:
        return Outcome.of("EXPIRED", booking=booking)
    booking_id = booking.booking_id
    if booking.status != BookingStatus.CONFIRMATION_PENDING or not booking_id:
        return Outcome.of("LINK_INVALID", booking=booking)
    if timezone.now() > deadline:
        return _mark_expired(booking)
    try:
        result = upstream.client_for(studio).confirm_trial_offer_booking(booking_id).status
    except errors.OutcomeUnknown:
        return _after_timeout(studio, booking, booking_id, links)
    except (errors.BadRequest, errors.NotFound) as exc:
        audit.record(studio, "trial.confirm", actor="lead", outcome="refused", error=exc)
        set_booking(booking, status=BookingStatus.FAILED, failure_reason="BOOKING_CANCELED_BY_STUDIO")
        Lead.objects.filter(pk=booking.lead_id).update(
            status=LeadStatus.FAILED, failure_reason="BOOKING_CANCELED_BY_STUDIO"
        )
        return Outcome.of("BOOKING_CANCELED_BY_STUDIO", booking=booking)
    except errors.ApiError as exc:
        return Outcome(next=Next.TRY_AGAIN, reason="UPSTREAM", text=message_for(exc), booking=booking)
    if result == "CONFIRMED":
        return _mark_confirmed(studio, booking, links)
    return _mark_expired(booking)
