"""Typed request and response models, checked at the edge.

Field names are snake_case in Python and camelCase on the wire. Unknown fields
are ignored so that a newer API version does not break the portal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

from portal.perfectgym.datetimes import parse_api_datetime


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)

    def to_json(self) -> dict:
        """The request body as the API expects it (camelCase, no nulls)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


ApiDateTime = Annotated[datetime, BeforeValidator(parse_api_datetime)]
T = TypeVar("T")


class Sliced(ApiModel, Generic[T]):
    """A page of a "sliced" result; send ``offset`` back to get the next one."""

    result: list[T]
    has_next: bool
    offset: str


class VoidResult(ApiModel):
    success: str | None = None


# --- Shared pieces --------------------------------------------------------------
class Money(ApiModel):
    amount: float
    currency: str


class Term(ApiModel):
    value: int
    unit: Literal["DAY", "WEEK", "MONTH", "YEAR"]


class TermWithMinutes(ApiModel):
    value: int
    unit: Literal["MINUTES", "HOURS", "DAY", "WEEK", "MONTH", "YEAR"]


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


# --- Studios ----------------------------------------------------------------------
Weekday = Literal["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


class StudioOpeningHours(ApiModel):
    day_of_week_from: Weekday | None = None
    day_of_week_to: Weekday | None = None
    time_from: str | None = None
    time_to: str | None = None


class StudioClosingHours(ApiModel):
    reason: str | None = None
    date_time_from: ApiDateTime | None = None
    date_time_to: ApiDateTime | None = None


class StudioAccessCodeConfiguration(ApiModel):
    enabled: bool | None = None


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
    street: str | None = None
    house_number: str | None = None
    zip: str | None = None
    city: str | None = None
    access_code_configuration: StudioAccessCodeConfiguration


class StudioUtilization(ApiModel):
    count: int
    capacity: int | None = None
