"""The class schedule: the next 14 days of classes, filtered, grouped by day, the member's own bookings marked.

Read once per request (``schedule_data``), several reads at a time through ``portal.reads``; a booking
reads it once too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from bookings.services.common import Unreachable, booking_available, first_error, when
from bookings.sources import (
    SCHEDULE_DAYS,
    ClassInfo,
    MemberClassBooking,
    Person,
    Slot,
    classes_read,
    member_classes_read,
    schedule_reads,
    studio_now,
    studio_today,
    studio_zone,
)
from portal import reads
from portal.models import Studio
from portal.perfectgym import errors
from portal.reads import Cached
from portal.services import Occupancy, occupancy_read
from portal.user_messages import message_for

TIMES_OF_DAY = {
    "morning": (time(0, 0), time(12, 0)),
    "afternoon": (time(12, 0), time(17, 0)),
    "evening": (time(17, 0), time(23, 59, 59)),
}


@dataclass(frozen=True)
class ScheduleFilters:
    day: date | None = None
    category: str = ""
    instructor: int | None = None
    time_of_day: str = ""

    @property
    def active(self) -> bool:
        return bool(self.day or self.category or self.instructor or self.time_of_day)

    def matches(self, slot: Slot, category: str) -> bool:
        if self.day and slot.start.date() != self.day:
            return False
        if self.category and category != self.category:
            return False
        if self.instructor and all(person.id != self.instructor for person in slot.instructors):
            return False
        if self.time_of_day in TIMES_OF_DAY:
            first, last = TIMES_OF_DAY[self.time_of_day]
            if not first <= slot.start.time() < last:
                return False
        return True

    def query(self) -> str:
        """The filters as a query string (``?day=…``), empty when none is set."""
        params = {
            "day": self.day.isoformat() if self.day else "",
            "category": self.category,
            "instructor": self.instructor or "",
            "time": self.time_of_day,
        }
        params = {key: value for key, value in params.items() if value}
        return f"?{urlencode(params)}" if params else ""


# What a slot's button area shows. Members see their own booking first.
BOOKED, WAITING = "booked", "waiting"
BOOK, WAITLIST = "book", "waitlist"
FULL, OPENS_LATER, CLOSED, DISPLAY_ONLY, PAUSED = "full", "opens_later", "closed", "display_only", "paused"


@dataclass(frozen=True)
class SlotView:
    slot: Slot
    category: str
    action: str
    booking: MemberClassBooking | None = None
    message: str = ""  # after a booking attempt: what happened, shown in the slot
    message_ok: bool = True

    @property
    def id(self) -> int:
        return self.slot.id

    @property
    def opens_at(self) -> str:
        return when(self.slot.earliest_booking)


def slot_action(
    slot: Slot, info: ClassInfo | None, booking: MemberClassBooking | None, now: datetime, available: bool
) -> str:
    if booking is not None and booking.active:
        return WAITING if booking.status == "WAITING_LIST" else BOOKED
    if info is not None and not info.bookable:
        return DISPLAY_ONLY
    if slot.start <= now or (slot.latest_booking and now > slot.latest_booking):
        return CLOSED
    if slot.earliest_booking and now < slot.earliest_booking:
        return OPENS_LATER
    if slot.full and slot.waiting_list_places == 0:
        return FULL
    if not available:
        return PAUSED
    return WAITLIST if slot.full else BOOK


@dataclass(frozen=True)
class Day:
    date: date
    slots: list[SlotView]


@dataclass
class SchedulePage:
    days: list[Day] = field(default_factory=list)
    count: int = 0
    day_choices: list[date] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    instructors: list[Person] = field(default_factory=list)
    occupancy: Occupancy | None = None
    stale: bool = False  # shown with "may be out of date"
    updated_at: datetime | None = None
    problem: str = ""  # nothing could be loaded: why, in plain words
    booking_available: bool = True
    member_problem: str = ""
    signed_in: bool = False


@dataclass
class ScheduleData:
    """What the schedule shows before filtering."""

    slots: list[Slot]
    classes: dict[int, ClassInfo]
    occupancy: Occupancy | None
    member: dict[int, MemberClassBooking]
    stale: bool
    updated_at: datetime | None
    problem: str
    member_problem: str
    available: bool
    error: errors.ApiError | None  # why a window of slots could not be loaded

    def view(self, slot: Slot, booking: MemberClassBooking | None, now: datetime) -> SlotView:
        """One slot as the schedule shows it."""
        info = self.classes.get(slot.class_id)
        action = slot_action(slot, info, booking, now, self.available)
        return SlotView(slot, info.category if info else "", action, booking)


def _member_bookings(result: Cached[Any] | None) -> tuple[dict[int, MemberClassBooking], str]:
    """The member's active class bookings by slot, or why they could not be loaded."""
    if result is None:
        return {}, ""
    if not result.has_value:
        return {}, _("Your own bookings could not be loaded just now, so they are not marked here.")
    return {booking.slot_id: booking for booking in result.value or () if booking.active}, ""


def _updated_at(loaded: list[Cached[Any]], studio: Studio) -> datetime | None:
    stored = [result.stored_at for result in loaded if result.stored_at]
    return datetime.fromtimestamp(min(stored), studio_zone(studio)) if stored else None


def _slots(loaded: list[Cached[Any]], today: date) -> list[Slot]:
    """The slots of the loaded windows, up to the schedule's last day (the windows reach beyond it)."""
    last_day = today + timedelta(days=SCHEDULE_DAYS - 1)
    return [slot for result in loaded for slot in result.value or () if slot.start.date() <= last_day]


def schedule_data(studio: Studio, customer_id: int | None) -> ScheduleData:
    """Everything the schedule shows, read once per request (a booking reads it once too)."""
    today = studio_today(studio)
    windows = schedule_reads(studio, today)
    wanted: list[reads.Read[Any]] = [classes_read(studio), *windows, occupancy_read(studio)]
    if customer_id is not None:
        wanted.append(member_classes_read(studio, customer_id))
    results = reads.read_many(*wanted)
    classes_result, window_results = results[0], results[1 : 1 + len(windows)]
    occupancy_result = results[1 + len(windows)]
    member, member_problem = _member_bookings(results[-1] if customer_id is not None else None)
    loaded = [result for result in window_results if result.has_value]
    stale = len(loaded) < len(window_results) or any(result.stale for result in loaded)
    stale = stale or (classes_result.stale and bool(loaded))
    problem = "" if loaded else message_for(first_error(window_results) or errors.Unavailable("schedule"))
    available = booking_available(studio, loaded, "bookClassSlot")
    return ScheduleData(
        slots=_slots(loaded, today),
        classes=classes_result.value or {},
        occupancy=occupancy_result.value if occupancy_result.has_value else None,
        member=member,
        stale=stale,
        updated_at=_updated_at(loaded, studio),
        problem=problem,
        member_problem=member_problem,
        available=available,
        error=next((result.error for result in window_results if not result.has_value), None),
    )


def schedule_page(
    studio: Studio, filters: ScheduleFilters, customer_id: int | None = None, data: ScheduleData | None = None
) -> SchedulePage:
    """The next 14 days of classes, filtered and grouped by day, with the member's own bookings marked."""
    data = data or schedule_data(studio, customer_id)
    now, today = studio_now(studio), studio_today(studio)
    by_day: dict[date, list[SlotView]] = {}
    categories: set[str] = set()
    instructors: dict[int, Person] = {}
    for slot in (slot for slot in data.slots if slot.start > now):
        view = data.view(slot, data.member.get(slot.id), now)
        categories.update([view.category] if view.category else [])
        instructors.update((person.id, person) for person in slot.instructors)
        if filters.matches(slot, view.category):
            by_day.setdefault(slot.start.date(), []).append(view)
    days = [Day(day, by_day[day]) for day in sorted(by_day)]
    return SchedulePage(
        days=days,
        count=sum(len(day.slots) for day in days),
        day_choices=[today + timedelta(days=offset) for offset in range(SCHEDULE_DAYS)],
        categories=sorted(categories, key=str.casefold),
        instructors=sorted(instructors.values(), key=lambda person: person.name.casefold()),
        occupancy=data.occupancy,
        stale=data.stale,
        updated_at=data.updated_at,
        problem=data.problem,
        booking_available=data.available,
        member_problem=data.member_problem,
        signed_in=customer_id is not None,
    )


def find_slot(data: ScheduleData, slot_id: int) -> Slot | None:
    """A class slot of the next 14 days; Unreachable when it could not be looked up."""
    slot = next((slot for slot in data.slots if slot.id == slot_id), None)
    if slot is None and data.error is not None:
        raise Unreachable(data.error)  # the slot may well exist: it just could not be looked up
    return slot


def slot_view(studio: Studio, slot_id: int, customer_id: int | None) -> SlotView | None:
    """One slot as the schedule shows it (for the booking page)."""
    data = schedule_data(studio, customer_id)
    slot = find_slot(data, slot_id)
    return data.view(slot, data.member.get(slot_id), studio_now(studio)) if slot else None
