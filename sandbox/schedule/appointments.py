"""Appointment slots: generated from availability windows, matched with free instructors, validated and booked."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest
from sandbox.schedule.common import WEEKDAYS, body_datetime, body_int, days_between, local_time
from sandbox.schedule.rules import (
    APPOINTMENT_WINDOW,
    AVAILABLE,
    CANCELED,
    booking_period,
    booking_problem,
    booking_trial,
    booking_window,
    closures,
    customer_bookings,
    customer_status,
    effective_status,
    is_active,
    new_booking_state,
    no_contingent_left,
    require_customer,
    studio_closed,
)
from sandbox.schedule.timetable import Timetable

TrialFor = Callable[[dict[str, Any]], dict[str, Any] | None]


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


def _period_status(ctx: SandboxRequest, request: AppointmentRequest) -> str | None:
    """What is wrong with the asked-for period itself, whoever asks."""
    start, end = request.start, request.end
    if end <= start:
        return "END_DATE_TIME_NOT_AFTER_START_DATE_TIME"
    if start <= ctx.now:
        return "PAST_START_DATE_TIME"
    if (start, end) not in appointment_periods(ctx, request.atype, start.astimezone(ctx.zone).date()):
        return "PERIOD_DOES_NOT_MATCH"
    if studio_closed(ctx, start, end):
        return "STUDIO_CLOSED"
    return None


def _regular_status(ctx: SandboxRequest, request: AppointmentRequest, bookings: list[dict[str, Any]]) -> str | None:
    """A regular (not trial) booking's limits: members only, the contingent, upcoming ones of this type."""
    atype, customer, now = request.atype, request.customer, ctx.now
    if atype.get("_membersOnly") and customer.get("status", "MEMBER") != "MEMBER":
        return "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED"
    if no_contingent_left(customer, bookings, "appointment_booking", now):
        return "NO_CONTINGENT"
    per_customer = atype.get("_maxUpcomingPerCustomer")
    same_type = [
        b
        for b in bookings
        if b["_kind"] == "appointment_booking"
        and b["bookableAppointmentId"] == atype["id"]
        and booking_period(b)[1] > now
    ]
    if per_customer is not None and len(same_type) >= int(per_customer):
        return "BOOKING_LIMIT_REACHED"
    return None


def appointment_status(
    ctx: SandboxRequest, request: AppointmentRequest, *, trial: dict[str, Any] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The appointment validationStatus and, when AVAILABLE, the instructors free for it."""
    start, end = request.start, request.end
    problem = _period_status(ctx, request)
    if problem is None:
        bookings = customer_bookings(ctx, request.customer["id"])
        problem = customer_status(
            ctx,
            request.customer,
            bookings,
            (start, end),
            window=booking_window(start, request.atype.get("_bookingWindow") or APPOINTMENT_WINDOW),
            trial=trial,
            regular=lambda: _regular_status(ctx, request, bookings),
        )
    if problem is not None:
        return problem, []
    instructors = request.atype.get("_instructors") or []
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
    result: dict[str, Any] = {
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


def validate_appointment(ctx: SandboxRequest, *, trial_for: TrialFor | None = None) -> dict[str, Any]:
    request = read_appointment_request(ctx)
    trial = None
    if trial_for is not None:
        trial = trial_for(request.atype)
        if trial is None:
            return {"validationStatus": "NOT_AVAILABLE"}
    return {"validationStatus": appointment_status(ctx, request, trial=trial)[0]}


def book_appointment(ctx: SandboxRequest, *, trial_for: TrialFor | None = None) -> dict[str, Any]:
    request = read_appointment_request(ctx, lock=True)
    lock_appointment_resources(ctx)
    trial = booking_trial(ctx, trial_for, request.atype)
    status, free = appointment_status(ctx, request, trial=trial)
    if status != AVAILABLE:
        raise booking_problem(ctx, status)
    booking = ctx.store.create(
        "appointment_booking",
        {
            "customerId": request.customer["id"],
            "bookableAppointmentId": request.atype["id"],
            "startDateTime": ctx.fmt(request.start),
            "endDateTime": ctx.fmt(request.end),
            "instructors": free[:1],
            "participantStatus": "UNSET",
            **new_booking_state(ctx, trial, request.start),
        },
    )
    return render_appointment_booking(ctx, booking)
