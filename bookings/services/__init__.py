"""The bookings area: the schedule, appointments and a member's bookings (reads); book and cancel (writes).

One module per topic: ``schedule``, ``classes`` (book, look at and cancel a class booking),
``appointments``, ``mine`` ("My bookings" and calendar files); ``common`` holds the app's own errors,
the ``Outcome`` views get and the write steps. Views call the names below and get plain objects back.
Reads go through ``bookings.sources`` (readers on the portal's one read path, ``portal.reads``); writes
through ``portal.writes``.
"""

from __future__ import annotations

from bookings.services.appointments import (
    appointment_booking,
    appointment_can_cancel,
    appointment_page,
    appointment_types_page,
    book_appointment,
    cancel_appointment,
    find_appointment_slot,
)
from bookings.services.classes import (
    book_class,
    cancel_class,
    cancel_rule_text,
    class_booking_detail,
    class_detail,
    class_refusal,
)
from bookings.services.common import NotYours, Outcome, Unreachable
from bookings.services.mine import Entry, entry_for, my_bookings_page, upcoming_entries
from bookings.services.schedule import (
    TIMES_OF_DAY,
    ScheduleFilters,
    SlotView,
    schedule_data,
    schedule_page,
    slot_view,
)

__all__ = [
    "TIMES_OF_DAY",
    "Entry",
    "NotYours",
    "Outcome",
    "ScheduleFilters",
    "SlotView",
    "Unreachable",
    "appointment_booking",
    "appointment_can_cancel",
    "appointment_page",
    "appointment_types_page",
    "book_appointment",
    "book_class",
    "cancel_appointment",
    "cancel_class",
    "cancel_rule_text",
    "class_booking_detail",
    "class_detail",
    "class_refusal",
    "entry_for",
    "find_appointment_slot",
    "my_bookings_page",
    "schedule_data",
    "schedule_page",
    "slot_view",
    "upcoming_entries",
]
