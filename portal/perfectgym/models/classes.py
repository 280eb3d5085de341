"""Classes: classes, their slots, and class booking requests and results."""

from __future__ import annotations

from typing import Literal

from portal.perfectgym.models.base import (
    ApiDateTime,
    ApiModel,
    Instructor,
    ParticipantStatus,
    SlotStatus,
    TermWithMinutes,
)


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
