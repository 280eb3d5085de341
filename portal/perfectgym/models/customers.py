"""Customers: the search request and the customer record."""

from __future__ import annotations

from datetime import date
from typing import Literal

from portal.perfectgym.models.base import ApiDateTime, ApiModel, CardNumberFormat, Gender, Language


class CustomerSearchRequest(ApiModel):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    date_of_birth: date | None = None
    card_number_format: CardNumberFormat | None = None


class SimpleContract(ApiModel):
    id: int
    rate_name: str


class CustomerIdlePeriod(ApiModel):
    id: int
    start_date: date
    end_date: date
    reason: str | None = None
    contract: SimpleContract | None = None
    unlimited: bool


class BankAccount(ApiModel):
    account_holder: str | None = None
    bank_name: str | None = None
    bic: str | None = None
    iban: str | None = None


class AccessRestriction(ApiModel):
    reason: str
    start_date: date | None = None
    end_date: date | None = None


class AdditionalInformationFieldAssignment(ApiModel):
    additional_information_field_id: int
    value: str


class AccessMedium(ApiModel):
    """Schema ``AccessMediumDto``."""

    id: int | None = None
    type: Literal["CARD_NUMBER", "PIN", "BARCODE", "WALLET_PASS"] | None = None
    value: str | None = None


class Customer(ApiModel):
    id: int
    customer_number: str | None = None
    first_name: str | None = None
    second_first_name: str | None = None
    last_name: str | None = None
    second_last_name: str | None = None
    date_of_birth: date | None = None
    email: str | None = None
    gender: Gender | None = None
    street: str | None = None
    house_number: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None
    second_street: str | None = None
    city_part: str | None = None
    district: str | None = None
    street_type: str | None = None
    street_block: str | None = None
    portal: str | None = None
    stairway: str | None = None
    door: str | None = None
    province: str | None = None
    additional_address_information: str | None = None
    floor: str | None = None
    building_name: str | None = None
    status: Literal["MEMBER", "PROSPECT", "FORMER_MEMBER"]
    card_numbers: list[str] = []  # deprecated upstream
    image_url: str | None = None
    phone_private: str | None = None
    phone_private_mobile: str | None = None
    phone_business: str | None = None
    phone_business_mobile: str | None = None
    idle_periods: list[CustomerIdlePeriod] = []
    bank_account: BankAccount | None = None
    access_refusal: bool
    access_restrictions: list[AccessRestriction] = []
    uuid: str | None = None
    referral_code: str | None = None
    studio_id: int | None = None
    preferred_language: Language | None = None
    additional_information_field_assignments: list[AdditionalInformationFieldAssignment] = []
    third_party_id: str | None = None
    created_date_time: ApiDateTime | None = None
    access_mediums: list[AccessMedium] = []
