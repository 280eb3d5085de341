"""The upstream reads behind the bookings pages: one reader per operation, each a ``portal.reads.Read``.

Values are small frozen dataclasses (never pydantic models, never image URLs: those expire after
about 15 minutes), so they pickle cheaply into the shared cache. How fresh each read is kept is
``portal.reads.POLICY``; with 200 members browsing at once that keeps the upstream far below 1000
requests per minute per endpoint (counted per shared cache):

- slots: 3 windows, each refreshed at most every 30 s -> 6 calls/min to getClassSlotsForMultipleClasses;
- classes, appointment types: every 5 min; occupancy: every minute;
- appointment slots: per type and 6-day window, every minute (and after any appointment booking);
- a member's bookings: at most once a minute per member (200 members -> 200 calls/min), and read
  again after the member's own booking or cancelation (the write invalidates them).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.utils import timezone

from portal import reads
from portal.models import Studio
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from portal.reads import Read

T = TypeVar("T")
SCHEDULE_DAYS = 14
# The slot listings take ``daysAhead`` (max 6) from a start date; the API does not say whether the
# last day is included, so each window asks for 6 days ahead and keeps 6 days: 3 windows, 18 days.
WINDOW_DAYS = 6
WINDOW_COUNT = 3


# --- Values ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class CancelRule:
    """A class's cancelation condition: until ``value`` ``unit`` before the start, and whether later is allowed."""

    value: int | None
    unit: str | None
    after_latest_possible: bool

    def deadline(self, start: datetime) -> datetime | None:
        if self.value is None or self.unit is None:
            return None
        return subtract_term(start, self.value, self.unit)


@dataclass(frozen=True)
class ClassInfo:
    id: int
    title: str
    category: str
    description: str
    bookable: bool
    stream: bool
    cancel_rule: CancelRule | None


@dataclass(frozen=True)
class Slot:
    id: int
    class_id: int
    title: str
    start: datetime
    end: datetime
    instructors: tuple[Person, ...]
    room: str
    max_participants: int | None
    taken: int  # booked participants plus those the operator added
    waiting: int
    max_waiting: int
    earliest_booking: datetime | None
    latest_booking: datetime | None

    @property
    def spots_left(self) -> int | None:
        if self.max_participants is None:
            return None
        return max(0, self.max_participants - self.taken)

    @property
    def full(self) -> bool:
        return self.spots_left == 0

    @property
    def waiting_list_places(self) -> int:
        return max(0, self.max_waiting - self.waiting)

    @property
    def instructor_names(self) -> str:
        return ", ".join(person.name for person in self.instructors)


@dataclass(frozen=True)
class MemberClassBooking:
    booking_id: int
    status: str
    slot_id: int
    class_id: int
    slot_status: str

    @property
    def active(self) -> bool:
        return self.status != "CANCELED"


@dataclass(frozen=True)
class AppointmentType:
    id: int
    title: str
    duration: int | None
    category: str
    description: str


@dataclass(frozen=True)
class AppointmentSlot:
    type_id: int
    start: datetime
    end: datetime
    start_raw: str  # exactly as the API wrote it: a booking sends it back unchanged
    end_raw: str
    instructors: tuple[Person, ...]

    @property
    def instructor_names(self) -> str:
        return ", ".join(person.name for person in self.instructors)


@dataclass(frozen=True)
class MemberAppointmentBooking:
    booking_id: int
    status: str
    start: datetime
    end: datetime
    title: str
    instructors: tuple[Person, ...]
    appointment_status: str

    @property
    def active(self) -> bool:
        return self.status != "CANCELED"

    @property
    def instructor_names(self) -> str:
        return ", ".join(person.name for person in self.instructors)


# --- Helpers -----------------------------------------------------------------------------------
def studio_zone(studio: Studio) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(studio.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Europe/Berlin")


def studio_now(studio: Studio) -> datetime:
    return timezone.now().astimezone(studio_zone(studio))


def studio_today(studio: Studio) -> date:
    return studio_now(studio).date()


def window_starts(today: date) -> list[date]:
    return [today + timedelta(days=WINDOW_DAYS * index) for index in range(WINDOW_COUNT)]


def window_start_for(day: date, today: date) -> date | None:
    offset = (day - today).days
    if offset < 0 or offset >= WINDOW_DAYS * WINDOW_COUNT:
        return None
    return today + timedelta(days=offset - offset % WINDOW_DAYS)


_TERM_UNITS = {"MINUTES": timedelta(minutes=1), "HOURS": timedelta(hours=1), "DAY": timedelta(days=1)}


def subtract_term(start: datetime, value: int, unit: str) -> datetime | None:
    if unit in _TERM_UNITS:
        return start - value * _TERM_UNITS[unit]
    if unit == "WEEK":
        return start - timedelta(weeks=value)
    if unit in ("MONTH", "YEAR"):
        months = value * (12 if unit == "YEAR" else 1)
        year, month = divmod(start.month - 1 - months, 12)
        year += start.year
        day = min(start.day, 28)  # a deadline months ahead: the safe side of short months
        return start.replace(year=year, month=month + 1, day=day)
    return None


def read(studio: Studio, operation: str, call: Callable[[PerfectGymClient], T]) -> T:
    """One uncached upstream call through the studio's 429 pause (the writes use it too)."""
    # In the studio's language: upstream texts are never shown anyway.
    return reads.call(studio, operation, call, language=studio.default_language)


def _person(instructor: m.Instructor) -> Person:
    return Person(instructor.id, instructor.display_name)


def _local(value: datetime | None, zone: zoneinfo.ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


def slot_from(api_slot: m.ClassSlot, zone: zoneinfo.ZoneInfo) -> Slot | None:
    if api_slot.start_date_time is None or api_slot.end_date_time is None:
        return None  # a slot without a time cannot be shown or booked
    info = api_slot.class_information
    return Slot(
        id=api_slot.id,
        class_id=info.id if info else 0,
        title=(info.title if info else None) or "",
        start=api_slot.start_date_time.astimezone(zone),
        end=api_slot.end_date_time.astimezone(zone),
        instructors=tuple(_person(i) for i in api_slot.instructors),
        room=api_slot.location.name if api_slot.location else "",
        max_participants=api_slot.max_participants,
        taken=(api_slot.booked_participants or 0) + (api_slot.additional_participants or 0),
        waiting=api_slot.waiting_list_participants or 0,
        max_waiting=api_slot.max_waiting_list_participants or 0,
        earliest_booking=_local(api_slot.earliest_booking_date_time, zone),
        latest_booking=_local(api_slot.latest_booking_date_time, zone),
    )


def class_info_from(klass: m.Class) -> ClassInfo:
    condition = klass.cancel_condition
    rule = None
    if condition is not None:
        term = condition.latest_cancel_term
        rule = CancelRule(
            value=term.value if term else None,
            unit=term.unit if term else None,
            after_latest_possible=bool(condition.cancelation_after_latest_possible),
        )
    return ClassInfo(
        id=klass.id,
        title=klass.title or "",
        category=klass.category or "",
        description=klass.description or "",
        bookable=klass.bookable,
        stream=klass.type == "STREAM",
        cancel_rule=rule,
    )


def member_class_booking_from(result: m.ClassSlotBookingResult) -> MemberClassBooking:
    return MemberClassBooking(
        booking_id=result.booking_id,
        status=result.booking_status,
        slot_id=result.class_slot_id,
        class_id=result.class_id,
        slot_status=result.class_slot_status,
    )


def member_appointment_booking_from(
    result: m.AppointmentBookingResult, zone: zoneinfo.ZoneInfo
) -> MemberAppointmentBooking:
    return MemberAppointmentBooking(
        booking_id=result.booking_id,
        status=result.booking_status,
        start=result.start_date_time.astimezone(zone),
        end=result.end_date_time.astimezone(zone),
        title=result.title or "",
        instructors=tuple(_person(i) for i in result.instructors),
        appointment_status=result.appointment_status,
    )


# --- Reads -------------------------------------------------------------------------------------
def _classes(client: PerfectGymClient) -> dict[int, ClassInfo]:
    return {klass.id: class_info_from(klass) for klass in client.all_active_classes()}


def classes_read(studio: Studio) -> Read[dict[int, ClassInfo]]:
    return Read(studio, "getActiveClasses", _classes)


def slots_read(studio: Studio, start: date) -> Read[tuple[Slot, ...]]:
    """The class slots of the 6 days from ``start``, in time order."""
    zone = studio_zone(studio)
    last = start + timedelta(days=WINDOW_DAYS - 1)

    def fetch(client: PerfectGymClient) -> tuple[Slot, ...]:
        found = client.all_class_slots_for_multiple_classes(days_ahead=WINDOW_DAYS, slot_window_start_date=start)
        slots = {}
        for api_slot in found:
            slot = slot_from(api_slot, zone)
            if slot is not None and start <= slot.start.date() <= last:
                slots[slot.id] = slot
        return tuple(sorted(slots.values(), key=lambda slot: (slot.start, slot.title, slot.id)))

    return Read(studio, "getClassSlotsForMultipleClasses", fetch, key=(start.isoformat(),))


def schedule_reads(studio: Studio, today: date) -> list[Read[tuple[Slot, ...]]]:
    return [slots_read(studio, start) for start in window_starts(today)]


def member_classes_read(studio: Studio, customer_id: int) -> Read[tuple[MemberClassBooking, ...]]:
    def fetch(client: PerfectGymClient) -> tuple[MemberClassBooking, ...]:
        return tuple(map(member_class_booking_from, client.get_class_bookings_by_customer_id(customer_id)))

    return Read(studio, "getClassBookingsByCustomerId", fetch, key=(customer_id,))


def member_appointments_read(studio: Studio, customer_id: int) -> Read[tuple[MemberAppointmentBooking, ...]]:
    zone = studio_zone(studio)

    def fetch(client: PerfectGymClient) -> tuple[MemberAppointmentBooking, ...]:
        found = client.get_appointment_bookings(customer_id)
        return tuple(member_appointment_booking_from(result, zone) for result in found)

    return Read(studio, "getAppointmentBookings", fetch, key=(customer_id,))


def _appointment_types(client: PerfectGymClient) -> tuple[AppointmentType, ...]:
    return tuple(
        AppointmentType(
            id=item.id,
            title=item.title or "",
            duration=item.duration,
            category=item.category or "",
            description=item.description or "",
        )
        for item in client.all_bookable_appointments()
    )


def appointment_types_read(studio: Studio) -> Read[tuple[AppointmentType, ...]]:
    return Read(studio, "getBookableAppointments", _appointment_types)


def appointment_slots_read(studio: Studio, type_id: int, start: date) -> Read[tuple[AppointmentSlot, ...]]:
    zone = studio_zone(studio)
    last = start + timedelta(days=WINDOW_DAYS - 1)

    def fetch(client: PerfectGymClient) -> tuple[AppointmentSlot, ...]:
        found = client.get_bookable_appointment_slots(type_id, days_ahead=WINDOW_DAYS, slot_window_start_date=start)
        slots = []
        for item in found:
            if not (
                item.start_date_time and item.end_date_time and item.start_date_time_raw and item.end_date_time_raw
            ):
                continue
            local_start = item.start_date_time.astimezone(zone)
            if not start <= local_start.date() <= last:
                continue
            slots.append(
                AppointmentSlot(
                    type_id=type_id,
                    start=local_start,
                    end=item.end_date_time.astimezone(zone),
                    start_raw=item.start_date_time_raw,
                    end_raw=item.end_date_time_raw,
                    instructors=tuple(_person(i) for i in item.instructors),
                )
            )
        return tuple(sorted(slots, key=lambda slot: slot.start))

    return Read(studio, "getBookableAppointmentSlots", fetch, key=(type_id, start.isoformat()))


# Uncached: ownership checks and reconciling a lost answer must see the upstream as it is now.
def class_booking(studio: Studio, booking_id: int) -> m.ClassSlotBookingResult:
    return read(studio, "getClassBookingById", lambda c: c.get_class_booking_by_id(booking_id))


def appointment_booking(studio: Studio, booking_id: int) -> m.AppointmentBookingResultWithCustomerId:
    return read(studio, "getAppointmentBooking", lambda c: c.get_appointment_booking(booking_id))


def class_slot(studio: Studio, class_id: int, slot_id: int) -> Slot | None:
    return slot_from(
        read(studio, "getClassSlotById", lambda c: c.get_class_slot_by_id(class_id, slot_id)), studio_zone(studio)
    )
