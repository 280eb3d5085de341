"""Studios: information (address, opening and closing hours) and utilization."""

from __future__ import annotations

from datetime import date

from portal.perfectgym.models.base import ApiDateTime, ApiModel, Weekday


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
