"""Appointments: bookable appointments, their slots, and booking requests and results."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, FieldSerializationInfo, field_serializer, model_validator

from portal.perfectgym.datetimes import format_api_datetime
from portal.perfectgym.models.base import ApiDateTime, ApiModel, Instructor, ParticipantStatus, SlotStatus


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
    def _as_sent(self, value: datetime | None, info: FieldSerializationInfo) -> str | None:
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
