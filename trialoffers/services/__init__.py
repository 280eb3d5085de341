"""The trial offer journey and check-in vouchers: everything that talks to the API.

Views call these functions and show what they return; they never see an ``ApiError``: services
return outcomes (``trialoffers.outcomes``) or raise ``ConfigUnavailable``, whose message is the
visitor's sentence. One module per topic: ``offers``, ``slots``, ``journey`` (one click of the lead
form), ``lead``, ``booking``, ``confirmation``, ``vouchers``, ``emails`` (the worker's handlers),
``privacy`` (the daily housekeeping), ``records`` (the journey's rows and the one write per form).

Writes follow three rules:
- never retried automatically: a failed write becomes a sentence and a button the visitor presses;
- one lead and one booking per intent: the journey's nonce (``Lead.journey``) and the slot
  (``TrialBooking.slot_key``) are unique keys, and a request that finds another one working on the
  same form (a double click) is told at once that it is in progress instead of writing too;
- after ``OutcomeUnknown`` the portal reads (customer search, the customer's bookings, the booking)
  to learn what happened before it writes again.
"""

from __future__ import annotations

from trialoffers.services.confirmation import confirm_booking, expire_overdue
from trialoffers.services.emails import (
    ALREADY_MEMBER_EMAIL,
    BOOKING_EMAIL,
    VOUCHER_EMAIL,
    Links,
    place_lines,
    send_already_member_message,
    send_booking_message,
    with_language,
)
from trialoffers.services.journey import (
    OFFER_VIEW,
    answered_by_email,
    book_trial,
    count_form_started,
    count_kept_offer_view,
    count_offer_view,
    journey_busy,
    journey_lead,
)
from trialoffers.services.lead import LeadInput
from trialoffers.services.offers import (
    ConfigUnavailable,
    Offer,
    OfferList,
    find_offer,
    lead_fields,
    list_offers,
    trial_config,
)
from trialoffers.services.privacy import anonymise_old_records, housekeeping
from trialoffers.services.records import form_key
from trialoffers.services.slots import SlotPicker, slot_picker
from trialoffers.services.vouchers import VoucherOutcome, access_code, redeem_voucher, send_voucher_message

__all__ = [
    "ALREADY_MEMBER_EMAIL",
    "BOOKING_EMAIL",
    "VOUCHER_EMAIL",
    "ConfigUnavailable",
    "LeadInput",
    "Links",
    "Offer",
    "OfferList",
    "SlotPicker",
    "VoucherOutcome",
    "access_code",
    "anonymise_old_records",
    "answered_by_email",
    "book_trial",
    "confirm_booking",
    "count_form_started",
    "OFFER_VIEW",
    "count_kept_offer_view",
    "count_offer_view",
    "expire_overdue",
    "find_offer",
    "form_key",
    "housekeeping",
    "journey_busy",
    "journey_lead",
    "lead_fields",
    "list_offers",
    "place_lines",
    "redeem_voucher",
    "send_already_member_message",
    "send_booking_message",
    "send_voucher_message",
    "slot_picker",
    "trial_config",
    "with_language",
]
