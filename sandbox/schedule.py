"""Shared rules for classes and appointments: slots from a weekly timetable, and who may book them.

Slots are never stored. They are generated from ``timetable_entry`` rows (classes) and the
availability windows of ``appointment_type`` rows, for whatever dates are asked about, so the demo
never goes stale. A class slot's id encodes its timetable entry and date (``int(f"{entry}{yyyymmdd}")``),
which keeps ids stable across requests and workers. Bookings are stored; a slot's participant count is
a deterministic base ("other members") plus the stored bookings.

The validation functions answer the API's ``validationStatus`` values; a book handler answers the
same status as a 400 (``errormessage.booking.<status lowercase>``) when it is not bookable.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sandbox.datetimes import parse_datetime
from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")

BOOKED = "BOOKED"
WAITING_LIST = "WAITING_LIST"
CONFIRMATION_REQUIRED = "BOOKED_WITH_CONFIRMATION_REQUIRED"
CANCELED = "CANCELED"
AVAILABLE = "AVAILABLE"

# Listings cover one day before to fourteen days ahead (API-NOTES "Dates and times").
DAYS_BEFORE = 1
DAYS_AHEAD = 14

# Booking windows unless a class or appointment type says otherwise (internal ``_bookingWindow``).
CLASS_WINDOW = {"earliestDays": 7, "latestMinutes": 30}
APPOINTMENT_WINDOW = {"earliestDays": 14, "latestMinutes": 60}

_STATUS_MESSAGES: dict[str, dict[str, str]] = {
    "NO_CONTINGENT": {"en": "No contingent left for this booking", "de": "Kein Kontingent für diese Buchung"},
    "BOOKING_LIMIT_REACHED": {"en": "Booking limit reached", "de": "Buchungslimit erreicht"},
    "CUSTOMER_ALREADY_BOOKED": {"en": "Customer already booked", "de": "Kunde ist bereits gebucht"},
    "CUSTOMER_IDLE": {"en": "Customer has an idle period", "de": "Kunde hat eine Ruhezeit"},
    "CUSTOMER_IN_OTHER_BOOKING": {
        "en": "Customer has another booking in this period",
        "de": "Kunde hat in diesem Zeitraum eine andere Buchung",
    },
    "DISPLAY_ONLY": {"en": "This class cannot be booked", "de": "Dieser Kurs ist nicht buchbar"},
    "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME": {
        "en": "Booking is not open yet",
        "de": "Die Buchung ist noch nicht freigeschaltet",
    },
    "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME": {
        "en": "Booking has closed",
        "de": "Die Buchungsfrist ist abgelaufen",
    },
    "STUDIO_CLOSED": {
        "en": "Studio is closed during this period",
        "de": "Das Studio ist in diesem Zeitraum geschlossen",
    },
    "NOT_AVAILABLE": {"en": "Booking is not possible", "de": "Buchung nicht möglich"},
    "PAST_START_DATE_TIME": {"en": "The start is in the past", "de": "Der Beginn liegt in der Vergangenheit"},
    "END_DATE_TIME_NOT_AFTER_START_DATE_TIME": {
        "en": "The end is not after the start",
        "de": "Das Ende liegt nicht nach dem Beginn",
    },
    "PERIOD_DOES_NOT_MATCH": {
        "en": "The period does not match a slot of this appointment",
        "de": "Der Zeitraum passt zu keinem Termin",
    },
    "RESOURCE_NOT_AVAILABLE": {"en": "No trainer or room is free", "de": "Kein Trainer oder Raum frei"},
    "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED": {
        "en": "The restrictions of this appointment are not fulfilled",
        "de": "Die Voraussetzungen für diesen Termin sind nicht erfüllt",
    },
}


# --- Small helpers --------------------------------------------------------------------------------


def public(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity as callers see it: without sandbox-internal ``_`` keys."""
    return {key: value for key, value in entity.items() if not key.startswith("_")}


def booking_problem(ctx: SandboxRequest, status: str) -> ApiProblem:
    """The 400 a book call answers when validation would not answer AVAILABLE."""
    texts = _STATUS_MESSAGES.get(status, {})
    return ApiProblem(400, f"errormessage.booking.{status.lower()}", texts.get(ctx.language) or texts.get("en"))


def body_int(data: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ApiProblem.validation(name, f"{name} must not be empty")
        return None
    if isinstance(value, bool):
        raise ApiProblem.validation(name, f"{name} must be a number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiProblem.validation(name, f"{name} must be a number") from None


def body_datetime(data: dict[str, Any], name: str) -> datetime:
    value = data.get(name)
    if not value:
        raise ApiProblem.validation(name, f"{name} must not be empty")
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        raise ApiProblem.validation(name, f"{name} must be a date-time") from None


_TERM_UNITS = {
    "MINUTES": timedelta(minutes=1),
    "HOURS": timedelta(hours=1),
    "DAY": timedelta(days=1),
    "WEEK": timedelta(weeks=1),
}


def add_term(moment: datetime, term: dict[str, Any], sign: int = 1) -> datetime:
    """``moment`` plus (or minus) a Term / TermWithMinutes; months and years follow the calendar."""
    value = int(term["value"]) * sign
    unit = term["unit"]
    if unit in _TERM_UNITS:
        return moment + value * _TERM_UNITS[unit]
    months = value * (12 if unit == "YEAR" else 1)
    year, month_index = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)


def sliced(
    ctx: SandboxRequest,
    items: Iterable[Any],
    *,
    sort_key: Callable[[Any], Any],
    cursor_key: Callable[[str], Any],
    cursor_of: Callable[[Any], str],
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """A sliced result. ``offset`` is an id cursor: the last id of the previous slice ("0" = start)."""
    size = ctx.query_int("sliceSize", 50, minimum=10, maximum=100)
    offset = ctx.query.get("offset") or "0"
    ordered = sorted(items, key=sort_key)
    if offset != "0":
        after = cursor_key(offset)
        ordered = [item for item in ordered if sort_key(item) > after]
    page = ordered[:size]
    return {
        "result": [render(item) for item in page],
        "hasNext": len(ordered) > size,
        "offset": cursor_of(page[-1]) if page else offset,
    }


def id_cursor(offset: str) -> int:
    try:
        return int(offset)
    except ValueError:
        raise ApiProblem.validation("offset", "offset is not a cursor of this listing") from None


def sliced_entities(ctx: SandboxRequest, entities: Iterable[dict[str, Any]], render=public) -> dict[str, Any]:
    return sliced(
        ctx,
        entities,
        sort_key=lambda entity: entity["id"],
        cursor_key=id_cursor,
        cursor_of=lambda entity: str(entity["id"]),
        render=render,
    )


def listing_window(ctx: SandboxRequest) -> tuple[date, date]:
    return ctx.today - timedelta(days=DAYS_BEFORE), ctx.today + timedelta(days=DAYS_AHEAD)


def days_between(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def local_time(value: str) -> time:
    return time.fromisoformat(value)


def booking_window(start: datetime, window: dict[str, int]) -> tuple[datetime, datetime]:
    return start - timedelta(days=window["earliestDays"]), start - timedelta(minutes=window["latestMinutes"])


# --- Customers ------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def valid_email(value: Any) -> bool:
    return isinstance(value, str) and bool(_EMAIL.match(value.strip()))


def require_customer(ctx: SandboxRequest, customer_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The customer (kind ``customer``, written by the members area or by lead creation) or a 404.

    Book handlers lock the customer first, so one customer's parallel bookings cannot overlap.
    """
    found = ctx.store.lock("customer", customer_id) if lock else ctx.store.get("customer", customer_id)
    if found is None:
        raise ApiProblem.not_found("customerId")
    return found


def is_idle(customer: dict[str, Any], day: date) -> bool:
    for period in customer.get("idlePeriods") or []:
        try:
            start = date.fromisoformat(period["startDate"])
            end = date.max if period.get("unlimited") else date.fromisoformat(period["endDate"])
        except (KeyError, TypeError, ValueError):
            continue
        if start <= day <= end:
            return True
    return False


def contingent_limit(customer: dict[str, Any], key: str) -> int | None:
    """How many upcoming regular bookings the customer may hold (None: unlimited).

    A sandbox-internal ``_classContingent`` / ``_appointmentContingent`` on the customer wins;
    otherwise members have no limit and prospects or former members have no contingent at all
    (a lead books through the trial offer operations).
    """
    if customer.get(key) is not None:
        return int(customer[key])
    return None if customer.get("status", "MEMBER") == "MEMBER" else 0


def closures(ctx: SandboxRequest) -> list[tuple[datetime, datetime]]:
    """The studio's ``closingHours`` (studio information) as periods."""
    found = []
    for info in ctx.store.all("studio_info"):
        for closing in info.get("closingHours") or []:
            try:
                found.append((parse_datetime(closing["dateTimeFrom"]), parse_datetime(closing["dateTimeTo"])))
            except (KeyError, TypeError, ValueError):
                continue
    return found


def studio_closed(
    ctx: SandboxRequest, start: datetime, end: datetime, known: list[tuple[datetime, datetime]] | None = None
) -> bool:
    periods = closures(ctx) if known is None else known
    return any(closed_from < end and start < closed_to for closed_from, closed_to in periods)


# --- Bookings (both kinds) ------------------------------------------------------------------------


def effective_status(booking: dict[str, Any], now: datetime) -> str:
    """A booking that needed confirmation and was not confirmed in time counts as canceled."""
    status = booking["bookingStatus"]
    if status == CONFIRMATION_REQUIRED and booking.get("_confirmBy") and now > parse_datetime(booking["_confirmBy"]):
        return CANCELED
    return status


def is_active(booking: dict[str, Any], now: datetime) -> bool:
    return effective_status(booking, now) != CANCELED


def booking_period(booking: dict[str, Any]) -> tuple[datetime, datetime]:
    start = booking.get("startDateTime") or booking["_startDateTime"]
    end = booking.get("endDateTime") or booking["_endDateTime"]
    return parse_datetime(start), parse_datetime(end)


def customer_bookings(ctx: SandboxRequest, customer_id: int) -> list[dict[str, Any]]:
    """The customer's active class and appointment bookings, each with ``_kind``."""
    found = []
    for kind in ("class_booking", "appointment_booking"):
        for booking in ctx.store.all(kind, customerId=customer_id):
            if is_active(booking, ctx.now):
                found.append({**booking, "_kind": kind})
    return found


def in_other_booking(bookings: list[dict[str, Any]], start: datetime, end: datetime) -> bool:
    """An overlapping booking that holds a place (waiting list places do not)."""
    for booking in bookings:
        if booking["bookingStatus"] == WAITING_LIST:
            continue
        other_start, other_end = booking_period(booking)
        if other_start < end and start < other_end:
            return True
    return False


def upcoming_regular(bookings: list[dict[str, Any]], kind: str, now: datetime) -> int:
    return sum(
        1
        for booking in bookings
        if booking["_kind"] == kind and not booking.get("_trialOfferConfigId") and booking_period(booking)[1] > now
    )


def trial_status(
    customer: dict[str, Any], config: dict[str, Any], bookings: list[dict[str, Any]], start: datetime
) -> str | None:
    """The trial offer's own rules: leads allowed, ``contingent`` bookings, ``preventMultipleBookingsTerm``.

    Bookings whose confirmation expired do not count (``bookings`` holds active ones only).
    """
    if customer.get("status") == "PROSPECT" and not config.get("allowBookingForLeads"):
        return "NOT_AVAILABLE"
    trials = [booking for booking in bookings if booking.get("_trialOfferConfigId") == config["id"]]
    if len(trials) >= int(config["contingent"]):
        return "NO_CONTINGENT"
    term = config["preventMultipleBookingsTerm"]
    for booking in trials:
        other_start = booking_period(booking)[0]
        if add_term(other_start, term, -1) < start < add_term(other_start, term):
            return "BOOKING_LIMIT_REACHED"
    return None


def confirm_by(ctx: SandboxRequest, config: dict[str, Any] | None, start: datetime) -> str | None:
    """When a trial booking must be confirmed by: the config's term after booking, at most the start."""
    term = (config or {}).get("confirmationOfBookingTerm")
    if not term:
        return None
    return ctx.fmt(min(add_term(ctx.now, term), start))


# --- Class slots ----------------------------------------------------------------------------------


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
    earliest, latest = slot.window
    if now < earliest:
        return "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME"
    if now > latest:
        return "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME"
    if is_idle(customer, slot.day):
        return "CUSTOMER_IDLE"
    if trial is not None:
        trial_problem = trial_status(customer, trial, bookings, slot.start)
        if trial_problem:
            return trial_problem
    else:
        limit = contingent_limit(customer, "_classContingent")
        if limit is not None and upcoming_regular(bookings, "class_booking", now) >= limit:
            return "NO_CONTINGENT"
    if in_other_booking(bookings, slot.start, slot.end):
        return "CUSTOMER_IN_OTHER_BOOKING"
    counts = timetable.counts([slot])[slot.id]
    full = counts.booked >= int(slot.entry["maxParticipants"])
    waiting_list_full = counts.waiting >= int(slot.entry.get("maxWaitingListParticipants") or 0)
    # Trial bookings get a place or nothing: a lead on a waiting list would never show up.
    if full and (trial is not None or waiting_list_full):
        return "BOOKING_LIMIT_REACHED"
    return AVAILABLE


def find_class_slot(timetable: Timetable, slot_id: int) -> ClassSlot:
    slot = timetable.find(slot_id)
    if slot is None:
        raise ApiProblem.not_found("classSlotId")
    return slot


def validate_class(ctx: SandboxRequest, *, trial_for: Callable[[ClassSlot], dict | None] | None = None) -> dict:
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


def book_class(ctx: SandboxRequest, *, trial_for: Callable[[ClassSlot], dict | None] | None = None) -> dict:
    """bookClassSlot and its trial offer twin. Capacity is counted under a lock on the slot's entry."""
    data = ctx.body_dict()
    customer_id, slot_id = body_int(data, "customerId"), body_int(data, "classSlotId")
    customer = require_customer(ctx, customer_id, lock=True)
    timetable = Timetable(ctx)
    slot = find_class_slot(timetable, slot_id)
    # Every booking of this timetable entry waits here: the count below cannot go stale.
    ctx.store.lock("timetable_entry", slot.entry["id"])
    trial = None
    if trial_for is not None:
        trial = trial_for(slot)
        if trial is None:
            raise booking_problem(ctx, "NOT_AVAILABLE")
    status = class_status(ctx, timetable, customer, slot, trial=trial)
    if status != AVAILABLE:
        raise booking_problem(ctx, status)
    counts = timetable.counts([slot])[slot.id]
    booking_status = BOOKED if counts.booked < int(slot.entry["maxParticipants"]) else WAITING_LIST
    deadline = confirm_by(ctx, trial, slot.start)
    if deadline and booking_status == BOOKED:
        booking_status = CONFIRMATION_REQUIRED
    booking = ctx.store.create(
        "class_booking",
        {
            "customerId": customer["id"],
            "classSlotId": slot.id,
            "classId": slot.klass["id"],
            "bookingStatus": booking_status,
            "participantStatus": "UNSET",
            "_startDateTime": ctx.fmt(slot.start),
            "_endDateTime": ctx.fmt(slot.end),
            "_createdAt": ctx.fmt(ctx.now),
            "_trialOfferConfigId": trial["id"] if trial else None,
            "_confirmBy": deadline,
        },
    )
    return timetable.render_booking(booking)


# --- Appointments ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentSlot:
    start: datetime
    end: datetime
    instructors: list[dict[str, Any]]


def appointment_periods(ctx: SandboxRequest, atype: dict[str, Any], day: date) -> list[tuple[datetime, datetime]]:
    """The type's bookable periods on a day, from its weekly availability windows."""
    duration = timedelta(minutes=int(atype.get("duration") or 60))
    step = timedelta(minutes=int(atype.get("_slotInterval") or atype.get("duration") or 60))
    periods = []
    for window in atype.get("_availability") or []:
        if window["dayOfWeek"] != WEEKDAYS[day.weekday()]:
            continue
        start = datetime.combine(day, local_time(window["timeFrom"]), tzinfo=ctx.zone)
        close = datetime.combine(day, local_time(window["timeTo"]), tzinfo=ctx.zone)
        while start + duration <= close:
            periods.append((start, start + duration))
            start += step
    return periods


class InstructorCalendar:
    """Who teaches or trains when: class slots and active appointment bookings, per instructor id."""

    def __init__(self, ctx: SandboxRequest, timetable: Timetable, first: date, last: date) -> None:
        self.busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for day in days_between(first, last):
            for entry in timetable.entries.values():
                slot = timetable.slot(entry, day)
                if slot is None or slot.canceled:
                    continue
                for instructor in entry.get("instructors") or []:
                    self.busy[instructor["id"]].append((slot.start, slot.end))
        for booking in ctx.store.all("appointment_booking"):
            if not is_active(booking, ctx.now):
                continue
            start, end = booking_period(booking)
            for instructor in booking.get("instructors") or []:
                self.busy[instructor["id"]].append((start, end))

    def free(self, instructors: list[dict[str, Any]], start: datetime, end: datetime) -> list[dict[str, Any]]:
        return [
            instructor
            for instructor in instructors
            if not any(busy_start < end and start < busy_end for busy_start, busy_end in self.busy[instructor["id"]])
        ]


def appointment_slots(ctx: SandboxRequest, atype: dict[str, Any], first: date, last: date) -> list[AppointmentSlot]:
    """Free, bookable slots of one appointment type: future, open, inside the booking window."""
    timetable = Timetable(ctx)
    calendar_ = InstructorCalendar(ctx, timetable, first, last)
    window = atype.get("_bookingWindow") or APPOINTMENT_WINDOW
    closed = closures(ctx)
    found = []
    for day in days_between(first, last):
        for start, end in appointment_periods(ctx, atype, day):
            earliest, latest = booking_window(start, window)
            if not (earliest <= ctx.now <= latest) or studio_closed(ctx, start, end, closed):
                continue
            free = calendar_.free(atype.get("_instructors") or [], start, end)
            if free:
                found.append(AppointmentSlot(start, end, free))
    return found


def slot_window_query(ctx: SandboxRequest) -> tuple[date, date]:
    """``slotWindowStartDate`` (default today) and ``daysAhead`` (1..6) days after it."""
    first = ctx.query_date("slotWindowStartDate", ctx.today)
    days = ctx.query_int("daysAhead", 1, minimum=1, maximum=6)
    return first, first + timedelta(days=days)


def render_appointment_slot(ctx: SandboxRequest, slot: AppointmentSlot) -> dict[str, Any]:
    return {"startDateTime": ctx.fmt(slot.start), "endDateTime": ctx.fmt(slot.end), "instructors": slot.instructors}


@dataclass
class AppointmentRequest:
    customer: dict[str, Any]
    atype: dict[str, Any]
    start: datetime
    end: datetime
    instructor_ids: list[int] | None


def read_appointment_request(ctx: SandboxRequest, *, lock: bool = False) -> AppointmentRequest:
    data = ctx.body_dict()
    customer_id = body_int(data, "customerId")
    type_id = body_int(data, "bookableAppointmentId")
    start, end = body_datetime(data, "startDateTime"), body_datetime(data, "endDateTime")
    raw_ids = data.get("instructorIds")
    if raw_ids is not None and (not isinstance(raw_ids, list) or not all(isinstance(i, int) for i in raw_ids)):
        raise ApiProblem.validation("instructorIds", "instructorIds must be a list of numbers")
    customer = require_customer(ctx, customer_id, lock=lock)
    atype = ctx.store.get("appointment_type", type_id)
    if atype is None:
        raise ApiProblem.not_found("bookableAppointmentId")
    return AppointmentRequest(customer, atype, start, end, raw_ids or None)


def appointment_status(
    ctx: SandboxRequest, request: AppointmentRequest, *, trial: dict[str, Any] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The appointment validationStatus and, when AVAILABLE, the instructors free for it."""
    now, atype, customer = ctx.now, request.atype, request.customer
    start, end = request.start, request.end
    if end <= start:
        return "END_DATE_TIME_NOT_AFTER_START_DATE_TIME", []
    if start <= now:
        return "PAST_START_DATE_TIME", []
    if (start, end) not in appointment_periods(ctx, atype, start.astimezone(ctx.zone).date()):
        return "PERIOD_DOES_NOT_MATCH", []
    if studio_closed(ctx, start, end):
        return "STUDIO_CLOSED", []
    earliest, latest = booking_window(start, atype.get("_bookingWindow") or APPOINTMENT_WINDOW)
    if now < earliest:
        return "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME", []
    if now > latest:
        return "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME", []
    if is_idle(customer, start.astimezone(ctx.zone).date()):
        return "CUSTOMER_IDLE", []
    bookings = customer_bookings(ctx, customer["id"])
    if trial is not None:
        trial_problem = trial_status(customer, trial, bookings, start)
        if trial_problem:
            return trial_problem, []
    else:
        if atype.get("_membersOnly") and customer.get("status", "MEMBER") != "MEMBER":
            return "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED", []
        limit = contingent_limit(customer, "_appointmentContingent")
        if limit is not None and upcoming_regular(bookings, "appointment_booking", now) >= limit:
            return "NO_CONTINGENT", []
        per_customer = atype.get("_maxUpcomingPerCustomer")
        same_type = [
            b
            for b in bookings
            if b["_kind"] == "appointment_booking"
            and b["bookableAppointmentId"] == atype["id"]
            and booking_period(b)[1] > now
        ]
        if per_customer is not None and len(same_type) >= int(per_customer):
            return "BOOKING_LIMIT_REACHED", []
    if in_other_booking(bookings, start, end):
        return "CUSTOMER_IN_OTHER_BOOKING", []
    instructors = atype.get("_instructors") or []
    if request.instructor_ids:
        instructors = [instructor for instructor in instructors if instructor["id"] in request.instructor_ids]
    day = start.astimezone(ctx.zone).date()
    free = InstructorCalendar(ctx, Timetable(ctx), day, day).free(instructors, start, end)
    if not free:
        return "RESOURCE_NOT_AVAILABLE", []
    return AVAILABLE, free


def render_appointment_booking(
    ctx: SandboxRequest, booking: dict[str, Any], *, with_customer: bool = False
) -> dict[str, Any]:
    status = effective_status(booking, ctx.now)
    atype = ctx.store.get("appointment_type", booking["bookableAppointmentId"]) or {}
    if status == CANCELED:
        appointment_status_ = "CANCELED"
    else:
        appointment_status_ = "COMPLETED" if booking_period(booking)[1] <= ctx.now else "PLANNED"
    result = {
        "bookingId": booking["id"],
        "bookingStatus": status,
        "startDateTime": booking["startDateTime"],
        "endDateTime": booking["endDateTime"],
        **{key: atype[key] for key in ("title", "duration", "category", "description", "imgUrl") if key in atype},
        "instructors": booking.get("instructors") or [],
        "appointmentStatus": appointment_status_,
        "participantStatus": booking.get("participantStatus") or "UNSET",
    }
    if with_customer:
        result["customerId"] = booking["customerId"]
    return result


def lock_appointment_resources(ctx: SandboxRequest) -> None:
    """Instructors are shared between appointment types: every appointment booking waits here.

    Rows are locked in id order, so two bookings can never hold them crosswise.
    """
    for atype in ctx.store.all("appointment_type"):
        ctx.store.lock("appointment_type", atype["id"])


def validate_appointment(ctx: SandboxRequest, *, trial_for: Callable[[dict], dict | None] | None = None) -> dict:
    request = read_appointment_request(ctx)
    trial = None
    if trial_for is not None:
        trial = trial_for(request.atype)
        if trial is None:
            return {"validationStatus": "NOT_AVAILABLE"}
    return {"validationStatus": appointment_status(ctx, request, trial=trial)[0]}


def book_appointment(ctx: SandboxRequest, *, trial_for: Callable[[dict], dict | None] | None = None) -> dict:
    request = read_appointment_request(ctx, lock=True)
    lock_appointment_resources(ctx)
    trial = None
    if trial_for is not None:
        trial = trial_for(request.atype)
        if trial is None:
            raise booking_problem(ctx, "NOT_AVAILABLE")
    status, free = appointment_status(ctx, request, trial=trial)
    if status != AVAILABLE:
        raise booking_problem(ctx, status)
    deadline = confirm_by(ctx, trial, request.start)
    booking = ctx.store.create(
        "appointment_booking",
        {
            "customerId": request.customer["id"],
            "bookableAppointmentId": request.atype["id"],
            "bookingStatus": CONFIRMATION_REQUIRED if deadline else BOOKED,
            "startDateTime": ctx.fmt(request.start),
            "endDateTime": ctx.fmt(request.end),
            "instructors": free[:1],
            "participantStatus": "UNSET",
            "_createdAt": ctx.fmt(ctx.now),
            "_trialOfferConfigId": trial["id"] if trial else None,
            "_confirmBy": deadline,
        },
    )
    return render_appointment_booking(ctx, booking)


def within_two_weeks(ctx: SandboxRequest, booking: dict[str, Any]) -> bool:
    """Bookings listed per customer: starting and ending within +/- two weeks of now."""
    start, end = booking_period(booking)
    return ctx.now - timedelta(weeks=2) <= start and end <= ctx.now + timedelta(weeks=2)
