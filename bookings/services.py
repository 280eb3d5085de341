"""The bookings area: the schedule, appointments and a member's bookings (reads); book and cancel (writes).

Views call these functions and get plain objects back; upstream errors arrive here as ``ApiError``
and leave as translated sentences (``bookings.texts``, ``portal.user_messages``). Reads go through
``bookings.sources`` (readers on the portal's one read path, ``portal.reads``), several at a time; a
write invalidates the cached reads it changed (``portal.reads.invalidate``), never edits them; writes go through
``portal.writes`` (one write per idempotency key, lost answers reconciled by reading).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings import sources, texts
from bookings.models import CalendarFeed
from bookings.sources import (
    SCHEDULE_DAYS,
    AppointmentSlot,
    AppointmentType,
    ClassInfo,
    MemberAppointmentBooking,
    MemberClassBooking,
    Person,
    Slot,
    appointment_slots_read,
    appointment_types_read,
    classes_read,
    member_appointment_booking_from,
    member_appointments_read,
    member_class_booking_from,
    member_classes_read,
    read,
    schedule_reads,
    studio_now,
    studio_today,
    studio_zone,
    window_start_for,
)
from portal import audit, reads, writes
from portal.lib import concurrency
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.datetimes import parse_api_datetime
from portal.reads import Cached
from portal.services import Occupancy, occupancy_read
from portal.user_messages import message_for

logger = logging.getLogger("portal.bookings")

HOLDS_PLACE = ("BOOKED", "BOOKED_WITH_CONFIRMATION_REQUIRED")


class NotYours(Exception):
    """The booking does not exist or belongs to another member: the view answers 404."""


class Unreachable(Exception):
    """The upstream could not say whose booking this is: ``message`` explains it to the member."""

    def __init__(self, error: errors.ApiError | str) -> None:
        super().__init__(error if isinstance(error, str) else type(error).__name__)
        self.message = error if isinstance(error, str) else message_for(error)


def when(value: datetime | None) -> str:
    """A date and time in the active language (the value is already in the studio's zone)."""
    if value is None:
        return ""
    return f"{formats.date_format(value, 'DATE_FORMAT')}, {formats.time_format(value, 'TIME_FORMAT')}"


def _first_error(results: list[Cached]) -> errors.ApiError | None:
    return next((result.error for result in results if result.error is not None), None)


def booking_paused(studio: Studio, *operations: str) -> bool:
    """True while one of the write endpoints is paused after a 429."""
    return reads.any_paused(studio, *operations)


# --- Schedule ----------------------------------------------------------------------------------
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


def schedule_data(studio: Studio, customer_id: int | None) -> ScheduleData:
    """Everything the schedule shows, read once per request (a booking reads it once too)."""
    today, zone = studio_today(studio), studio_zone(studio)
    windows = schedule_reads(studio, today)
    wanted: list[reads.Read] = [classes_read(studio), *windows, occupancy_read(studio)]
    if customer_id is not None:
        wanted.append(member_classes_read(studio, customer_id))
    results = reads.read_many(*wanted)
    classes_result, window_results = results[0], results[1 : 1 + len(windows)]
    occupancy_result = results[1 + len(windows)]

    last_day = today + timedelta(days=SCHEDULE_DAYS - 1)
    slots = [
        slot for result in window_results if result.has_value for slot in result.value if slot.start.date() <= last_day
    ]
    loaded = [result for result in window_results if result.has_value]
    stale = any(result.stale or not result.has_value for result in window_results) or (
        classes_result.stale and bool(loaded)
    )
    stored = [result.stored_at for result in loaded if result.stored_at]
    updated_at = datetime.fromtimestamp(min(stored), zone) if stored else None
    problem = ""
    if not loaded:
        problem = message_for(_first_error(window_results) or errors.Unavailable("schedule"))
    member: dict[int, MemberClassBooking] = {}
    member_problem = ""
    if customer_id is not None:
        member_result = results[-1]
        if member_result.has_value:
            member = {booking.slot_id: booking for booking in member_result.value if booking.active}
        else:
            member_problem = _("Your own bookings could not be loaded just now, so they are not marked here.")
    # A schedule that could not be refreshed means the upstream is down: booking would fail, so say so up front.
    available = bool(loaded) and not stale and not booking_paused(studio, "validateClassSlot", "bookClassSlot")
    return ScheduleData(
        slots=slots,
        classes=classes_result.value or {},
        occupancy=occupancy_result.value if occupancy_result.has_value else None,
        member=member,
        stale=stale,
        updated_at=updated_at,
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
    upcoming = [slot for slot in data.slots if slot.start > now]
    by_day: dict[date, list[SlotView]] = {}
    categories, instructors = set(), {}
    for slot in upcoming:
        info = data.classes.get(slot.class_id)
        category = info.category if info else ""
        if category:
            categories.add(category)
        for person in slot.instructors:
            instructors[person.id] = person
        if not filters.matches(slot, category):
            continue
        booking = data.member.get(slot.id)
        action = slot_action(slot, info, booking, now, data.available)
        by_day.setdefault(slot.start.date(), []).append(SlotView(slot, category, action, booking))
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


def _slot_view(studio: Studio, data: ScheduleData, slot: Slot, booking: MemberClassBooking | None) -> SlotView:
    info = data.classes.get(slot.class_id)
    action = slot_action(slot, info, booking, studio_now(studio), data.available)
    return SlotView(slot, info.category if info else "", action, booking)


def slot_view(studio: Studio, slot_id: int, customer_id: int | None) -> SlotView | None:
    """One slot as the schedule shows it (for the booking page)."""
    data = schedule_data(studio, customer_id)
    slot = find_slot(data, slot_id)
    return _slot_view(studio, data, slot, data.member.get(slot_id)) if slot else None


# --- Booking a class ------------------------------------------------------------------------------
@dataclass
class Outcome:
    ok: bool
    message: str
    status: int = 200  # for the view: 200 done, 422 refused or failed, 404 unknown slot
    slot: SlotView | None = None
    appointment_slot: AppointmentSlot | None = None
    in_progress: bool = False  # another request is sending this form right now: the page polls


def _status_from_error(exc: errors.BadRequest, known: dict) -> str | None:
    """A 400 of a book call carries the validationStatus as ``errormessage.booking.<status>``."""
    code = (exc.error_code or "").rsplit(".", 1)[-1].upper()
    return code if code in known and code != "AVAILABLE" else None


def class_refusal(status: str, slot: Slot | None) -> str:
    if status == "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME" and slot and slot.earliest_booking:
        return texts.BOOKING_OPENS_AT % {"when": when(slot.earliest_booking)}
    if status == "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME" and slot and slot.latest_booking:
        return texts.BOOKING_CLOSED_AT % {"when": when(slot.latest_booking)}
    return str(texts.CLASS_VALIDATION.get(status, texts.CLASS_VALIDATION["NOT_AVAILABLE"]))


def _unfinished_message(outcome: writes.Outcome) -> str:
    if outcome.expired:
        return str(texts.FORM_EXPIRED)
    if outcome.in_progress:
        return str(texts.IN_PROGRESS)
    if outcome.unknown:
        return str(texts.UNCONFIRMED)
    if outcome.error is None or outcome.result.get("reason") == "NOT_FOUND":
        return str(texts.NOT_SENT)
    return message_for(outcome.error)


def _actor(customer_id: int) -> str:
    return f"customer:{customer_id}"


def book_class(studio: Studio, customer_id: int, slot_id: int, raw_key: str | None, *, poll: bool = False) -> Outcome:
    """Validate, then book one class slot for the signed-in member (once per form key).

    ``poll``: only show what became of the form sent with ``raw_key`` (the page asks while it is sent).
    """
    key = writes.parse_key(raw_key, f"class:{slot_id}")
    try:
        slot = find_slot(schedule_data(studio, None), slot_id)
    except Unreachable as exc:
        return Outcome(False, exc.message, status=404)
    if slot is None:
        return Outcome(False, str(texts.NO_LONGER_LISTED), status=404)
    if key is None:
        view = _with_message(slot_view(studio, slot_id, customer_id), str(texts.FORM_EXPIRED), ok=False)
        return Outcome(False, str(texts.FORM_EXPIRED), status=422, slot=view)
    request = m.ClassSlotBookingRequest(customer_id=customer_id, class_slot_id=slot_id)
    booked: list[m.ClassSlotBookingResult] = []

    def send() -> writes.Result:
        return _validate_then_book(
            lambda: read(studio, "validateClassSlot", lambda c: c.validate_class_slot(request)),
            lambda: read(studio, "bookClassSlot", lambda c: c.book_class_slot(request)),
            texts.CLASS_VALIDATION,
            booked,
        )

    def reconcile() -> writes.Result | None:
        found = _reread_member_classes(studio, customer_id)
        match = next((b for b in found if b.slot_id == slot_id and b.active), None)
        return {"status": match.status, "booking_id": match.booking_id} if match else None

    if poll:
        outcome = writes.earlier(studio, _actor(customer_id), key, "class.book") or writes.Outcome(writes.EXPIRED)
    else:
        outcome = writes.run_once(
            studio, _actor(customer_id), key, send, reconcile, action="class.book", target={"slot": slot_id}
        )
    if outcome.fresh:
        _audit(studio, "class.book", customer_id, outcome, {"slot": slot_id})

    status = outcome.result.get("status", "")
    if outcome.fresh and (outcome.ok or outcome.state == writes.State.REFUSED):
        # Booked, or what the schedule showed was out of date: the slot as the upstream has it now (the
        # member's bookings too, unless reconciling just read them).
        _invalidate_class(studio, customer_id, slot, member=bool(booked) or not outcome.ok)
    view = slot_view(studio, slot_id, customer_id)
    if outcome.ok:
        message = str(texts.CLASS_BOOKING_RESULT.get(status, texts.CLASS_BOOKING_RESULT["BOOKED"]))
        return Outcome(True, message, slot=_with_message(view, message, ok=True))
    if outcome.state == writes.State.REFUSED and status:
        message = class_refusal(status, slot)
    else:
        message = _unfinished_message(outcome)
    return Outcome(
        False,
        message,
        status=202 if outcome.in_progress else 422,
        slot=_with_message(view, message, ok=False),
        in_progress=outcome.in_progress,
    )


def _with_message(view: SlotView | None, message: str, *, ok: bool) -> SlotView | None:
    return replace(view, message=message, message_ok=ok) if view is not None else None


def _reread_member_classes(studio: Studio, customer_id: int) -> tuple[MemberClassBooking, ...]:
    """The member's class bookings as the upstream has them now (reconciling a lost answer)."""
    return reads.read_now(member_classes_read(studio, customer_id))


def _invalidate_class(studio: Studio, customer_id: int, slot: Slot | None, *, member: bool = True) -> None:
    """After a booking or cancelation: the slot's window and the member's bookings are read again."""
    if member:
        reads.invalidate(studio, "getClassBookingsByCustomerId", (customer_id,))
    start = window_start_for(slot.start.date(), studio_today(studio)) if slot else None
    if start is not None:
        reads.invalidate(studio, "getClassSlotsForMultipleClasses", (start.isoformat(),))


def _audit(studio: Studio, action: str, customer_id: int, outcome: writes.Outcome, details: dict) -> None:
    status = outcome.result.get("status") or outcome.result.get("error") or outcome.result.get("reason")
    text = f"{outcome.state}:{status}".lower() if status else outcome.state
    audit.record(
        studio,
        action,
        actor=_actor(customer_id),
        outcome=text[:40],
        error=outcome.error,
        details={**details, "booking": outcome.result.get("booking_id")},
    )


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
        try:
            found = sources.class_booking(studio, booking_id)
        except errors.NotFound as exc:
            raise NotYours from exc
        except errors.ApiError as exc:
            raise Unreachable(exc) from exc
        if found.customer_id != customer_id:
            raise NotYours
        booking = member_class_booking_from(found)
    slot = next((slot for result in windows for slot in result.value or () if slot.id == booking.slot_id), None)
    if slot is None:
        try:
            slot = sources.class_slot(studio, booking.class_id, booking.slot_id)
        except errors.ApiError:
            slot = None  # shown without its time; canceling still works
    info = (classes_result.value or {}).get(booking.class_id)
    return _detail(studio, booking, slot, info)


def _detail(
    studio: Studio, booking: MemberClassBooking, slot: Slot | None, info: ClassInfo | None
) -> ClassBookingDetail:
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


def _validate_then_book(validate, book, statuses, booked: list) -> writes.Result:
    """Validate, then book (never retried); a refusal at either step is refused with its status."""
    validation = validate()
    if validation.validation_status != "AVAILABLE":
        raise writes.Refused({"status": validation.validation_status})
    try:
        result = book()
    except errors.BadRequest as exc:
        status = _status_from_error(exc, statuses)
        if status is None:
            raise
        raise writes.Refused({"status": status}) from exc
    booked.append(result)
    return {"status": result.booking_status, "booking_id": result.booking_id}


def _refused_cancel(exc: errors.BadRequest) -> tuple[bool, str]:
    """A refused cancel: "already canceled" counts as done; other refusals get their own sentence."""
    known = texts.CANCEL_ERROR_CODES.get(exc.error_code or "")
    return known is texts.ALREADY_CANCELED, str(known or texts.CANCEL_REFUSED)


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
        return _cancel_once(studio, customer_id, "class.cancel", booking_id, poll=True)
    detail = class_booking_detail(studio, customer_id, booking_id)
    if not detail.booking.active:
        return Outcome(True, str(texts.ALREADY_CANCELED))
    if not detail.can_cancel:
        return Outcome(False, str(texts.CANCEL_TOO_LATE), status=422)
    outcome = _cancel_once(
        studio,
        customer_id,
        "class.cancel",
        booking_id,
        send=lambda: read(studio, "cancelClassSlotById", lambda c: c.cancel_class_slot_by_id(booking_id)),
        canceled=lambda: sources.class_booking(studio, booking_id).booking_status == "CANCELED",
        done=texts.LEFT_WAITING_LIST if detail.waiting else texts.CANCELED,
        details={"slot": detail.booking.slot_id},
    )
    if outcome.ok:
        _invalidate_class(studio, customer_id, detail.slot)
    return outcome


def _cancel_once(
    studio: Studio,
    customer_id: int,
    action: str,
    booking_id: int,
    *,
    send=None,
    canceled=None,
    done=texts.CANCELED,
    details: dict | None = None,
    poll: bool = False,
) -> Outcome:
    """Send one cancelation through ``portal.writes``; ``canceled`` reads whether it happened after a lost answer.

    A booking is canceled once: its id is the idempotency key, so no form has to carry one.
    """
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"{studio.pk}/{action}/{booking_id}")
    actor = _actor(customer_id)

    def write() -> writes.Result:
        try:
            send()
        except errors.BadRequest as exc:
            if texts.CANCEL_ERROR_CODES.get(exc.error_code or "") is not texts.ALREADY_CANCELED:
                raise
        return {"status": "CANCELED"}

    def reconcile() -> writes.Result | None:
        return {"status": "CANCELED"} if canceled() else None

    if poll:
        outcome = writes.earlier(studio, actor, key, action) or writes.Outcome(writes.EXPIRED)
    else:
        outcome = writes.run_once(studio, actor, key, write, reconcile, action=action, target={"booking": booking_id})
    if isinstance(outcome.error, errors.NotFound):
        raise NotYours from outcome.error
    if outcome.fresh:
        audit.record(
            studio,
            action,
            actor=actor,
            outcome="canceled" if outcome.ok else "failed",
            error=outcome.error,
            details={"booking": booking_id, **(details or {})},
        )
    if outcome.ok:
        return Outcome(True, str(done))
    if outcome.in_progress:
        return Outcome(False, str(texts.CANCEL_IN_PROGRESS), status=202, in_progress=True)
    if outcome.unknown:
        message = str(texts.CANCEL_UNCONFIRMED)
    elif outcome.expired:
        message = str(texts.FORM_EXPIRED)
    elif outcome.error is None or outcome.result.get("reason") == "NOT_FOUND":
        message = str(texts.CANCEL_NOT_SENT)
    elif isinstance(outcome.error, errors.BadRequest):
        message = _refused_cancel(outcome.error)[1]
    else:
        message = message_for(outcome.error)
    return Outcome(False, message, status=422)


# --- Appointments ------------------------------------------------------------------------------------
@dataclass
class AppointmentTypesPage:
    types: list[AppointmentType]
    problem: str = ""
    stale: bool = False


def appointment_types_page(studio: Studio) -> AppointmentTypesPage:
    result = reads.read_many(appointment_types_read(studio))[0]
    if not result.has_value:
        return AppointmentTypesPage([], problem=message_for(result.error or errors.Unavailable("appointments")))
    return AppointmentTypesPage(list(result.value), stale=result.stale)


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


def appointment_page(studio: Studio, type_id: int, day: date | None) -> AppointmentPage:
    """Free times of one appointment type on one day (the 6-day window around it loaded at once)."""
    today, now = studio_today(studio), studio_now(studio)
    chosen = day is not None and today <= day < today + timedelta(days=SCHEDULE_DAYS)
    day = day if chosen else today
    start = window_start_for(day, today) or today
    types_result, slots_result = reads.read_many(
        appointment_types_read(studio), appointment_slots_read(studio, type_id, start)
    )
    atype = next((item for item in types_result.value or () if item.id == type_id), None)
    if atype is None:
        if types_result.has_value or isinstance(slots_result.error, errors.NotFound):
            raise NotYours  # no such appointment type
        atype = AppointmentType(type_id, "", None, "", "")
    window = [slot for slot in slots_result.value or () if slot.start > now]
    if not chosen and window and all(slot.start.date() != day for slot in window):
        day = window[0].start.date()  # no day asked for: the first day with free times
    day_dates = [today + timedelta(days=offset) for offset in range(SCHEDULE_DAYS)]
    last = start + timedelta(days=5)
    with_slots = {slot.start.date() for slot in window}
    days = [
        AppointmentDay(item, (item in with_slots) if (slots_result.has_value and start <= item <= last) else None)
        for item in day_dates
    ]
    problem = ""
    if not slots_result.has_value:
        problem = message_for(slots_result.error or errors.Unavailable("appointments"))
    later = sorted(d for d in with_slots if d > day)
    return AppointmentPage(
        type=atype,
        day=day,
        days=days,
        slots=[slot for slot in window if slot.start.date() == day],
        problem=problem,
        stale=slots_result.stale,
        booking_available=slots_result.has_value
        and not slots_result.stale
        and not booking_paused(studio, "validateForAppointmentBooking", "bookAppointmentBooking"),
        next_day_with_slots=later[0] if later else None,
    )


def appointment_refusal(status: str) -> str:
    return str(texts.APPOINTMENT_VALIDATION.get(status, texts.APPOINTMENT_VALIDATION["NOT_AVAILABLE"]))


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
    booked: list[m.AppointmentBookingResult] = []

    def send() -> writes.Result:
        return _validate_then_book(
            lambda: read(
                studio, "validateForAppointmentBooking", lambda c: c.validate_for_appointment_booking(request)
            ),
            lambda: read(studio, "bookAppointmentBooking", lambda c: c.book_appointment_booking(request)),
            texts.APPOINTMENT_VALIDATION,
            booked,
        )

    def reconcile() -> writes.Result | None:
        found = reads.read_now(member_appointments_read(studio, customer_id))
        match = next((b for b in found if b.active and b.start == start), None)
        return {"status": match.status, "booking_id": match.booking_id} if match else None

    actor, target = _actor(customer_id), {"appointment": type_id, "start": start_raw}
    if poll:
        outcome = writes.earlier(studio, actor, key, "appointment.book") or writes.Outcome(writes.EXPIRED)
    else:
        outcome = writes.run_once(studio, actor, key, send, reconcile, action="appointment.book", target=target)
    status = outcome.result.get("status", "")
    if outcome.fresh:
        _audit(studio, "appointment.book", customer_id, outcome, {"appointment": type_id})
        if outcome.state in (writes.State.DONE, writes.State.REFUSED):
            _invalidate_appointments(studio, customer_id)
    if outcome.ok:
        message = str(texts.APPOINTMENT_BOOKING_RESULT.get(status, texts.APPOINTMENT_BOOKING_RESULT["BOOKED"]))
        return Outcome(True, message, appointment_slot=slot)
    if outcome.state == writes.State.REFUSED and status:
        message = appointment_refusal(status)
    else:
        message = _unfinished_message(outcome)
    status_code = 202 if outcome.in_progress else 422
    return Outcome(False, message, status=status_code, appointment_slot=slot, in_progress=outcome.in_progress)


def _invalidate_appointments(studio: Studio, customer_id: int) -> None:
    """After an appointment booking or cancelation: the member's appointments are read again, and every
    free-times list (coaches are shared between appointment types)."""
    reads.invalidate(studio, "getAppointmentBookings", (customer_id,))
    reads.invalidate(studio, "getBookableAppointmentSlots")


def appointment_booking(studio: Studio, customer_id: int, booking_id: int) -> MemberAppointmentBooking:
    """The member's own appointment booking; NotYours for anyone else's."""
    result = reads.read_many(member_appointments_read(studio, customer_id))[0]
    booking = next((b for b in result.value or () if b.booking_id == booking_id), None)
    if booking is not None:
        return booking
    try:
        found = sources.appointment_booking(studio, booking_id)
    except errors.NotFound as exc:
        raise NotYours from exc
    except errors.ApiError as exc:
        raise Unreachable(exc) from exc
    if found.customer_id != customer_id:
        raise NotYours
    return member_appointment_booking_from(found, studio_zone(studio))


def appointment_can_cancel(studio: Studio, booking: MemberAppointmentBooking) -> bool:
    return booking.active and booking.appointment_status == "PLANNED" and booking.start > studio_now(studio)


def cancel_appointment(studio: Studio, customer_id: int, booking_id: int, *, poll: bool = False) -> Outcome:
    if poll:
        return _cancel_once(studio, customer_id, "appointment.cancel", booking_id, poll=True)
    booking = appointment_booking(studio, customer_id, booking_id)
    if not booking.active:
        return Outcome(True, str(texts.ALREADY_CANCELED))
    if not appointment_can_cancel(studio, booking):
        return Outcome(False, str(texts.CANCEL_TOO_LATE), status=422)
    outcome = _cancel_once(
        studio,
        customer_id,
        "appointment.cancel",
        booking_id,
        send=lambda: read(studio, "deleteAppointmentBooking", lambda c: c.delete_appointment_booking(booking_id)),
        canceled=lambda: sources.appointment_booking(studio, booking_id).booking_status == "CANCELED",
        done=texts.APPOINTMENT_CANCELED,
    )
    if outcome.ok:
        _invalidate_appointments(studio, customer_id)
    return outcome


# --- My bookings ----------------------------------------------------------------------------------------
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


def upcoming_entries(studio: Studio, customer_id: int) -> tuple[list[Entry], list[Cached]]:
    """The member's upcoming class and appointment bookings together, in time order."""
    today, now = studio_today(studio), studio_now(studio)
    results = reads.read_many(
        member_classes_read(studio, customer_id),
        member_appointments_read(studio, customer_id),
        classes_read(studio),
        *schedule_reads(studio, today),
    )
    class_result, appointment_result, classes_result = results[:3]
    slots = {slot.id: slot for result in results[3:] for slot in result.value or ()}
    classes = classes_result.value or {}
    class_bookings = [b for b in class_result.value or () if b.active]
    missing = [b for b in class_bookings if b.slot_id not in slots][:20]
    if missing:
        fetched = concurrency.gather(
            *[lambda b=b: sources.class_slot(studio, b.class_id, b.slot_id) for b in missing],
            return_exceptions=True,
        )
        slots.update((slot.id, slot) for slot in fetched if isinstance(slot, Slot))
    entries = []
    for booking in class_bookings:
        slot = slots.get(booking.slot_id)
        if slot is None or slot.end <= now:
            continue
        detail = _detail(studio, booking, slot, classes.get(booking.class_id))
        entries.append(
            Entry(
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
        )
    for booking in appointment_result.value or ():
        if not booking.active or booking.end <= now:
            continue
        entries.append(
            Entry(
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
        )
    entries.sort(key=lambda entry: (entry.start, entry.title))
    return entries, [class_result, appointment_result]


def my_bookings_page(studio: Studio, customer_id: int) -> MyBookingsPage:
    entries, results = upcoming_entries(studio, customer_id)
    problem = ""
    if any(not result.has_value for result in results):
        problem = _("Some of your bookings could not be loaded just now: this list may be incomplete.")
        error = _first_error(results)
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
