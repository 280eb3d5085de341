"""Every upstream status the bookings area meets, as a plain sentence (one dictionary per enum).

Sentences with ``%(when)s`` get the date and time filled in where it is known. The raw upstream
``errorMessage`` is never shown; transport errors use ``portal.user_messages.message_for``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# validationStatus of validateClassSlot (and the 400 errorCode of bookClassSlot for the same reasons).
CLASS_VALIDATION = {
    "AVAILABLE": _("This class can be booked."),
    "NO_CONTINGENT": _(
        "Your membership has no class bookings left at the moment. Please ask the studio about your contingent."
    ),
    "BOOKING_LIMIT_REACHED": _(
        "No more bookings are possible: the class and its waiting list are full, "
        "or you have reached your maximum number of bookings."
    ),
    "CUSTOMER_ALREADY_BOOKED": _("You have already booked this class."),
    "CUSTOMER_IDLE": _("Your membership is paused on this day, so you cannot book classes for it."),
    "CUSTOMER_IN_OTHER_BOOKING": _("You already have another booking at this time."),
    "DISPLAY_ONLY": _("This class is listed for information only; no booking is needed or possible."),
    "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME": _("Booking for this class has not opened yet."),
    "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME": _("Booking for this class has closed."),
    "STUDIO_CLOSED": _("The studio is closed at this time, so the class cannot be booked."),
    "NOT_AVAILABLE": _("This class cannot be booked. It may have been canceled or has already started."),
}

# The same two reasons with the time filled in, when the slot says when.
BOOKING_OPENS_AT = _("Booking for this class opens on %(when)s.")
BOOKING_CLOSED_AT = _("Booking for this class closed on %(when)s.")

# validationStatus of validateForAppointmentBooking (and bookAppointmentBooking's 400 errorCode).
APPOINTMENT_VALIDATION = {
    "AVAILABLE": _("This time can be booked."),
    "PAST_START_DATE_TIME": _("This time is already in the past. Please choose a later time."),
    "END_DATE_TIME_NOT_AFTER_START_DATE_TIME": _("This time slot is not valid. Please choose another time."),
    "PERIOD_DOES_NOT_MATCH": _("This time is no longer offered. Please choose another time."),
    "CUSTOMER_IN_OTHER_BOOKING": _("You already have another booking at this time."),
    "CUSTOMER_IDLE": _("Your membership is paused on this day, so you cannot book appointments for it."),
    "NO_CONTINGENT": _(
        "Your membership has no appointment bookings left at the moment. Please ask the studio about your contingent."
    ),
    "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED": _(
        "This appointment has requirements you do not meet (for example, it may be for members only)."
    ),
    "BOOKING_LIMIT_REACHED": _(
        "You already have as many upcoming bookings of this appointment as allowed. "
        "You can book again after one has taken place or been canceled."
    ),
    "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME": _("Booking for this time has not opened yet."),
    "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME": _("It is too late to book this time online."),
    "STUDIO_CLOSED": _("The studio is closed at this time."),
    "RESOURCE_NOT_AVAILABLE": _("No coach or room is free at this time any more. Please choose another time."),
    "NOT_AVAILABLE": _("This time cannot be booked. Please choose another time."),
}

# bookingStatus of a booking result.
CLASS_BOOKING_RESULT = {
    "BOOKED": _("You are booked."),
    "BOOKED_WITH_CONFIRMATION_REQUIRED": _("Your place is reserved. The studio still has to confirm it."),
    "WAITING_LIST": _(
        "The class is full, so you are on the waiting list. If a place becomes free, "
        "your booking moves up and shows as booked."
    ),
    "CANCELED": _("This booking is canceled."),
}
APPOINTMENT_BOOKING_RESULT = {
    "BOOKED": _("Your appointment is booked."),
    "BOOKED_WITH_CONFIRMATION_REQUIRED": _("Your appointment is reserved. The studio still has to confirm it."),
    "CANCELED": _("This appointment is canceled."),
}

# bookingStatus as a short label (lists, calendar entries).
BOOKING_STATUS_LABEL = {
    "BOOKED": _("Booked"),
    "BOOKED_WITH_CONFIRMATION_REQUIRED": _("Awaiting confirmation"),
    "WAITING_LIST": _("Waiting list"),
    "CANCELED": _("Canceled"),
}

# classSlotStatus / appointmentStatus of a booking.
SLOT_STATUS = {
    "PLANNED": _("Planned"),
    "CANCELED": _("Canceled by the studio"),
    "COMPLETED": _("Took place"),
}

# participantStatus of a booking (check-in at the class or appointment).
PARTICIPANT_STATUS = {
    "PARTICIPATING": _("Attended"),
    "NOT_PARTICIPATING": _("Did not attend"),
    "UNSET": _("Not recorded yet"),
}

# Answers to a cancelation (errorCode of a 400, or what the portal found out itself).
CANCELED = _("Your booking is canceled.")
LEFT_WAITING_LIST = _("You have left the waiting list.")
APPOINTMENT_CANCELED = _("Your appointment is canceled.")
ALREADY_CANCELED = _("This booking was already canceled.")
CANCEL_TOO_LATE = _("It is too late to cancel this booking online. Please contact the studio.")
CANCEL_REFUSED = _("The studio's system did not accept the cancelation. Please contact the studio.")
CANCEL_ERROR_CODES = {
    "errormessage.booking.already.canceled": ALREADY_CANCELED,
    "errormessage.booking.cancelation.too.late": CANCEL_TOO_LATE,
}

# What the portal says about the state of a write it could not finish.
IN_PROGRESS = _("Your booking is being sent right now. Please wait a moment and reload the page.")
NOT_SENT = _("Your booking did not go through. Please try again.")
UNCONFIRMED = _(
    "The studio's system did not answer in time and we could not check yet whether you are booked. "
    "Please look at “My bookings” in a minute before you try again."
)
FORM_EXPIRED = _("This form has expired. Please reload the page and try again.")
BOOKING_PAUSED = _("Booking is not available right now because the studio's system cannot be reached.")
NO_LONGER_LISTED = _("This class is no longer in the schedule.")
CANCEL_IN_PROGRESS = _("Your cancelation is being sent right now. Please wait a moment and reload the page.")
CANCEL_NOT_SENT = _("Your cancelation did not go through. Your booking is still active; please try again.")
CANCEL_UNCONFIRMED = _(
    "The studio's system did not answer in time and we could not check yet whether your booking is canceled. "
    "Please look at “My bookings” in a minute."
)
