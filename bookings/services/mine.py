"""A member's upcoming bookings, classes and appointments together: "My bookings" and the calendar files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from bookings import sources, texts
from bookings.models import CalendarFeed
from bookings.services.appointments import appointment_can_cancel
from bookings.services.classes import class_detail
from bookings.services.common import NotYours, first_error
from bookings.sources import (
    ClassInfo,
    MemberAppointmentBooking,
    MemberClassBooking,
    Slot,
    classes_read,
    member_appointments_read,
    member_classes_read,
    schedule_reads,
    studio_now,
    studio_today,
)
from portal import reads
from portal.lib import concurrency
from portal.models import Studio
from portal.reads import Cached
from portal.user_messages import message_for

# Slots of bookings beyond the schedule's windows are read one by one: at most this many per page.
MAX_SLOTS_READ = 20


@dataclass(frozen=True)
class Entry:
    """One upcoming booking on "My bookings" and in calendar files."""

    kind: str  # "class" or "appointment"
    booking_id: int
    status: str
    title: str
    start: datetime
    end: datetime
    place: str
    instructors: str
    slot_status: str
    can_cancel: bool

    @property
    def status_label(self) -> str:
        if self.slot_status == "CANCELED":
            return str(texts.SLOT_STATUS["CANCELED"])
        return str(texts.BOOKING_STATUS_LABEL.get(self.status, self.status))

    @property
    def uid(self) -> str:
        return f"{self.kind}-{self.booking_id}"


@dataclass
class MyBookingsPage:
    entries: list[Entry]
    problem: str = ""
    stale: bool = False
    feed: CalendarFeed | None = None


def _class_entry(studio: Studio, booking: MemberClassBooking, slot: Slot, info: ClassInfo | None) -> Entry:
    detail = class_detail(studio, booking, slot, info)
    return Entry(
        kind="class",
        booking_id=booking.booking_id,
        status=booking.status,
        title=slot.title or detail.title,
        start=slot.start,
        end=slot.end,
        place=slot.room,
        instructors=slot.instructor_names,
        slot_status=booking.slot_status,
        can_cancel=detail.can_cancel,
    )


def _appointment_entry(studio: Studio, booking: MemberAppointmentBooking) -> Entry:
    return Entry(
        kind="appointment",
        booking_id=booking.booking_id,
        status=booking.status,
        title=booking.title,
        start=booking.start,
        end=booking.end,
        place="",
        instructors=booking.instructor_names,
        slot_status=booking.appointment_status,
        can_cancel=appointment_can_cancel(studio, booking),
    )


def _slots_of(studio: Studio, bookings: list[MemberClassBooking], windows: list[Cached[Any]]) -> dict[int, Slot]:
    """The slots of the bookings: from the schedule's windows, the few beyond them read one by one."""
    slots = {slot.id: slot for result in windows for slot in result.value or ()}
    missing = [booking for booking in bookings if booking.slot_id not in slots][:MAX_SLOTS_READ]
    if missing:
        fetched = concurrency.gather(
            *[lambda b=b: sources.class_slot(studio, b.class_id, b.slot_id) for b in missing],
            return_exceptions=True,
        )
        slots.update((slot.id, slot) for slot in fetched if isinstance(slot, Slot))
    return slots


def upcoming_entries(studio: Studio, customer_id: int) -> tuple[list[Entry], list[Cached[Any]]]:
    """The member's upcoming class and appointment bookings together, in time order."""
    now = studio_now(studio)
    class_result, appointment_result, classes_result, *windows = reads.read_many(
        member_classes_read(studio, customer_id),
        member_appointments_read(studio, customer_id),
        classes_read(studio),
        *schedule_reads(studio, studio_today(studio)),
    )
    classes = classes_result.value or {}
    class_bookings = [booking for booking in class_result.value or () if booking.active]
    slots = _slots_of(studio, class_bookings, windows)
    entries = [
        _class_entry(studio, booking, slot, classes.get(booking.class_id))
        for booking in class_bookings
        if (slot := slots.get(booking.slot_id)) is not None and slot.end > now
    ]
    entries += [
        _appointment_entry(studio, booking)
        for booking in appointment_result.value or ()
        if booking.active and booking.end > now
    ]
    entries.sort(key=lambda entry: (entry.start, entry.title))
    return entries, [class_result, appointment_result]


def my_bookings_page(studio: Studio, customer_id: int) -> MyBookingsPage:
    entries, results = upcoming_entries(studio, customer_id)
    problem = ""
    if any(not result.has_value for result in results):
        problem = _("Some of your bookings could not be loaded just now: this list may be incomplete.")
        error = first_error(results)
        if error is not None:
            problem = f"{problem} {message_for(error)}"
    return MyBookingsPage(
        entries=entries,
        problem=problem,
        stale=any(result.stale for result in results),
        feed=CalendarFeed.objects.filter(studio=studio, customer_id=customer_id).first(),
    )


def entry_for(studio: Studio, customer_id: int, kind: str, booking_id: int) -> Entry:
    """One of the member's upcoming bookings (for its .ics file); NotYours otherwise."""
    entries, _results = upcoming_entries(studio, customer_id)
    for entry in entries:
        if entry.kind == kind and entry.booking_id == booking_id:
            return entry
    # Not in the list: someone else's, canceled or past. Check ownership to answer the same 404 either way.
    raise NotYours
