"""Bookable appointments (trial workout, body analysis, personal training) and their bookings."""

from __future__ import annotations

from typing import Any

from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, int_param, operation
from sandbox.schedule.appointments import (
    appointment_slots,
    book_appointment,
    render_appointment_booking,
    render_appointment_slot,
    slot_window_query,
    validate_appointment,
)
from sandbox.schedule.common import public, sliced_entities
from sandbox.schedule.rules import CANCELED, booking_period, effective_status, require_customer, within_two_weeks


def require_appointment_type(ctx: SandboxRequest, type_id: str) -> dict:
    atype = ctx.store.get("appointment_type", int_param(type_id, "bookableAppointmentId"))
    if atype is None:
        raise ApiProblem.not_found("bookableAppointmentId")
    return atype


def slots_for(ctx: SandboxRequest, atype: dict) -> list:
    """The slot listing; ``customerId`` (optional) must name a customer."""
    customer_id = ctx.query_int("customerId")
    if customer_id is not None:
        require_customer(ctx, customer_id)
    first, last = slot_window_query(ctx)
    return [render_appointment_slot(ctx, slot) for slot in appointment_slots(ctx, atype, first, last)]


@operation("GET", "/v1/appointments/bookable", "getBookableAppointments")
def get_bookable_appointments(ctx: SandboxRequest) -> dict:
    return sliced_entities(ctx, ctx.store.all("appointment_type"))


@operation("GET", "/v1/appointments/bookable/{bookableAppointmentId}", "getBookableAppointment")
def get_bookable_appointment(ctx: SandboxRequest, bookableAppointmentId: str) -> dict:
    return public(require_appointment_type(ctx, bookableAppointmentId))


@operation("GET", "/v1/appointments/bookable/{bookableAppointmentId}/slots", "getBookableAppointmentSlots")
def get_bookable_appointment_slots(ctx: SandboxRequest, bookableAppointmentId: str) -> list:
    return slots_for(ctx, require_appointment_type(ctx, bookableAppointmentId))


@operation("POST", "/v1/appointments/bookable/validate", "validateForAppointmentBooking")
def validate_for_appointment_booking(ctx: SandboxRequest) -> dict:
    return validate_appointment(ctx)


@operation("POST", "/v1/appointments/booking/book", "bookAppointmentBooking")
def book_appointment_booking(ctx: SandboxRequest) -> dict:
    return book_appointment(ctx)


def _require_booking(ctx: SandboxRequest, booking_id: str, *, lock: bool = False) -> dict[str, Any]:
    return ctx.store.require("appointment_booking", int_param(booking_id, "bookingId"), what="bookingId", lock=lock)


@operation("GET", "/v1/appointments/booking/{bookingId}", "getAppointmentBooking")
def get_appointment_booking(ctx: SandboxRequest, bookingId: str) -> dict:
    return render_appointment_booking(ctx, _require_booking(ctx, bookingId), with_customer=True)


@operation("DELETE", "/v1/appointments/booking/{bookingId}", "deleteAppointmentBooking")
def delete_appointment_booking(ctx: SandboxRequest, bookingId: str) -> dict:
    booking = _require_booking(ctx, bookingId, lock=True)
    if effective_status(booking, ctx.now) == CANCELED:
        raise ApiProblem(400, "errormessage.booking.already.canceled", "The booking is already canceled")
    if booking_period(booking)[0] <= ctx.now:
        raise ApiProblem(400, "errormessage.booking.cancelation.too.late", "The booking can no longer be canceled")
    booking["bookingStatus"] = CANCELED
    ctx.store.save("appointment_booking", booking)
    return {}


@operation("GET", "/v1/appointments/booking", "getAppointmentBookings")
def get_appointment_bookings(ctx: SandboxRequest) -> list:
    customer = require_customer(ctx, ctx.query_int("customerId", required=True))
    bookings = [
        booking
        for booking in ctx.store.all("appointment_booking", customerId=customer["id"])
        if within_two_weeks(ctx, booking)
    ]
    bookings.sort(key=lambda booking: (booking_period(booking)[0], booking["id"]))
    return [render_appointment_booking(ctx, booking) for booking in bookings]
