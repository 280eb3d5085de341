"""Appointments: bookable appointments, their slots, and appointment bookings."""

from __future__ import annotations

from datetime import date

from portal.perfectgym import models as m
from portal.perfectgym.client.transport import MAX_SLICE, Transport, slice_params, slot_window_params

OPERATIONS: dict[str, tuple[str, str]] = {
    "getBookableAppointments": ("GET", "/v1/appointments/bookable"),
    "getBookableAppointment": ("GET", "/v1/appointments/bookable/{bookableAppointmentId}"),
    "getBookableAppointmentSlots": ("GET", "/v1/appointments/bookable/{bookableAppointmentId}/slots"),
    "validateForAppointmentBooking": ("POST", "/v1/appointments/bookable/validate"),
    "bookAppointmentBooking": ("POST", "/v1/appointments/booking/book"),
    "getAppointmentBooking": ("GET", "/v1/appointments/booking/{bookingId}"),
    "deleteAppointmentBooking": ("DELETE", "/v1/appointments/booking/{bookingId}"),
    "getAppointmentBookings": ("GET", "/v1/appointments/booking"),
}


class AppointmentsApi(Transport):
    def get_bookable_appointments(self, *, offset: str = "0", slice_size: int = 50) -> m.Sliced[m.BookableAppointment]:
        """getBookableAppointments"""
        return self._call(
            "getBookableAppointments",
            "GET",
            "/v1/appointments/bookable",
            params=slice_params(offset, slice_size),
            response_type=m.Sliced[m.BookableAppointment],
        )

    def all_bookable_appointments(self) -> list[m.BookableAppointment]:
        return self._all(lambda offset: self.get_bookable_appointments(offset=offset, slice_size=MAX_SLICE))

    def get_bookable_appointment(self, bookable_appointment_id: int) -> m.BookableAppointment:
        """getBookableAppointment"""
        return self._call(
            "getBookableAppointment",
            "GET",
            f"/v1/appointments/bookable/{bookable_appointment_id}",
            response_type=m.BookableAppointment,
        )

    def get_bookable_appointment_slots(
        self,
        bookable_appointment_id: int,
        *,
        customer_id: int | None = None,
        days_ahead: int | None = None,
        slot_window_start_date: date | None = None,
    ) -> list[m.BookableAppointmentSlot]:
        """getBookableAppointmentSlots (``days_ahead`` 1..6, upstream default 1)"""
        return self._call(
            "getBookableAppointmentSlots",
            "GET",
            f"/v1/appointments/bookable/{bookable_appointment_id}/slots",
            params=slot_window_params(customer_id, days_ahead, slot_window_start_date, minimum_days=1),
            response_type=list[m.BookableAppointmentSlot],
        )

    def validate_for_appointment_booking(
        self, request: m.AppointmentBookingRequest
    ) -> m.AppointmentBookingValidationResult:
        """validateForAppointmentBooking"""
        return self._call(
            "validateForAppointmentBooking",
            "POST",
            "/v1/appointments/bookable/validate",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingValidationResult,
        )

    def book_appointment_booking(self, request: m.AppointmentBookingRequest) -> m.AppointmentBookingResult:
        """bookAppointmentBooking"""
        return self._call(
            "bookAppointmentBooking",
            "POST",
            "/v1/appointments/booking/book",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingResult,
        )

    def get_appointment_booking(self, booking_id: int) -> m.AppointmentBookingResultWithCustomerId:
        """getAppointmentBooking"""
        return self._call(
            "getAppointmentBooking",
            "GET",
            f"/v1/appointments/booking/{booking_id}",
            response_type=m.AppointmentBookingResultWithCustomerId,
        )

    def delete_appointment_booking(self, booking_id: int) -> m.VoidResult:
        """deleteAppointmentBooking"""
        return self._call(
            "deleteAppointmentBooking", "DELETE", f"/v1/appointments/booking/{booking_id}", response_type=m.VoidResult
        )

    def get_appointment_bookings(self, customer_id: int) -> list[m.AppointmentBookingResult]:
        """getAppointmentBookings (bookings within +/- 2 weeks)"""
        return self._call(
            "getAppointmentBookings",
            "GET",
            "/v1/appointments/booking",
            params={"customerId": customer_id},
            response_type=list[m.AppointmentBookingResult],
        )
