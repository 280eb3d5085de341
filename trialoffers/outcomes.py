"""Every answer the trial journey can get, as a plain sentence and a way forward.

One dictionary of translated sentences (pretix's ``error_messages``) for every ``validationStatus``,
``bookingStatus`` and confirmation ``status`` the journey meets, plus the portal's own reasons.
The raw upstream ``errorMessage`` is never shown; transport errors use ``portal.user_messages``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from trialoffers.models import TrialBooking


class Next(enum.StrEnum):
    """What the visitor can do after an answer."""

    DONE = "done"  # a booking exists: show it
    FIX_FORM = "fix_form"  # the form again, with what was typed and the errors
    TRY_AGAIN = "try_again"  # the same form again, nothing happened upstream
    CHECK_AGAIN = "check_again"  # outcome unknown: sending again first checks what happened
    PICK_TIME = "pick_time"  # choose another time (fresh slots)
    PICK_OFFER = "pick_offer"  # choose another offer
    CHECK_EMAIL = "check_email"  # the e-mail says how to go on (the page must not tell who is a customer)
    CONTACT = "contact"  # only the studio can help
    IN_PROGRESS = "in_progress"  # another request works on this journey right now


MESSAGES: dict[str, StrPromise] = {
    # validateForLeadCustomerCreation
    "POSSIBLE": _("Your details are complete."),
    "INVALID_LEAD_CUSTOMER_DATA": _(
        "The studio's system did not accept some of your details. Please check them, especially the phone "
        "number, date of birth and address, and send the form again."
    ),
    "DUPLICATE_CUSTOMER": _(
        "You are already registered with us under this email address. Please sign in to book, or contact the studio."
    ),
    # validateClassSlotForTrialOffers / validateForAppointmentBookingForTrialOffers
    "AVAILABLE": _("This time can be booked."),
    "NO_CONTINGENT": _(
        "You have already used up the trial sessions of this offer. Please contact the studio if you would like "
        "to come again."
    ),
    "BOOKING_LIMIT_REACHED": _(
        "This time cannot be booked for you any more: it is fully booked or you have reached the number of trial "
        "bookings for this period. Please pick another time."
    ),
    "CUSTOMER_ALREADY_BOOKED": _("You are already booked for this time. You do not need to book it again."),
    "CUSTOMER_IDLE": _("Your membership is paused at this date, so it cannot be booked. Please contact the studio."),
    "CUSTOMER_IN_OTHER_BOOKING": _("You already have another booking at this time. Please pick another time."),
    "DISPLAY_ONLY": _("This class cannot be booked online. Please choose another offer."),
    "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME": _(
        "Booking for this time has not opened yet. Please pick an earlier time or come back later."
    ),
    "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME": _(
        "Booking for this time has closed, it starts too soon. Please pick a later time."
    ),
    "STUDIO_CLOSED": _("The studio is closed at this time. Please pick another time."),
    "NOT_AVAILABLE": _("This time cannot be booked as a trial. Please pick another time."),
    "PAST_START_DATE_TIME": _("This time has already begun. Please pick a later time."),
    "END_DATE_TIME_NOT_AFTER_START_DATE_TIME": _("This time is no longer offered. Please pick another time."),
    "PERIOD_DOES_NOT_MATCH": _("This time is no longer offered. Please pick another time."),
    "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED": _(
        "This appointment has requirements that a trial booking does not meet. Please contact the studio."
    ),
    "RESOURCE_NOT_AVAILABLE": _("No coach or room is free at this time any more. Please pick another time."),
    # bookingStatus of bookClassSlotForTrialOffers / bookAppointmentForTrialOffer
    "BOOKED": _("You are booked."),
    "BOOKED_WITH_CONFIRMATION_REQUIRED": _(
        "Almost done: we have sent you an email. Please confirm your booking with the link in it."
    ),
    "WAITING_LIST": _(
        "You are on the waiting list. This is not a confirmed place yet: the studio will let you know if one "
        "becomes free."
    ),
    "CANCELED": _("The studio's system canceled this booking straight away. Please pick another time."),
    # confirmTrialOfferBooking
    "CONFIRMED": _("Your booking is confirmed."),
    "EXPIRED": _(
        "This confirmation link has expired, so the booking was released. You are welcome to book a new time."
    ),
    # The portal's own reasons
    "RATE_LIMITED": _(
        "There have been too many sign-ups from your connection or for this email address. Please try again "
        "later or contact the studio."
    ),
    "LEAD_REJECTED": _(
        "The studio's system did not accept your registration. Please check your details or contact the studio."
    ),
    "CONFIG_UNAVAILABLE": _("This trial offer is no longer available. Please choose another offer."),
    "BOOKING_CANCELED_BY_STUDIO": _("This booking was canceled, so it can no longer be confirmed."),
    "OUTCOME_UNKNOWN": _(
        "The studio's system did not answer in time, so we do not know yet whether this went through. "
        "Please send it again: we will check first and never book twice."
    ),
    "PROBABLY_BOOKED": _(
        "The studio's system did not answer in time. Your booking has most likely gone through, but we cannot "
        "show it here. Please contact the studio before you book again."
    ),
    "UPSTREAM": _("The studio's system could not process this right now. Please try again in a few minutes."),
    "LINK_INVALID": _("This link is not valid. Please start again from the studio's trial offers."),
    # Only staff see these (admin), next to the booking attempt they describe.
    "NOT_BOOKED": _("This time was not booked: the studio's system has no booking for it."),
    "SECOND_BOOKING": _(
        "The studio's system booked this time although this journey already had a booking. "
        "Please cancel one of the two in the studio's system."
    ),
}


# What the visitor can do next after each status that does not end in a booking.
NEXT_STEP: dict[str, Next] = {
    "INVALID_LEAD_CUSTOMER_DATA": Next.FIX_FORM,
    # The page looks exactly as for a new lead ("check your e-mail"); the owner of the address is told by e-mail.
    "DUPLICATE_CUSTOMER": Next.CHECK_EMAIL,
    "NO_CONTINGENT": Next.CONTACT,
    "BOOKING_LIMIT_REACHED": Next.PICK_TIME,
    "CUSTOMER_ALREADY_BOOKED": Next.CONTACT,
    "CUSTOMER_IDLE": Next.CONTACT,
    "CUSTOMER_IN_OTHER_BOOKING": Next.PICK_TIME,
    "DISPLAY_ONLY": Next.PICK_OFFER,
    "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME": Next.PICK_TIME,
    "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME": Next.PICK_TIME,
    "STUDIO_CLOSED": Next.PICK_TIME,
    "NOT_AVAILABLE": Next.PICK_TIME,
    "PAST_START_DATE_TIME": Next.PICK_TIME,
    "END_DATE_TIME_NOT_AFTER_START_DATE_TIME": Next.PICK_TIME,
    "PERIOD_DOES_NOT_MATCH": Next.PICK_TIME,
    "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED": Next.CONTACT,
    "RESOURCE_NOT_AVAILABLE": Next.PICK_TIME,
    "CANCELED": Next.PICK_TIME,
    "EXPIRED": Next.PICK_TIME,
    "RATE_LIMITED": Next.TRY_AGAIN,
    "LEAD_REJECTED": Next.FIX_FORM,
    "CONFIG_UNAVAILABLE": Next.PICK_OFFER,
    "BOOKING_CANCELED_BY_STUDIO": Next.PICK_TIME,
    "OUTCOME_UNKNOWN": Next.CHECK_AGAIN,
    "PROBABLY_BOOKED": Next.CONTACT,
    "UPSTREAM": Next.TRY_AGAIN,
    "LINK_INVALID": Next.PICK_OFFER,
}

# Voucher redemption (redeemCheckinVoucher answers errors, keyed by errorCode or by the portal).
VOUCHER_MESSAGES: dict[str, StrPromise] = {
    "NOT_FOUND": _("We do not know this voucher code. Please check it and try again."),
    "ALREADY_REDEEMED": _("This voucher code has already been used. Each code works once."),
    "EXPIRED": _("This voucher code has expired. Please contact the studio."),
    "WRONG_OFFER": _("This voucher code is not valid for this studio's offer. Please contact the studio."),
    "INVALID": _("The studio's system did not accept these details. Please check your name and email address."),
    "NOT_OFFERED": _("This studio does not offer check-in vouchers online. Please contact the studio."),
    "RATE_LIMITED": _("There have been too many attempts. Please wait an hour or contact the studio."),
    "OUTCOME_UNKNOWN": _(
        "The studio's system did not answer in time, so we do not know whether your voucher was redeemed. "
        "Please send the form again: a voucher can never be used twice."
    ),
    "REDEEMED_WITHOUT_CODE": _(
        "Your voucher has been redeemed, but the studio's system did not send us your access code. "
        "Please contact the studio: they can give it to you."
    ),
}

VOUCHER_ERROR_CODES: dict[str, str] = {
    "errormessage.checkinvoucher.already.redeemed": "ALREADY_REDEEMED",
    "errormessage.checkinvoucher.expired": "EXPIRED",
    "errormessage.checkinvoucher.online.offer.mismatch": "WRONG_OFFER",
}


def message(reason: str) -> str:
    """The sentence for a status or reason; unknown ones get the general upstream sentence."""
    return str(MESSAGES.get(reason, MESSAGES["UPSTREAM"]))


def next_step(reason: str) -> Next:
    return NEXT_STEP.get(reason, Next.TRY_AGAIN)


def booking_error_status(error_code: str | None) -> str | None:
    """A book call's 400 ``errormessage.booking.<status>`` back to its validationStatus."""
    prefix = "errormessage.booking."
    if error_code and error_code.startswith(prefix):
        status = error_code[len(prefix) :].upper()
        if status in MESSAGES:
            return status
    return None


@dataclass
class Outcome:
    """The result of one step of the journey, ready for a view to show."""

    next: Next
    reason: str = ""
    text: str = ""
    booking: TrialBooking | None = None
    field_errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, reason: str, *, booking: TrialBooking | None = None) -> Outcome:
        return cls(next=next_step(reason), reason=reason, text=message(reason), booking=booking)

    @classmethod
    def done(cls, booking: TrialBooking) -> Outcome:
        return cls(next=Next.DONE, booking=booking)
