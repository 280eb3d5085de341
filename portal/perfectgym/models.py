"""Typed request and response models, checked at the edge.

Field names are snake_case in Python and camelCase on the wire. Unknown fields
are ignored so that a newer API version does not break the portal; a ``null``
counts as an absent field, and a number sent for a string field is taken as its
text (the vendor's own examples do that). Required and optional fields, enums and
formats follow ``magicline-openapi-1.11.1.json``; each class names its schema where
ours differs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO, Annotated, Any, Generic, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SerializationInfo, field_serializer, model_validator
from pydantic.alias_generators import to_camel

from portal.perfectgym.datetimes import format_api_datetime, parse_api_datetime


class ApiModel(BaseModel):
    # coerce_numbers_to_str: a number where the description says string is still that string. The
    # vendor's own example sends houseNumber as 89, and a page must not fail over such an answer.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True, coerce_numbers_to_str=True
    )

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        # The API may write an optional field as null; the field's default then applies.
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data

    def to_json(self) -> dict:
        """The request body as the API expects it (camelCase, no nulls)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


def _api_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("date-time must be timezone-aware")
        return value
    if not isinstance(value, str):
        # ValueError (not TypeError) so pydantic reports it as a validation error.
        raise ValueError("date-time must be a string")
    return parse_api_datetime(value)


ApiDateTime = Annotated[datetime, BeforeValidator(_api_datetime)]
T = TypeVar("T")


class Sliced(ApiModel, Generic[T]):
    """A page of a "sliced" result; send ``offset`` back to get the next one."""

    result: list[T]
    has_next: bool
    offset: str


class VoidResult(ApiModel):
    success: str | None = None


class Document(NamedTuple):
    """A file to upload: ``content`` is bytes or an open binary file."""

    filename: str
    content: bytes | IO[bytes]
    content_type: str


# --- Shared pieces --------------------------------------------------------------
Weekday = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
Gender = Literal["MALE", "FEMALE", "UNISEX"]
AmendmentConfigurationStatus = Literal["READ", "CHANGES_REQUIRE_VERIFICATION", "CHANGES_WITHOUT_VERIFICATION"]
TemporalUnit = Literal["DAY", "WEEK", "MONTH"]
CardNumberFormat = Literal["DECIMAL", "HEX_MSB", "HEX_LSB"]
ParticipantStatus = Literal["PARTICIPATING", "NOT_PARTICIPATING", "UNSET"]
SlotStatus = Literal["PLANNED", "CANCELED", "COMPLETED"]


class Money(ApiModel):
    amount: float
    currency: str


class Term(ApiModel):
    value: int
    unit: Literal["DAY", "WEEK", "MONTH", "YEAR"]


class TermWithMinutes(ApiModel):
    value: int
    unit: Literal["MINUTES", "HOURS", "DAY", "WEEK", "MONTH", "YEAR"]


class TimePeriod(ApiModel):
    period_value: int
    period_unit: Literal["DAY", "WEEK", "MONTH", "YEAR"]


class Language(ApiModel):
    language_code: str
    country_code: str | None = None


class Instructor(ApiModel):
    id: int
    first_name: str
    last_name: str
    public_name: str | None = None

    @property
    def display_name(self) -> str:
        return self.public_name or f"{self.first_name} {self.last_name}".strip()


# --- Classes --------------------------------------------------------------------
class ClassCancelationCondition(ApiModel):
    cancelation_after_latest_possible: bool | None = None
    latest_cancel_term: TermWithMinutes | None = None


class Class(ApiModel):
    id: int
    title: str | None = None
    type: Literal["STUDIO", "STREAM"] | None = None
    duration: int | None = None
    category: str | None = None
    description: str | None = None
    img_url: str | None = None  # expires after about 15 minutes: never cache longer
    bookable: bool
    cancel_condition: ClassCancelationCondition | None = None


class BasicClass(ApiModel):
    id: int
    title: str | None = None


class Location(ApiModel):
    id: int
    name: str
    description: str | None = None


class ClassSlot(ApiModel):
    id: int
    start_date_time: ApiDateTime | None = None
    end_date_time: ApiDateTime | None = None
    class_information: BasicClass | None = None
    instructors: list[Instructor] = []
    location: Location | None = None
    earliest_booking_date_time: ApiDateTime | None = None
    latest_booking_date_time: ApiDateTime | None = None
    max_participants: int | None = None
    max_waiting_list_participants: int | None = None
    booked_participants: int | None = None
    additional_participants: int
    waiting_list_participants: int | None = None


class ClassSlotBookingRequest(ApiModel):
    customer_id: int
    class_slot_id: int


ClassSlotValidationStatus = Literal[
    "AVAILABLE",
    "NO_CONTINGENT",
    "BOOKING_LIMIT_REACHED",
    "CUSTOMER_ALREADY_BOOKED",
    "CUSTOMER_IDLE",
    "CUSTOMER_IN_OTHER_BOOKING",
    "DISPLAY_ONLY",
    "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME",
    "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME",
    "STUDIO_CLOSED",
    "NOT_AVAILABLE",
]


class ClassSlotBookingValidationResult(ApiModel):
    validation_status: ClassSlotValidationStatus


class ClassSlotBookingResult(ApiModel):
    booking_id: int
    booking_status: Literal["BOOKED", "BOOKED_WITH_CONFIRMATION_REQUIRED", "WAITING_LIST", "CANCELED"]
    class_slot_id: int
    class_id: int
    customer_id: int
    class_slot_status: SlotStatus
    participant_status: ParticipantStatus


# --- Appointments ---------------------------------------------------------------
class BookableAppointment(ApiModel):
    id: int
    title: str | None = None
    duration: int | None = None
    category: str | None = None
    description: str | None = None
    img_url: str | None = None


class AppointmentBookingRequest(ApiModel):
    """Start and end are strings: send back exactly what the slot listing gave."""

    customer_id: int
    bookable_appointment_id: int
    start_date_time: str
    end_date_time: str
    instructor_ids: list[int] | None = None


class BookableAppointmentSlot(ApiModel):
    """One bookable appointment slot.

    ``start_date_time``/``end_date_time`` are parsed for display and arithmetic;
    ``start_date_time_raw``/``end_date_time_raw`` keep the exact strings the API sent,
    because a booking request must send them back unchanged (the API compares the
    period, milliseconds and zone id included). JSON dumps write the raw strings, so
    a cached slot round-trips unchanged.
    """

    start_date_time: ApiDateTime | None = None
    end_date_time: ApiDateTime | None = None
    instructors: list[Instructor] = []
    start_date_time_raw: str | None = Field(default=None, exclude=True)
    end_date_time_raw: str | None = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _keep_raw_strings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for name, alias in (("start_date_time", "startDateTime"), ("end_date_time", "endDateTime")):
            if data.get(f"{name}_raw") is not None or data.get(f"{alias}Raw") is not None:
                continue
            value = data.get(alias, data.get(name))
            if isinstance(value, str):
                data[f"{name}_raw"] = value
            elif isinstance(value, datetime) and value.tzinfo is not None:
                data[f"{name}_raw"] = format_api_datetime(value)
        return data

    @field_serializer("start_date_time", "end_date_time", when_used="json")
    def _as_sent(self, value: datetime | None, info: SerializationInfo) -> str | None:
        return getattr(self, f"{info.field_name}_raw") or (value.isoformat() if value else None)

    def booking_request(
        self, *, customer_id: int, bookable_appointment_id: int, instructor_ids: list[int] | None = None
    ) -> AppointmentBookingRequest:
        """The request that books (or validates) exactly this slot."""
        if not self.start_date_time_raw or not self.end_date_time_raw:
            raise ValueError("slot has no start or end date-time")
        return AppointmentBookingRequest(
            customer_id=customer_id,
            bookable_appointment_id=bookable_appointment_id,
            start_date_time=self.start_date_time_raw,
            end_date_time=self.end_date_time_raw,
            instructor_ids=instructor_ids,
        )


AppointmentValidationStatus = Literal[
    "PAST_START_DATE_TIME",
    "END_DATE_TIME_NOT_AFTER_START_DATE_TIME",
    "PERIOD_DOES_NOT_MATCH",
    "CUSTOMER_IN_OTHER_BOOKING",
    "CUSTOMER_IDLE",
    "NO_CONTINGENT",
    "BOOKABLE_APPOINTMENT_RESTRICTIONS_NOT_FULFILLED",
    "BOOKING_LIMIT_REACHED",
    "DATE_TIME_BEFORE_EARLIEST_BOOKING_DATE_TIME",
    "DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME",
    "STUDIO_CLOSED",
    "RESOURCE_NOT_AVAILABLE",
    "NOT_AVAILABLE",
    "AVAILABLE",
]


class AppointmentBookingValidationResult(ApiModel):
    validation_status: AppointmentValidationStatus


class AppointmentBookingResult(ApiModel):
    booking_id: int
    booking_status: Literal["BOOKED", "BOOKED_WITH_CONFIRMATION_REQUIRED", "CANCELED"]
    start_date_time: ApiDateTime
    end_date_time: ApiDateTime
    title: str | None = None
    duration: int | None = None
    category: str | None = None
    description: str | None = None
    img_url: str | None = None
    instructors: list[Instructor] = []
    appointment_status: SlotStatus
    participant_status: ParticipantStatus


class AppointmentBookingResultWithCustomerId(AppointmentBookingResult):
    customer_id: int


# --- Trial offers -----------------------------------------------------------------
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


# --- Check-in vouchers ------------------------------------------------------------
class CheckinVoucherRedeem(ApiModel):
    voucher_code: str
    firstname: str
    lastname: str
    email: str
    online_offer_id: int


class CheckinVoucherRedeemResult(ApiModel):
    """Schema ``OpenApiV1CheckinVoucherRedeemResultDto``."""

    studio_access_code: str


# --- Customers --------------------------------------------------------------------
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


# --- Customers self-service ---------------------------------------------------------
class CustomerContactData(ApiModel):
    """Request of createCustomerContactDataAmendment (schema ``CustomerContactData``)."""

    email: str | None = None
    phone_private: str | None = None
    phone_private_mobile: str | None = None
    phone_business: str | None = None
    phone_business_mobile: str | None = None


class PendingContactDataAmendment(CustomerContactData):
    """Schema ``OpenApiV1CustomerDataPendingAmendmentDtoCustomerContactData``."""

    id: int | None = None


class CurrentContactData(CustomerContactData):
    """Schema ``OpenApiV1CustomerDataDtoCustomerContactData``: current data plus any pending change."""

    amendment_configuration_status: AmendmentConfigurationStatus
    pending_amendment: PendingContactDataAmendment | None = None


class CustomerAddressData(ApiModel):
    """Request of createCustomerAddressDataAmendment (schema ``CustomerAddressData``)."""

    street: str
    house_number: str | None = None
    zip_code: str
    city: str
    country_code: str
    province: str | None = None
    province_code: str | None = None
    second_street: str | None = None
    city_part: str | None = None
    district: str | None = None
    street_type: str | None = None
    street_block: str | None = None
    portal: str | None = None
    stairway: str | None = None
    door: str | None = None
    additional_address_information: str | None = None
    floor: str | None = None
    building_name: str | None = None


class PendingAddressDataAmendment(CustomerAddressData):
    """Schema ``OpenApiV1CustomerDataPendingAmendmentDtoCustomerAddressData``."""

    id: int | None = None


class CurrentAddressData(CustomerAddressData):
    """Schema ``OpenApiV1CustomerDataDtoCustomerAddressData``: current data plus any pending change."""

    amendment_configuration_status: AmendmentConfigurationStatus
    pending_amendment: PendingAddressDataAmendment | None = None


# --- Membership self-service --------------------------------------------------------
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


# --- Communication ------------------------------------------------------------------
ThreadStatus = Literal["CREATED", "ONGOING", "CLOSED"]
CommunicationDirection = Literal["INCOMING", "OUTGOING"]
CommunicationChannel = Literal["LETTER", "EMAIL", "TEXT_MESSAGE", "PHONE", "FAX", "CONVERSATION", "CHAT", "OTHER"]


class CommunicationThreadRequest(ApiModel):
    communication_thread_status: ThreadStatus
    ticket_number: str | None = None
    subject: str
    content: str
    communication_direction: CommunicationDirection
    ticket_link: str | None = None
    communication_channel: CommunicationChannel
    agent: str | None = None
    communication_date_time: ApiDateTime | None = None


class CommunicationThreadResponse(ApiModel):
    customer_id: int
    communication_id: int
    thread_id: int
    communication_thread_status: ThreadStatus
    ticket_number: str | None = None
    subject: str
    content: str
    communication_direction: CommunicationDirection
    ticket_link: str | None = None
    communication_channel: CommunicationChannel
    agent: str | None = None


# --- Studios ----------------------------------------------------------------------
class StudioOpeningHours(ApiModel):
    day_of_week_from: Weekday | None = None
    day_of_week_to: Weekday | None = None
    time_from: str | None = None
    time_to: str | None = None


class StudioClosingHours(ApiModel):
    reason: str | None = None
    date_time_from: ApiDateTime | None = None
    date_time_to: ApiDateTime | None = None


class Availability(ApiModel):
    day_of_week: Weekday
    time_from: str
    time_to: str


class StudioOpeningHoursCategory(ApiModel):
    category_id: int
    name: str
    opening_hours: list[Availability]


class StudioAccessCodeConfiguration(ApiModel):
    enabled: bool | None = None


class StudioLocation(ApiModel):
    longitude: float | None = None
    latitude: float | None = None


class Tag(ApiModel):
    name: str


class StudioInformation(ApiModel):
    studio_id: int
    name: str | None = None
    description: str | None = None
    country: str | None = None
    country_code: str | None = None
    opening_date: date | None = None
    closing_date: date | None = None
    email: str | None = None
    logo_url: str | None = None
    telephone: str | None = None
    website: str | None = None
    opening_hours: list[StudioOpeningHours] = []
    public_opening_hours: list[StudioOpeningHours] = []
    closing_hours: list[StudioClosingHours] = []
    opening_hours_categories: list[StudioOpeningHoursCategory] = []
    street: str | None = None
    house_number: str | None = None
    zip: str | None = None
    city: str | None = None
    second_street: str | None = None
    city_part: str | None = None
    district: str | None = None
    street_type: str | None = None
    street_block: str | None = None
    portal: str | None = None
    stairway: str | None = None
    door: str | None = None
    province: str | None = None
    province_code: str | None = None
    additional_address_information: str | None = None
    floor: str | None = None
    building_name: str | None = None
    access_code_configuration: StudioAccessCodeConfiguration
    location: StudioLocation | None = None
    studio_tags: list[Tag] = []


class StudioUtilization(ApiModel):
    count: int
    capacity: int | None = None
