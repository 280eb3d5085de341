"""Class slots: generated from the weekly timetable, counted, validated and booked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest
from sandbox.schedule.common import WEEKDAYS, body_int, days_between, listing_window, local_time, sliced
from sandbox.schedule.rules import (
    AVAILABLE,
    CLASS_WINDOW,
    WAITING_LIST,
    booking_period,
    booking_problem,
    booking_trial,
    booking_window,
    customer_bookings,
    customer_status,
    effective_status,
    is_active,
    new_booking_state,
    no_contingent_left,
    require_customer,
    studio_closed,
)

TrialFor = Callable[["ClassSlot"], dict[str, Any] | None]


def slot_id_for(entry_id: int, day: date) -> int:
    return int(f"{entry_id}{day:%Y%m%d}")


def decode_slot_id(value: Any) -> tuple[int, date] | None:
    text = str(value)
    if not text.isdigit() or len(text) < 9:
        return None
    try:
        return int(text[:-8]), date(int(text[-8:-4]), int(text[-4:-2]), int(text[-2:]))
    except ValueError:
        return None


@dataclass(frozen=True)
class ClassSlot:
    id: int
    entry: dict[str, Any]
    klass: dict[str, Any]
    day: date
    start: datetime
    end: datetime

    @property
    def canceled(self) -> bool:
        return self.day.isoformat() in (self.entry.get("_canceledDates") or [])

    @property
    def window(self) -> tuple[datetime, datetime]:
        return booking_window(self.start, self.klass.get("_bookingWindow") or CLASS_WINDOW)

    def base_participants(self) -> tuple[int, int]:
        """Other members booked and waiting, the same for every request (no stored history)."""
        variation = int(self.entry.get("participantsVariation") or 0)
        jitter = (self.entry["id"] * 7919 + self.day.toordinal() * 31) % (variation + 1)
        booked = min(int(self.entry["maxParticipants"]), int(self.entry.get("baseParticipants") or 0) + jitter)
        return booked, int(self.entry.get("baseWaitingList") or 0)


@dataclass
class SlotCounts:
    booked: int
    waiting: int


class Timetable:
    """The studio's classes and weekly timetable, read once per request."""

    def __init__(self, ctx: SandboxRequest) -> None:
        self.ctx = ctx
        self.classes = {klass["id"]: klass for klass in ctx.store.all("class")}
        self.entries = {entry["id"]: entry for entry in ctx.store.all("timetable_entry")}

    def slot(self, entry: dict[str, Any], day: date) -> ClassSlot | None:
        klass = self.classes.get(entry["classId"])
        if klass is None or WEEKDAYS[day.weekday()] != entry["weekday"]:
            return None
        start = datetime.combine(day, local_time(entry["startTime"]), tzinfo=self.ctx.zone)
        end = start + timedelta(minutes=int(klass.get("duration") or 60))
        return ClassSlot(slot_id_for(entry["id"], day), entry, klass, day, start, end)

    def find(self, slot_id: Any) -> ClassSlot | None:
        decoded = decode_slot_id(slot_id)
        if decoded is None:
            return None
        entry = self.entries.get(decoded[0])
        return self.slot(entry, decoded[1]) if entry else None

    def slots(self, first: date, last: date, class_ids: set[int] | None = None) -> list[ClassSlot]:
        """Scheduled (not canceled) slots between two dates, inside the listing window."""
        window_first, window_last = listing_window(self.ctx)
        found = []
        for day in days_between(max(first, window_first), min(last, window_last)):
            for entry in self.entries.values():
                if class_ids is not None and entry["classId"] not in class_ids:
                    continue
                slot = self.slot(entry, day)
                if slot and not slot.canceled:
                    found.append(slot)
        return found

    def counts(self, slots: Iterable[ClassSlot]) -> dict[int, SlotCounts]:
        wanted = {slot.id: slot for slot in slots}
        stored: dict[int, list[str]] = defaultdict(list)
        if wanted:
            for booking in self.ctx.store.all("class_booking"):
                if booking["classSlotId"] in wanted and is_active(booking, self.ctx.now):
                    stored[booking["classSlotId"]].append(effective_status(booking, self.ctx.now))
        result = {}
        for slot_id, slot in wanted.items():
            base_booked, base_waiting = slot.base_participants()
            statuses = stored[slot_id]
            result[slot_id] = SlotCounts(
                booked=base_booked + sum(1 for status in statuses if status != WAITING_LIST),
                waiting=base_waiting + sum(1 for status in statuses if status == WAITING_LIST),
            )
        return result

    def render(self, slot: ClassSlot, counts: SlotCounts) -> dict[str, Any]:
        fmt = self.ctx.fmt
        earliest, latest = slot.window
        return {
            "id": slot.id,
            "startDateTime": fmt(slot.start),
            "endDateTime": fmt(slot.end),
            "classInformation": {"id": slot.klass["id"], "title": slot.klass.get("title")},
            "instructors": slot.entry.get("instructors") or [],
            "location": slot.entry["location"],
            "earliestBookingDateTime": fmt(earliest),
            "latestBookingDateTime": fmt(latest),
            "maxParticipants": int(slot.entry["maxParticipants"]),
            "maxWaitingListParticipants": int(slot.entry.get("maxWaitingListParticipants") or 0),
            "bookedParticipants": counts.booked,
            "additionalParticipants": int(slot.entry.get("additionalParticipants") or 0),
            "waitingListParticipants": counts.waiting,
        }

    def sliced_slots(self, slots: list[ClassSlot]) -> dict[str, Any]:
        counts = self.counts(slots)

        def cursor_key(offset: str) -> tuple[datetime, int]:
            slot = self.find(offset)
            if slot is None:
                raise ApiProblem.validation("offset", "offset is not a cursor of this listing")
            return slot.start, slot.id

        return sliced(
            self.ctx,
            slots,
            sort_key=lambda slot: (slot.start, slot.id),
            cursor_key=cursor_key,
            cursor_of=lambda slot: str(slot.id),
            render=lambda slot: self.render(slot, counts[slot.id]),
        )

    def slot_status(self, slot: ClassSlot) -> str:
        if slot.canceled:
            return "CANCELED"
        return "COMPLETED" if slot.end <= self.ctx.now else "PLANNED"

    def render_booking(self, booking: dict[str, Any]) -> dict[str, Any]:
        slot = self.find(booking["classSlotId"])
        if slot is not None:
            slot_status = self.slot_status(slot)
        else:
            slot_status = "COMPLETED" if booking_period(booking)[1] <= self.ctx.now else "PLANNED"
        return {
            "bookingId": booking["id"],
            "bookingStatus": effective_status(booking, self.ctx.now),
            "classSlotId": booking["classSlotId"],
            "classId": booking["classId"],
            "customerId": booking["customerId"],
            "classSlotStatus": slot_status,
            "participantStatus": booking.get("participantStatus") or "UNSET",
        }


def class_status(
    ctx: SandboxRequest,
    timetable: Timetable,
    customer: dict[str, Any],
    slot: ClassSlot,
    *,
    trial: dict[str, Any] | None = None,
) -> str:
    """The class validationStatus, most fundamental reason first."""
    now = ctx.now
    if slot.canceled or slot.start <= now:
        return "NOT_AVAILABLE"
    if not slot.klass.get("bookable", True):
        return "DISPLAY_ONLY"
    if studio_closed(ctx, slot.start, slot.end):
        return "STUDIO_CLOSED"
    bookings = customer_bookings(ctx, customer["id"])
    if any(b["_kind"] == "class_booking" and b["classSlotId"] == slot.id for b in bookings):
        return "CUSTOMER_ALREADY_BOOKED"

    def regular() -> str | None:
        return "NO_CONTINGENT" if no_contingent_left(customer, bookings, "class_booking", now) else None

    problem = customer_status(
        ctx, customer, bookings, (slot.start, slot.end), window=slot.window, trial=trial, regular=regular
    )
    if problem:
        return problem
    counts = timetable.counts([slot])[slot.id]
    full = counts.booked >= int(slot.entry["maxParticipants"])
    waiting_list_full = counts.waiting >= int(slot.entry.get("maxWaitingListParticipants") or 0)
    # A full class still takes trial bookings onto its waiting list, as any other: the API answers
    # bookingStatus WAITING_LIST for bookClassSlotForTrialOffers, and BOOKING_LIMIT_REACHED means
    # "Waiting List/Max participant list exceeded" (both lists full).
    if full and waiting_list_full:
        return "BOOKING_LIMIT_REACHED"
    return AVAILABLE


def find_class_slot(timetable: Timetable, slot_id: int) -> ClassSlot:
    slot = timetable.find(slot_id)
    if slot is None:
        raise ApiProblem.not_found("classSlotId")
    return slot


def validate_class(ctx: SandboxRequest, *, trial_for: TrialFor | None = None) -> dict[str, Any]:
    """validateClassSlot and its trial offer twin (``trial_for`` finds the slot's trial config)."""
    data = ctx.body_dict()
    customer_id, slot_id = body_int(data, "customerId"), body_int(data, "classSlotId")
    customer = require_customer(ctx, customer_id)
    timetable = Timetable(ctx)
    slot = find_class_slot(timetable, slot_id)
    if trial_for is None:
        return {"validationStatus": class_status(ctx, timetable, customer, slot)}
    trial = trial_for(slot)
    if trial is None:
        return {"validationStatus": "NOT_AVAILABLE"}
    return {"validationStatus": class_status(ctx, timetable, customer, slot, trial=trial)}


def book_class(ctx: SandboxRequest, *, trial_for: TrialFor | None = None) -> dict[str, Any]:
    """bookClassSlot and its trial offer twin. Capacity is counted under a lock on the slot's entry."""
    data = ctx.body_dict()
    customer_id, slot_id = body_int(data, "customerId"), body_int(data, "classSlotId")
    customer = require_customer(ctx, customer_id, lock=True)
    timetable = Timetable(ctx)
    slot = find_class_slot(timetable, slot_id)
    # Every booking of this timetable entry waits here: the count below cannot go stale.
    ctx.store.lock("timetable_entry", slot.entry["id"])
    trial = booking_trial(ctx, trial_for, slot)
    status = class_status(ctx, timetable, customer, slot, trial=trial)
    if status != AVAILABLE:
        raise booking_problem(ctx, status)
    counts = timetable.counts([slot])[slot.id]
    has_place = counts.booked < int(slot.entry["maxParticipants"])
    booking = ctx.store.create(
        "class_booking",
        {
            "customerId": customer["id"],
            "classSlotId": slot.id,
            "classId": slot.klass["id"],
            "participantStatus": "UNSET",
            "_startDateTime": ctx.fmt(slot.start),
            "_endDateTime": ctx.fmt(slot.end),
            **new_booking_state(ctx, trial, slot.start, has_place=has_place),
        },
    )
    return timetable.render_booking(booking)
