"""Bookable appointments (trial workout, body analysis, personal training) and their bookings."""

from __future__ import annotations

from sandbox import schedule
from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, int_param, operation


def require_appointment_type(ctx: SandboxRequest, type_id: str) -> dict:
    atype = ctx.store.get("appointment_type", int_param(type_id, "bookableAppointmentId"))
    if atype is None:
        raise ApiProblem.not_found("bookableAppointmentId")
    return atype


def slots_for(ctx: SandboxRequest, atype: dict) -> list:
    """The slot listing; ``customerId`` (optional) must name a customer."""
    customer_id = ctx.query_int("customerId")
    if customer_id is not None:
        schedule.require_customer(ctx, customer_id)
    first, last = schedule.slot_window_query(ctx)
    return [schedule.render_appointment_slot(ctx, slot) for slot in schedule.appointment_slots(ctx, atype, first, last)]


@operation("GET", "/v1/appointments/bookable", "getBookableAppointments")
def get_bookable_appointments(ctx: SandboxRequest) -> dict:
    return schedule.sliced_entities(ctx, ctx.store.all("appointment_type"))


@operation("GET", "/v1/appointments/bookable/{bookableAppointmentId}", "getBookableAppointment")
def get_bookable_appointment(ctx: SandboxRequest, bookableAppointmentId: str) -> dict:
    return schedule.public(require_appointment_type(ctx, bookableAppointmentId))


@operation("GET", "/v1/appointments/bookable/{bookableAppointmentId}/slots", "getBookableAppointmentSlots")
def get_bookable_appointment_slots(ctx: SandboxRequest, bookableAppointmentId: str) -> list:
    return slots_for(ctx, require_appointment_type(ctx, bookableAppointmentId))


@operation("POST", "/v1/appointments/bookable/validate", "validateForAppointmentBooking")
def validate_for_appointment_booking(ctx: SandboxRequest) -> dict:
    return schedule.validate_appointment(ctx)


@operation("POST", "/v1/appointments/booking/book", "bookAppointmentBooking")
def book_appointment_booking(ctx: SandboxRequest) -> dict:
    return schedule.book_appointment(ctx)


def _require_booking(ctx: SandboxRequest, booking_id: str, *, lock: bool = False) -> dict:
    number = int_param(booking_id, "bookingId")
    booking = ctx.store.lock("appointment_booking", number) if lock else ctx.store.get("appointment_booking", number)
    if booking is None:
        raise ApiProblem.not_found("bookingId")
    return booking


@operation("GET", "/v1/appointments/booking/{bookingId}", "getAppointmentBooking")
def get_appointment_booking(ctx: SandboxRequest, bookingId: str) -> dict:
    return schedule.render_appointment_booking(ctx, _require_booking(ctx, bookingId), with_customer=True)


@operation("DELETE", "/v1/appointments/booking/{bookingId}", "deleteAppointmentBooking")
def delete_appointment_booking(ctx: SandboxRequest, bookingId: str) -> dict:
    booking = _require_booking(ctx, bookingId, lock=True)
    if schedule.effective_status(booking, ctx.now) == schedule.CANCELED:
        raise ApiProblem(400, "errormessage.booking.already.canceled", "The booking is already canceled")
    if schedule.booking_period(booking)[0] <= ctx.now:
        raise ApiProblem(400, "errormessage.booking.cancelation.too.late", "The booking can no longer be canceled")
    booking["bookingStatus"] = schedule.CANCELED
    ctx.store.save("appointment_booking", booking)
    return {}


@operation("GET", "/v1/appointments/booking", "getAppointmentBookings")
def get_appointment_bookings(ctx: SandboxRequest) -> list:
    customer = schedule.require_customer(ctx, ctx.query_int("customerId", required=True))
    bookings = [
        booking
        for booking in ctx.store.all("appointment_booking", customerId=customer["id"])
        if schedule.within_two_weeks(ctx, booking)
    ]
    bookings.sort(key=lambda booking: (schedule.booking_period(booking)[0], booking["id"]))
    return [schedule.render_appointment_booking(ctx, booking) for booking in bookings]
