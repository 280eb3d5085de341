"""Classes: the timetable's classes, their generated slots, and class bookings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, int_param, operation
from sandbox.schedule.common import add_term, listing_window, public, sliced_entities
from sandbox.schedule.rules import BOOKED, WAITING_LIST, cancel_booking, listed_bookings, require_booking
from sandbox.schedule.timetable import ClassSlot, Timetable, book_class, validate_class


def _require_class(ctx: SandboxRequest, class_id: str) -> dict:
    klass = ctx.store.get("class", int_param(class_id, "classId"))
    if klass is None:
        raise ApiProblem.not_found("classId")
    return klass


@operation("GET", "/v1/classes", "getActiveClasses")
def get_active_classes(ctx: SandboxRequest) -> dict:
    timetable = Timetable(ctx)
    scheduled = {slot.klass["id"] for slot in timetable.slots(*listing_window(ctx))}
    return sliced_entities(ctx, [klass for klass in timetable.classes.values() if klass["id"] in scheduled])


@operation("GET", "/v1/classes/{classId}", "getClassById")
def get_class_by_id(ctx: SandboxRequest, classId: str) -> dict:
    return public(_require_class(ctx, classId))


@operation("GET", "/v1/classes/{classId}/slots", "getClassSlots")
def get_class_slots(ctx: SandboxRequest, classId: str) -> dict:
    klass = _require_class(ctx, classId)
    timetable = Timetable(ctx)
    return timetable.sliced_slots(timetable.slots(*listing_window(ctx), class_ids={klass["id"]}))


@operation("GET", "/v1/classes/slots", "getClassSlotsForMultipleClasses")
def get_class_slots_for_multiple_classes(ctx: SandboxRequest) -> dict:
    first = ctx.query_date("slotWindowStartDate", ctx.today)
    days = ctx.query_int("daysAhead", 1, minimum=0, maximum=6)
    timetable = Timetable(ctx)
    return timetable.sliced_slots(timetable.slots(first, first + timedelta(days=days)))


@operation("GET", "/v1/classes/{classId}/slots/{classSlotId}", "getClassSlotById")
def get_class_slot_by_id(ctx: SandboxRequest, classId: str, classSlotId: str) -> dict:
    klass = _require_class(ctx, classId)
    timetable = Timetable(ctx)
    slot = timetable.find(int_param(classSlotId, "classSlotId"))
    if slot is None or slot.klass["id"] != klass["id"]:
        raise ApiProblem.not_found("classSlotId")
    return timetable.render(slot, timetable.counts([slot])[slot.id])


@operation("POST", "/v1/classes/booking/validate", "validateClassSlot")
def validate_class_slot(ctx: SandboxRequest) -> dict:
    return validate_class(ctx)


@operation("POST", "/v1/classes/booking/book", "bookClassSlot")
def book_class_slot(ctx: SandboxRequest) -> dict:
    return book_class(ctx)


@operation("GET", "/v1/classes/booking/{bookingId}", "getClassBookingById")
def get_class_booking_by_id(ctx: SandboxRequest, bookingId: str) -> dict:
    return Timetable(ctx).render_booking(require_booking(ctx, "class_booking", bookingId))


@operation("DELETE", "/v1/classes/booking/{bookingId}", "cancelClassSlotById")
def cancel_class_slot_by_id(ctx: SandboxRequest, bookingId: str) -> None:
    """Cancel within the class's cancel condition; a freed place goes to the waiting list's first."""
    booking = require_booking(ctx, "class_booking", bookingId)
    timetable = Timetable(ctx)
    slot = timetable.find(booking["classSlotId"])
    if slot is not None:
        ctx.store.lock("timetable_entry", slot.entry["id"])
    status = cancel_booking(
        ctx,
        "class_booking",
        require_booking(ctx, "class_booking", bookingId, lock=True),
        # A waiting list place can be given up until the start.
        after_cancel_term=lambda held, start: held != WAITING_LIST and _after_cancel_term(ctx, slot, start),
    )
    if status != WAITING_LIST and slot is not None:
        _promote_waiting_list(ctx, timetable, slot)
    return None


def _after_cancel_term(ctx: SandboxRequest, slot: ClassSlot | None, start: datetime) -> bool:
    condition = (slot.klass.get("cancelCondition") if slot else None) or {}
    term = condition.get("latestCancelTerm")
    if not term or condition.get("cancelationAfterLatestPossible"):
        return False
    return ctx.now > add_term(start, term, -1)


def _promote_waiting_list(ctx: SandboxRequest, timetable: Timetable, slot: ClassSlot) -> None:
    counts = timetable.counts([slot])[slot.id]
    if counts.booked >= int(slot.entry["maxParticipants"]):
        return
    for waiting in ctx.store.all("class_booking", classSlotId=slot.id, bookingStatus=WAITING_LIST):
        waiting["bookingStatus"] = BOOKED
        ctx.store.save("class_booking", waiting)
        return


@operation("GET", "/v1/classes/booking", "getClassBookingsByCustomerId")
def get_class_bookings_by_customer_id(ctx: SandboxRequest) -> list:
    bookings = listed_bookings(ctx, "class_booking")
    timetable = Timetable(ctx)
    return [timetable.render_booking(booking) for booking in bookings]
