"""The base model, sliced results, and the small pieces every API area shares."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Annotated, Any, Generic, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from portal.perfectgym.datetimes import parse_api_datetime


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

    def to_json(self) -> dict[str, Any]:
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
