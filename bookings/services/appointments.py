"""Appointments: the bookable types, free times of one type, booking one, and a member's own appointment.

Free times are read per type and 6-day window; after any appointment booking or cancelation every
free-times list is read again (coaches are shared between types).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bookings import sources, texts
from bookings.services.common import (
    NotYours,
    Outcome,
    actor,
    booking_available,
    booking_message,
    cancel_once,
    http_status,
    not_cancelable,
    owned,
    validate_then_book,
)
from bookings.sources import (
    SCHEDULE_DAYS,
    AppointmentSlot,
    AppointmentType,
    MemberAppointmentBooking,
    appointment_slots_read,
    appointment_types_read,
    member_appointment_booking_from,
    member_appointments_read,
    read,
    studio_now,
    studio_today,
    studio_zone,
    window_start_for,
)
from portal import reads, writes
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient as Client
from portal.perfectgym.datetimes import parse_api_datetime
from portal.reads import Cached
from portal.user_messages import message_for


@dataclass
class AppointmentTypesPage:
    types: list[AppointmentType]
    problem: str = ""
    stale: bool = False


def appointment_types_page(studio: Studio) -> AppointmentTypesPage:
    result = reads.read_many(appointment_types_read(studio))[0]
    if not result.has_value:
        return AppointmentTypesPage([], problem=message_for(result.error or errors.Unavailable("appointments")))
    return AppointmentTypesPage(list(result.value or ()), stale=result.stale)


@dataclass
class AppointmentDay:
    date: date
    has_slots: bool | None  # None: not loaded (another window)


@dataclass
class AppointmentPage:
    type: AppointmentType
    day: date
    days: list[AppointmentDay]
    slots: list[AppointmentSlot]
    problem: str = ""
    stale: bool = False
    booking_available: bool = True
    next_day_with_slots: date | None = None


def _appointment_type(types: Cached[Any], slots: Cached[Any], type_id: int) -> AppointmentType:
    """The type from the list; NotYours when there is no such type, a blank one when the list is not loaded."""
    found = next((item for item in types.value or () if item.id == type_id), None)
    if found is not None:
        return found
    if types.has_value or isinstance(slots.error, errors.NotFound):
        raise NotYours
    return AppointmentType(type_id, "", None, "", "")


def _days(today: date, start: date, slots: Cached[Any], with_slots: set[date]) -> list[AppointmentDay]:
    """The 14 days to choose from; whether each has free times is known only inside the loaded window."""
    loaded = {start + timedelta(days=offset) for offset in range(6)} if slots.has_value else set()
    return [
        AppointmentDay(item, (item in with_slots) if item in loaded else None)
        for item in (today + timedelta(days=offset) for offset in range(SCHEDULE_DAYS))
    ]


def _chosen(day: date | None, today: date) -> date | None:
    """The day asked for, when it is one of the 14 days shown."""
    if day is not None and today <= day < today + timedelta(days=SCHEDULE_DAYS):
        return day
    return None


def appointment_page(studio: Studio, type_id: int, day: date | None) -> AppointmentPage:
    """Free times of one appointment type on one day (the 6-day window around it loaded at once)."""
    today, now = studio_today(studio), studio_now(studio)
    chosen = _chosen(day, today)
    shown = chosen or today
    start = window_start_for(shown, today) or today
    types_result, slots_result = reads.read_many(
        appointment_types_read(studio), appointment_slots_read(studio, type_id, start)
    )
    atype = _appointment_type(types_result, slots_result, type_id)
    window = [slot for slot in slots_result.value or () if slot.start > now]
    with_slots = {slot.start.date() for slot in window}
    if chosen is None and window and shown not in with_slots:
        shown = window[0].start.date()  # no day asked for: the first day with free times
    later = sorted(item for item in with_slots if item > shown)
    problem = "" if slots_result.has_value else message_for(slots_result.error or errors.Unavailable("appointments"))
    return AppointmentPage(
        type=atype,
        day=shown,
        days=_days(today, start, slots_result, with_slots),
        slots=[slot for slot in window if slot.start.date() == shown],
        problem=problem,
        stale=slots_result.stale,
        booking_available=booking_available(studio, [slots_result], "bookAppointmentBooking"),
        next_day_with_slots=later[0] if later else None,
    )


def find_appointment_slot(
    studio: Studio, type_id: int, start_raw: str
) -> tuple[AppointmentType, AppointmentSlot | None]:
    """The appointment type and its free slot starting at ``start_raw`` (None when no longer free)."""
    try:
        day = parse_api_datetime(start_raw).astimezone(studio_zone(studio)).date()
    except (TypeError, ValueError):
        day = None
    page = appointment_page(studio, type_id, day)
    slot = next((slot for slot in page.slots if slot.start_raw == start_raw), None) if day == page.day else None
    return page.type, slot


# --- Booking -----------------------------------------------------------------------------------------
def appointment_refusal(status: str) -> str:
    return str(texts.APPOINTMENT_VALIDATION.get(status, texts.APPOINTMENT_VALIDATION["NOT_AVAILABLE"]))


def _appointment_write(studio: Studio, request: m.AppointmentBookingRequest) -> writes.Result:
    validate = ("validateForAppointmentBooking", Client.validate_for_appointment_booking)
    book = ("bookAppointmentBooking", Client.book_appointment_booking)
    result = validate_then_book(studio, request, validate, book, texts.APPOINTMENT_VALIDATION)
    return {"status": result.booking_status, "booking_id": result.booking_id}


def booking_at(studio: Studio, customer_id: int, start: datetime) -> writes.Result | None:
    """The member's appointment booked for ``start`` as the upstream has it now (after a lost answer)."""
    found = reads.read_now(member_appointments_read(studio, customer_id))
    match = next((b for b in found if b.active and b.start == start), None)
    return {"status": match.status, "booking_id": match.booking_id} if match else None


def book_appointment(
    studio: Studio,
    customer_id: int,
    type_id: int,
    start_raw: str,
    end_raw: str,
    raw_key: str | None,
    *,
    poll: bool = False,
) -> Outcome:
    """Validate, then book one appointment slot (the start and end exactly as the slot listing gave them)."""
    key = writes.parse_key(raw_key, f"appointment:{type_id}@{start_raw}")
    try:
        start, end = parse_api_datetime(start_raw), parse_api_datetime(end_raw)
    except (TypeError, ValueError):
        return Outcome(False, str(texts.FORM_EXPIRED), status=422)
    zone = studio_zone(studio)
    slot = AppointmentSlot(type_id, start.astimezone(zone), end.astimezone(zone), start_raw, end_raw, ())
    if key is None or len(start_raw) > 60 or len(end_raw) > 60:
        return Outcome(False, str(texts.FORM_EXPIRED), status=422, appointment_slot=slot)
    request = m.AppointmentBookingRequest(
        customer_id=customer_id, bookable_appointment_id=type_id, start_date_time=start_raw, end_date_time=end_raw
    )
    outcome = writes.run_once(
        studio,
        actor(customer_id),
        key,
        lambda: _appointment_write(studio, request),
        lambda: booking_at(studio, customer_id, slot.start),
        action="appointment.book",
        target={"appointment": type_id, "start": start_raw},
        audit={"appointment": type_id},
        changes=_appointment_changes(customer_id),
        poll=poll,
    )
    message = booking_message(outcome, texts.APPOINTMENT_BOOKING_RESULT, appointment_refusal)
    return Outcome(
        outcome.ok, message, status=http_status(outcome), appointment_slot=slot, in_progress=outcome.in_progress
    )


def _appointment_changes(customer_id: int) -> list[writes.Change]:
    """What an appointment booking or cancelation changes: the member's appointments, and every
    free-times list (coaches are shared between appointment types)."""
    return [("getAppointmentBookings", (customer_id,)), ("getBookableAppointmentSlots", None)]


# --- A member's appointment (ownership, cancelation) -------------------------------------------------
def appointment_booking(studio: Studio, customer_id: int, booking_id: int) -> MemberAppointmentBooking:
    """The member's own appointment booking; NotYours for anyone else's."""
    result = reads.read_many(member_appointments_read(studio, customer_id))[0]
    booking = next((b for b in result.value or () if b.booking_id == booking_id), None)
    if booking is not None:
        return booking
    found = owned(lambda: sources.appointment_booking(studio, booking_id), customer_id)
    return member_appointment_booking_from(found, studio_zone(studio))


def appointment_can_cancel(studio: Studio, booking: MemberAppointmentBooking) -> bool:
    return booking.active and booking.appointment_status == "PLANNED" and booking.start > studio_now(studio)


def cancel_appointment(studio: Studio, customer_id: int, booking_id: int, *, poll: bool = False) -> Outcome:
    """Cancel the member's own appointment (NotYours for anyone else's); ``poll`` as for ``cancel_class``."""
    if poll:
        return cancel_once(studio, customer_id, "appointment.cancel", booking_id, poll=True)
    booking = appointment_booking(studio, customer_id, booking_id)
    refused = not_cancelable(booking.active, appointment_can_cancel(studio, booking))
    if refused is not None:
        return refused
    return cancel_once(
        studio,
        customer_id,
        "appointment.cancel",
        booking_id,
        send=lambda: read(studio, "deleteAppointmentBooking", lambda c: c.delete_appointment_booking(booking_id)),
        canceled=lambda: sources.appointment_booking(studio, booking_id).booking_status == "CANCELED",
        done=texts.APPOINTMENT_CANCELED,
        changes=_appointment_changes(customer_id),
    )
