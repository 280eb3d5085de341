"""The booking rules classes and appointments share: statuses, customers, closures, bookings, trial offers."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sandbox.datetimes import parse_datetime
from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, int_param
from sandbox.schedule.common import add_term

BOOKED = "BOOKED"
WAITING_LIST = "WAITING_LIST"
CONFIRMATION_REQUIRED = "BOOKED_WITH_CONFIRMATION_REQUIRED"
CANCELED = "CANCELED"
AVAILABLE = "AVAILABLE"

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


def booking_problem(ctx: SandboxRequest, status: str) -> ApiProblem:
    """The 400 a book call answers when validation would not answer AVAILABLE."""
    texts = _STATUS_MESSAGES.get(status, {})
    return ApiProblem(400, f"errormessage.booking.{status.lower()}", texts.get(ctx.language) or texts.get("en"))


def booking_window(start: datetime, window: dict[str, int]) -> tuple[datetime, datetime]:
    return start - timedelta(days=window["earliestDays"]), start - timedelta(minutes=window["latestMinutes"])


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def valid_email(value: Any) -> bool:
    return isinstance(value, str) and bool(_EMAIL.match(value.strip()))


def require_customer(ctx: SandboxRequest, customer_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The customer (kind ``customer``, written by the members area or by lead creation) or a 404.

    Book handlers lock the customer first, so one customer's parallel bookings cannot overlap.
    """
    return ctx.store.require("customer", customer_id, what="customerId", lock=lock)


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


_CONTINGENT_KEYS = {"class_booking": "_classContingent", "appointment_booking": "_appointmentContingent"}


def _contingent_limit(customer: dict[str, Any], kind: str) -> int | None:
    """How many upcoming regular bookings of ``kind`` the customer may hold (None: unlimited).

    A sandbox-internal ``_classContingent`` / ``_appointmentContingent`` on the customer wins;
    otherwise members have no limit and prospects or former members have no contingent at all
    (a lead books through the trial offer operations).
    """
    key = _CONTINGENT_KEYS[kind]
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


def _upcoming_regular(bookings: list[dict[str, Any]], kind: str, now: datetime) -> int:
    return sum(
        1
        for booking in bookings
        if booking["_kind"] == kind and not booking.get("_trialOfferConfigId") and booking_period(booking)[1] > now
    )


def no_contingent_left(customer: dict[str, Any], bookings: list[dict[str, Any]], kind: str, now: datetime) -> bool:
    """Whether the customer's upcoming regular bookings of ``kind`` (``bookings``: the active ones)
    use up their contingent, so a regular booking answers NO_CONTINGENT."""
    limit = _contingent_limit(customer, kind)
    return limit is not None and _upcoming_regular(bookings, kind, now) >= limit


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


Subject = TypeVar("Subject")


def booking_trial(
    ctx: SandboxRequest, trial_for: Callable[[Subject], dict[str, Any] | None] | None, subject: Subject
) -> dict[str, Any] | None:
    """The trial offer config a book call books ``subject`` (a class slot or appointment type) under:
    None for a regular booking, a 400 NOT_AVAILABLE when no trial offer covers the subject."""
    if trial_for is None:
        return None
    trial = trial_for(subject)
    if trial is None:
        raise booking_problem(ctx, "NOT_AVAILABLE")
    return trial


def confirm_by(ctx: SandboxRequest, config: dict[str, Any] | None, start: datetime) -> str | None:
    """When a trial booking must be confirmed by: the config's term after booking, at most the start."""
    term = (config or {}).get("confirmationOfBookingTerm")
    if not term:
        return None
    return ctx.fmt(min(add_term(ctx.now, term), start))


def new_booking_state(
    ctx: SandboxRequest, trial: dict[str, Any] | None, start: datetime, *, has_place: bool = True
) -> dict[str, Any]:
    """The status and internal fields a new booking is stored with: without a place it waits on the
    waiting list; with one, a trial booking whose config has a confirmation term waits for confirmation.

    A trial booking on the waiting list has nothing to confirm (and no deadline): it holds no place.
    """
    if has_place:
        deadline = confirm_by(ctx, trial, start)
        status = CONFIRMATION_REQUIRED if deadline else BOOKED
    else:
        deadline, status = None, WAITING_LIST
    return {
        "bookingStatus": status,
        "_createdAt": ctx.fmt(ctx.now),
        "_trialOfferConfigId": trial["id"] if trial else None,
        "_confirmBy": deadline,
    }


def within_two_weeks(ctx: SandboxRequest, booking: dict[str, Any]) -> bool:
    """Bookings listed per customer: starting and ending within +/- two weeks of now."""
    start, end = booking_period(booking)
    return ctx.now - timedelta(weeks=2) <= start and end <= ctx.now + timedelta(weeks=2)


def require_booking(ctx: SandboxRequest, kind: str, booking_id: str, *, lock: bool = False) -> dict[str, Any]:
    """The booking of ``kind`` a path's ``bookingId`` names (with a row lock when ``lock``), or a 404."""
    return ctx.store.require(kind, int_param(booking_id, "bookingId"), what="bookingId", lock=lock)


def listed_bookings(ctx: SandboxRequest, kind: str) -> list[dict[str, Any]]:
    """The bookings of ``kind`` listed for the ``customerId`` query, earliest first."""
    customer = require_customer(ctx, ctx.query_int("customerId", required=True))
    bookings = [booking for booking in ctx.store.all(kind, customerId=customer["id"]) if within_two_weeks(ctx, booking)]
    bookings.sort(key=lambda booking: (booking_period(booking)[0], booking["id"]))
    return bookings


def cancel_booking(
    ctx: SandboxRequest,
    kind: str,
    booking: dict[str, Any],
    *,
    after_cancel_term: Callable[[str, datetime], bool] | None = None,
) -> str:
    """Cancel a (locked) booking and answer the status it had. A 400 when it is canceled already,
    has started, or ``after_cancel_term(status, start)`` says it is too late to cancel it."""
    status = effective_status(booking, ctx.now)
    if status == CANCELED:
        raise ApiProblem(400, "errormessage.booking.already.canceled", "The booking is already canceled")
    start = booking_period(booking)[0]
    if start <= ctx.now or (after_cancel_term is not None and after_cancel_term(status, start)):
        raise ApiProblem(400, "errormessage.booking.cancelation.too.late", "The booking can no longer be canceled")
    booking["bookingStatus"] = CANCELED
    ctx.store.save(kind, booking)
    return status


def customer_status(
    ctx: SandboxRequest,
    customer: dict[str, Any],
    bookings: list[dict[str, Any]],
    period: tuple[datetime, datetime],
    *,
    window: tuple[datetime, datetime],
    trial: dict[str, Any] | None,
    regular: Callable[[], str | None],
) -> str | None:
    """The rules about the customer that classes and appointments share, in the API's order: the
    booking window, an idle period, the trial offer's own rules (or ``regular``'s, for a regular
    booking), then another booking in the same period. None when none of them stands in the way."""
    start, end = period
    earliest, latest = window
    if ctx.now < earliest:
        return "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME"
    if ctx.now > latest:
        return "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME"
    if is_idle(customer, start.astimezone(ctx.zone).date()):
        return "CUSTOMER_IDLE"
    problem = trial_status(customer, trial, bookings, start) if trial is not None else regular()
    if problem:
        return problem
    if in_other_booking(bookings, start, end):
        return "CUSTOMER_IN_OTHER_BOOKING"
    return None
