"""A member's class bookings: book a slot, look at one's own booking and its cancel condition, cancel it.

A write invalidates the cached reads it changed (``portal.reads.invalidate``), never edits them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings import sources, texts
from bookings.services.common import (
    Outcome,
    Unreachable,
    actor,
    booking_message,
    cancel_once,
    http_status,
    not_cancelable,
    owned,
    validate_then_book,
    when,
)
from bookings.services.schedule import ScheduleData, SlotView, find_slot, schedule_data
from bookings.sources import (
    ClassInfo,
    MemberClassBooking,
    Slot,
    classes_read,
    member_class_booking_from,
    member_classes_read,
    read,
    schedule_reads,
    studio_now,
    studio_today,
    window_start_for,
)
from portal import reads, writes
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient as Client


def class_refusal(status: str, slot: Slot | None) -> str:
    if status == "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME" and slot and slot.earliest_booking:
        return texts.BOOKING_OPENS_AT % {"when": when(slot.earliest_booking)}
    if status == "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME" and slot and slot.latest_booking:
        return texts.BOOKING_CLOSED_AT % {"when": when(slot.latest_booking)}
    return str(texts.CLASS_VALIDATION.get(status, texts.CLASS_VALIDATION["NOT_AVAILABLE"]))


def _book(studio: Studio, request: m.ClassSlotBookingRequest) -> writes.Result:
    """Validate, then book; the result is what the slot shows in place of its Book button."""
    validate, book = ("validateClassSlot", Client.validate_class_slot), ("bookClassSlot", Client.book_class_slot)
    result = validate_then_book(studio, request, validate, book, texts.CLASS_VALIDATION)
    return {"status": result.booking_status, "booking_id": result.booking_id, "slot_status": result.class_slot_status}


def booking_of(studio: Studio, request: m.ClassSlotBookingRequest) -> writes.Result | None:
    """The member's booking of the slot as the upstream has it now (after a lost answer)."""
    found = reads.read_now(member_classes_read(studio, request.customer_id))
    match = next((b for b in found if b.slot_id == request.class_slot_id and b.active), None)
    if match is None:
        return None
    return {"status": match.status, "booking_id": match.booking_id, "slot_status": match.slot_status}


def _booked_view(data: ScheduleData, slot: Slot, result: writes.Result, now: datetime) -> SlotView:
    """The slot as it is after this booking: the member's booking and one place fewer (a copy for this
    answer; the cached schedule is invalidated, never edited)."""
    status, slot_status = result["status"], result.get("slot_status", "")
    booking = MemberClassBooking(result["booking_id"], status, slot.id, slot.class_id, slot_status)
    waiting = booking.status == "WAITING_LIST"
    slot = replace(slot, taken=slot.taken + (not waiting), waiting=slot.waiting + waiting)
    return data.view(slot, booking, now)


def book_class(studio: Studio, customer_id: int, slot_id: int, raw_key: str | None, *, poll: bool = False) -> Outcome:
    """Validate, then book one class slot for the signed-in member (once per form key).

    ``poll``: only show what became of the form sent with ``raw_key`` (the page asks while it is sent).
    """
    data = schedule_data(studio, customer_id)
    try:
        slot = find_slot(data, slot_id)
    except Unreachable as exc:
        return Outcome(False, exc.message, status=404)
    if slot is None:
        return Outcome(False, str(texts.NO_LONGER_LISTED), status=404)
    key = writes.parse_key(raw_key, f"class:{slot_id}")
    outcome = writes.Outcome(writes.EXPIRED)
    if key is not None:
        request = m.ClassSlotBookingRequest(customer_id=customer_id, class_slot_id=slot_id)
        outcome = writes.run_once(
            studio,
            actor(customer_id),
            key,
            lambda: _book(studio, request),
            lambda: booking_of(studio, request),
            action="class.book",
            target={"slot": slot_id},
            audit={"slot": slot_id},
            changes=_class_changes(studio, customer_id, slot),
            poll=poll,
        )
    if outcome.fresh and outcome.state == writes.State.REFUSED:  # the page was out of date: as it is now
        data = schedule_data(studio, customer_id)
        slot = find_slot(data, slot_id) or slot
    booked = outcome.ok and slot_id not in data.member  # read before this request booked it
    now = studio_now(studio)
    view = _booked_view(data, slot, outcome.result, now) if booked else data.view(slot, data.member.get(slot_id), now)
    message = booking_message(outcome, texts.CLASS_BOOKING_RESULT, lambda status: class_refusal(status, slot))
    view = replace(view, message=message, message_ok=outcome.ok)
    return Outcome(outcome.ok, message, status=http_status(outcome), slot=view, in_progress=outcome.in_progress)


def _class_changes(studio: Studio, customer_id: int, slot: Slot | None) -> list[writes.Change]:
    """What a booking or cancelation changes: the member's bookings and the slot's window."""
    changes: list[writes.Change] = [("getClassBookingsByCustomerId", (customer_id,))]
    start = window_start_for(slot.start.date(), studio_today(studio)) if slot else None
    if start is not None:
        changes.append(("getClassSlotsForMultipleClasses", (start.isoformat(),)))
    return changes


# --- A member's class booking (ownership, cancelation) -------------------------------------------
@dataclass
class ClassBookingDetail:
    booking: MemberClassBooking
    slot: Slot | None
    info: ClassInfo | None
    cancel_deadline: datetime | None
    can_cancel: bool
    late_allowed: bool  # after the deadline, cancelation is still possible

    @property
    def title(self) -> str:
        return (self.slot.title if self.slot else "") or (self.info.title if self.info else "")

    @property
    def waiting(self) -> bool:
        return self.booking.status == "WAITING_LIST"


def class_booking_detail(studio: Studio, customer_id: int, booking_id: int) -> ClassBookingDetail:
    """The member's own class booking with its slot and cancel condition; NotYours for anyone else's."""
    member_result, classes_result, *windows = reads.read_many(
        member_classes_read(studio, customer_id), classes_read(studio), *schedule_reads(studio, studio_today(studio))
    )
    booking = next((b for b in member_result.value or () if b.booking_id == booking_id), None)
    if booking is None:
        # Booked elsewhere a moment ago, or not this member's: ask the API whose it is.
        booking = member_class_booking_from(owned(lambda: sources.class_booking(studio, booking_id), customer_id))
    slot = next((slot for result in windows for slot in result.value or () if slot.id == booking.slot_id), None)
    if slot is None:
        try:
            slot = sources.class_slot(studio, booking.class_id, booking.slot_id)
        except errors.ApiError:
            slot = None  # shown without its time; canceling still works
    return class_detail(studio, booking, slot, (classes_result.value or {}).get(booking.class_id))


def class_detail(
    studio: Studio, booking: MemberClassBooking, slot: Slot | None, info: ClassInfo | None
) -> ClassBookingDetail:
    """A class booking with its cancel deadline and whether the member may still cancel it now."""
    now = studio_now(studio)
    rule = info.cancel_rule if info else None
    deadline = rule.deadline(slot.start) if (rule and slot) else None
    late_allowed = bool(rule and rule.after_latest_possible)
    started = slot is not None and slot.start <= now
    can_cancel = booking.active and booking.slot_status != "CANCELED" and not started
    if can_cancel and booking.status != "WAITING_LIST" and deadline and now > deadline and not late_allowed:
        can_cancel = False
    return ClassBookingDetail(booking, slot, info, deadline, can_cancel, late_allowed)


def cancel_rule_text(detail: ClassBookingDetail) -> str:
    """The class's cancelation condition in plain words, shown before the member confirms."""
    if detail.waiting:
        return _("You can leave the waiting list at any time before the class starts.")
    rule = detail.info.cancel_rule if detail.info else None
    if rule is None or detail.cancel_deadline is None:
        return _("You can cancel this booking until the class starts.")
    term = term_text(rule.value or 0, rule.unit or "")
    text = _("You can cancel up to %(term)s before the class starts (until %(when)s).") % {
        "term": term,
        "when": when(detail.cancel_deadline),
    }
    later = (
        _("After that, canceling is still possible.")
        if rule.after_latest_possible
        else _("After that, you can no longer cancel online.")
    )
    return f"{text} {later}"


def term_text(value: int, unit: str) -> str:
    words = {
        "MINUTES": lambda n: ngettext("%(count)d minute", "%(count)d minutes", n),
        "HOURS": lambda n: ngettext("%(count)d hour", "%(count)d hours", n),
        "DAY": lambda n: ngettext("%(count)d day", "%(count)d days", n),
        "WEEK": lambda n: ngettext("%(count)d week", "%(count)d weeks", n),
        "MONTH": lambda n: ngettext("%(count)d month", "%(count)d months", n),
        "YEAR": lambda n: ngettext("%(count)d year", "%(count)d years", n),
    }
    word = words.get(unit)
    return word(value) % {"count": value} if word else str(value)


def cancel_class(studio: Studio, customer_id: int, booking_id: int, *, poll: bool = False) -> Outcome:
    """Cancel the member's own class booking (NotYours for anyone else's).

    ``poll``: only show what became of the cancelation being sent (the page asks while it is sent).
    """
    if poll:
        return cancel_once(studio, customer_id, "class.cancel", booking_id, poll=True)
    detail = class_booking_detail(studio, customer_id, booking_id)
    refused = not_cancelable(detail.booking.active, detail.can_cancel)
    if refused is not None:
        return refused
    return cancel_once(
        studio,
        customer_id,
        "class.cancel",
        booking_id,
        send=lambda: read(studio, "cancelClassSlotById", lambda c: c.cancel_class_slot_by_id(booking_id)),
        canceled=lambda: sources.class_booking(studio, booking_id).booking_status == "CANCELED",
        done=texts.LEFT_WAITING_LIST if detail.waiting else texts.CANCELED,
        details={"slot": detail.booking.slot_id},
        changes=_class_changes(studio, customer_id, detail.slot),
    )
