"""What became of a booking or cancelation whose answer was lost, read in the background.

``manage.py reconcile_writes`` (``portal.writes.reconcile_unknown``) calls these with the stored write:
its actor is the member, its target what the form was about. They read as the request itself would
have after the lost answer, and never write.
"""

from __future__ import annotations

from bookings import sources
from bookings.services.appointments import booking_at
from bookings.services.classes import booking_of
from portal import writes
from portal.models import Studio, Write
from portal.perfectgym import models as m
from portal.perfectgym.datetimes import parse_api_datetime


def class_booked(studio: Studio, row: Write) -> writes.Result | None:
    """``class.book``: the member's active booking of the slot."""
    request = m.ClassSlotBookingRequest(customer_id=writes.customer_of(row), class_slot_id=row.target["slot"])
    return booking_of(studio, request)


def appointment_booked(studio: Studio, row: Write) -> writes.Result | None:
    """``appointment.book``: the member's active appointment at that start (as the API wrote it)."""
    return booking_at(studio, writes.customer_of(row), parse_api_datetime(row.target["start"]))


def class_canceled(studio: Studio, row: Write) -> writes.Result | None:
    """``class.cancel``: the booking, read by its id, is canceled."""
    booking = sources.class_booking(studio, row.target["booking"])
    return _canceled(booking.booking_status)


def appointment_canceled(studio: Studio, row: Write) -> writes.Result | None:
    """``appointment.cancel``: the appointment, read by its id, is canceled."""
    booking = sources.appointment_booking(studio, row.target["booking"])
    return _canceled(booking.booking_status)


def _canceled(status: str) -> writes.Result | None:
    return {"status": "CANCELED"} if status == "CANCELED" else None  # as ``common.cancel_once`` stores it


RECONCILERS = {
    "class.book": class_booked,
    "appointment.book": appointment_booked,
    "class.cancel": class_canceled,
    "appointment.cancel": appointment_canceled,
}
