"""Membership self-service, contracts: contract data with prices, cancelation reasons and requests."""

from __future__ import annotations

from datetime import date
from typing import Literal

from portal.perfectgym.models.base import ApiModel, Money, Term, TimePeriod


class MonthDay(ApiModel):
    month: (
        Literal[
            "JANUARY",
            "FEBRUARY",
            "MARCH",
            "APRIL",
            "MAY",
            "JUNE",
            "JULY",
            "AUGUST",
            "SEPTEMBER",
            "OCTOBER",
            "NOVEMBER",
            "DECEMBER",
        ]
        | None
    ) = None
    month_value: int | None = None
    day_of_month: int | None = None


class ContractMonthDayToPrice(ApiModel):
    month_day: MonthDay
    price: Money


class ContractTermToPrice(ApiModel):
    term: Term
    price: Money


class ContractPaymentFrequency(ApiModel):
    id: int | None = None
    type: Literal["FREE", "NON_RECURRING", "RECURRING", "MONTH_DAY", "TERM_BASED"]
    term: Term | None = None
    price: Money | None = None
    month_days_to_prices: list[ContractMonthDayToPrice] = []
    terms_to_prices: list[ContractTermToPrice] = []


class PriceDetails(ApiModel):
    base_price: Money
    current_price: Money
    payment_frequency: ContractPaymentFrequency


class RateCode(ApiModel):
    name: str | None = None
    identifier: str | None = None


class ContractData(ApiModel):
    """Schema ``MembershipSelfServiceContractData``: one of the customer's main contracts."""

    id: int
    start_date: date
    end_date: date
    rate_name: str
    contract_status: Literal["ACTIVE", "INACTIVE"]
    cancelation_period: TimePeriod | None = None
    # Required in the spec, but no value means "not canceled": None is that (a deliberate deviation).
    cancelation_status: Literal["CANCELED", "PENDING_VERIFICATION", "PENDING_WITHDRAWAL_VERIFICATION"] | None = None
    cancelation_date: date | None = None
    cancelation_reason: str | None = None
    price: float  # deprecated upstream, yet required: use price_details
    price_details: PriceDetails
    last_possible_cancelation_date: date | None = None
    available_cancelation_dates: list[date] = []
    cancelation_origin: Literal["STUDIO", "CUSTOMER"] | None = None
    rate_codes: list[RateCode] = []


class ContractCancelationReason(ApiModel):
    cancelation_reason_id: int
    cancelation_reason_name: str


class ContractCancelationRequest(ApiModel):
    """Schema ``MembershipSelfServiceMainContractCancelation``."""

    cancelation_date: date
    cancelation_reason_id: int
    contract_id: int
