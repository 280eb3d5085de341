"""Trial offers (configuration, leads, bookings) and check-in vouchers."""

from __future__ import annotations

from datetime import date
from typing import Literal

from portal.perfectgym.models.appointments import BookableAppointment
from portal.perfectgym.models.base import ApiModel, Gender, Language, Term, TermWithMinutes
from portal.perfectgym.models.classes import Class


class TrialOfferClass(ApiModel):
    trial_offer_config_id: int
    trial_offer_class: Class
    id: int | None = None


class BookableTrialOfferAppointment(ApiModel):
    trial_offer_config_id: int
    trial_offer_bookable_appointment: BookableAppointment
    id: int | None = None


FieldMode = Literal["INACTIVE", "OPTIONAL", "MANDATORY"]


class TrialOfferLeadDataConfig(ApiModel):
    trial_offer_lead_data_config_id: int
    gender_mode: FieldMode
    date_of_birth_mode: FieldMode
    telephone_mode: FieldMode
    address_mode: FieldMode


class TrialOfferConfig(ApiModel):
    id: int
    name: str
    prevent_multiple_bookings_term: Term
    contingent: int
    confirmation_of_booking_term: TermWithMinutes | None = None
    allow_booking_for_leads: bool
    lead_data_config: TrialOfferLeadDataConfig


class LeadCustomerAddressData(ApiModel):
    street: str
    house_number: str | None = None
    zip_code: str
    city: str


class LeadData(ApiModel):
    third_party_id: str | None = None
    firstname: str
    second_firstname: str | None = None
    lastname: str
    second_lastname: str | None = None
    email: str
    gender: Gender | None = None
    date_of_birth: date | None = None
    telephone: str | None = None
    language: Language | None = None
    address: LeadCustomerAddressData | None = None


class TrialOfferLeadCustomerCreationRequest(ApiModel):
    lead_customer_data: LeadData
    trial_offer_config_id: int


class TrialOfferLeadCustomerCreationValidationResult(ApiModel):
    validation_status: Literal["POSSIBLE", "INVALID_LEAD_CUSTOMER_DATA", "DUPLICATE_CUSTOMER"]


class TrialOfferLeadCustomerCreationResult(ApiModel):
    lead_customer_id: int | None = None


class BookingConfirmationResult(ApiModel):
    status: Literal["CONFIRMED", "EXPIRED"]


class CheckinVoucherRedeem(ApiModel):
    voucher_code: str
    firstname: str
    lastname: str
    email: str
    online_offer_id: int


class CheckinVoucherRedeemResult(ApiModel):
    """Schema ``OpenApiV1CheckinVoucherRedeemResultDto``."""

    studio_access_code: str
