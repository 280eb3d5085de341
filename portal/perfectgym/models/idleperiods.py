"""Membership self-service, idle periods: configuration, fees, periods, validation and creation."""

from __future__ import annotations

from datetime import date
from typing import Literal

from portal.perfectgym.models.base import AmendmentConfigurationStatus, ApiModel, Money, TemporalUnit, Term


class IdlePeriodReason(ApiModel):
    id: int
    name: str
    document_required: bool


class IdlePeriodFeeCalculationConfig(ApiModel):
    idle_period_amount: Money
    idle_period_amount_per_term_unit: Money | None = None
    default_temporal_unit: TemporalUnit | None = None
    dynamic_idle_period_amount_percentage: float | None = None
    recurring_idle_period_charges: bool | None = None


class IdlePeriodFee(ApiModel):
    idle_period_fee_calculation_type: Literal["NONE", "ABSOLUTE", "RELATIVE", "TERM_BASED"] | None = None
    idle_period_total_amount: Money | None = None
    idle_period_fee_calculation_amount: Money | None = None
    idle_period_fee_calculation_term: Term | None = None
    idle_period_fee_calculation_percentage: float | None = None


class IdlePeriodConfiguration(ApiModel):
    temporal_unit: TemporalUnit
    max_terms: int
    max_term_per_reference_period: int | None = None
    reference_period: Literal["CALENDAR_YEAR", "CONTRACT_YEAR"]
    first_possible_start_date: date
    next_possible_start_date_only: bool
    idle_period_fee: Money
    access_refusal: bool
    idle_period_reasons: list[IdlePeriodReason]
    idle_period_creation_status: AmendmentConfigurationStatus
    contract_has_extension: bool
    unlimited_allowed: bool
    free_terms: Term
    day_based_term_shortening_allowed: bool
    idle_period_fee_calculation_config: IdlePeriodFeeCalculationConfig


class IdlePeriod(ApiModel):
    id: int
    start_date: date
    end_date: date
    reason: str  # deprecated upstream, yet required: use idle_period_reason
    fee: Money  # deprecated upstream, yet required: use idle_period_fee
    unlimited: bool | None = None
    document_url: str | None = None  # expires after about 15 minutes
    state: Literal["PENDING_VERIFICATION", "ACCEPTED"]
    idle_period_fee_calculation_config: IdlePeriodFeeCalculationConfig | None = None
    idle_period_fee: IdlePeriodFee | None = None
    idle_period_reason: IdlePeriodReason
    used_free_terms_in_days: int | None = None


class IdlePeriodLists(ApiModel):
    past_idle_periods: list[IdlePeriod]
    current_and_upcoming_idle_periods: list[IdlePeriod]


class IdlePeriodValidationRequest(ApiModel):
    start_date: date
    temporal_unit: TemporalUnit | None = None
    term_value: int | None = None
    unlimited: bool | None = None


IdlePeriodValidationStatus = Literal[
    "IDLEPERIOD_DEACTIVATED_FOR_CONTRACT",
    "IDLEPERIOD_PENDING_VERIFICATION",
    "IDLEPERIOD_DATE_NOT_FIRSTDAY_OF_TEMPORALUNIT",
    "IDLEPERIOD_DEADLINE_VIOLATED",
    "IDLEPERIOD_EXPECTED_STARTDATE_MISMATCH",
    "IDLEPERIOD_MAXIMUM_YEARS_VIOLATED",
    "IDLEPERIOD_OVERLAPPING",
    "IDLEPERIOD_TEMPORALUNIT_INVALID",
    "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED",
    "IDLEPERIOD_CREATABLE",
    "IDLEPERIOD_TERMVALUE_MISSING",
    "IDLEPERIOD_UNLIMITED_PARAMETER_IS_MISSING",
    "IDLEPERIOD_ENDDATE_AND_TERM_PROVIDED",
    "IDLEPERIOD_ENDDATE_BEFORE_STARTDATE",
    "IDLEPERIOD_ENDDATE_ONLY_FOR_SHORTENING",
    "IDLEPERIOD_UPDATABLE",
]


class IdlePeriodValidationStatusResult(ApiModel):
    validation_status: IdlePeriodValidationStatus


class IdlePeriodCreateRequest(ApiModel):
    """The ``data`` part of createIdlePeriodAmendment's multipart body."""

    start_date: date
    temporal_unit: TemporalUnit | None = None
    term_value: int | None = None
    unlimited: bool | None = None
    reason_id: int
