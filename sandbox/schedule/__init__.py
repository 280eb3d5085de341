"""Shared rules for classes and appointments: slots from a weekly timetable, and who may book them.

Slots are never stored. They are generated from ``timetable_entry`` rows (classes) and the
availability windows of ``appointment_type`` rows, for whatever dates are asked about, so the demo
never goes stale. A class slot's id encodes its timetable entry and date (``int(f"{entry}{yyyymmdd}")``),
which keeps ids stable across requests and workers. Bookings are stored; a slot's participant count is
a deterministic base ("other members") plus the stored bookings.

The validation functions answer the API's ``validationStatus`` values; a book handler answers the
same status as a 400 (``errormessage.booking.<status lowercase>``) when it is not bookable.

- ``common``: request input, listings (slices, the listing window) and calendar arithmetic;
- ``rules``: the booking rules both kinds share (customers, closures, bookings, trial offers);
- ``timetable``: class slots, their counts, validation and booking;
- ``appointments``: appointment slots, instructors, validation and booking.
"""
