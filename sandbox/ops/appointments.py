"""Bookable appointments (trial workout, body analysis, personal training) and their bookings."""

from __future__ import annotations

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
from sandbox.schedule.rules import cancel_booking, listed_bookings, require_booking, require_customer


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


@operation("GET", "/v1/appointments/booking/{bookingId}", "getAppointmentBooking")
def get_appointment_booking(ctx: SandboxRequest, bookingId: str) -> dict:
    booking = require_booking(ctx, "appointment_booking", bookingId)
    return render_appointment_booking(ctx, booking, with_customer=True)


@operation("DELETE", "/v1/appointments/booking/{bookingId}", "deleteAppointmentBooking")
def delete_appointment_booking(ctx: SandboxRequest, bookingId: str) -> dict:
    cancel_booking(ctx, "appointment_booking", require_booking(ctx, "appointment_booking", bookingId, lock=True))
    return {}


@operation("GET", "/v1/appointments/booking", "getAppointmentBookings")
def get_appointment_bookings(ctx: SandboxRequest) -> list:
    return [render_appointment_booking(ctx, booking) for booking in listed_bookings(ctx, "appointment_booking")]
