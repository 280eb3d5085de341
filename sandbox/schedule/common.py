"""Small helpers of the schedule: request input, sliced listings, the listing window, calendar arithmetic."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from sandbox.datetimes import parse_datetime
from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")

# Listings cover one day before to fourteen days ahead (API-NOTES "Dates and times").
DAYS_BEFORE = 1
DAYS_AHEAD = 14


def public(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity as callers see it: without sandbox-internal ``_`` keys."""
    return {key: value for key, value in entity.items() if not key.startswith("_")}


def body_int(data: dict[str, Any], name: str) -> int:
    """A required whole number of a JSON body, answering 400 like the API for a missing or bad one."""
    value = data.get(name)
    if value is None or value == "":
        raise ApiProblem.validation(name, f"{name} must not be empty")
    if isinstance(value, bool):
        raise ApiProblem.validation(name, f"{name} must be a number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiProblem.validation(name, f"{name} must be a number") from None


def body_datetime(data: dict[str, Any], name: str) -> datetime:
    value = data.get(name)
    if not value:
        raise ApiProblem.validation(name, f"{name} must not be empty")
    try:
        return parse_datetime(value)
    except (TypeError, ValueError):
        raise ApiProblem.validation(name, f"{name} must be a date-time") from None


_TERM_UNITS = {
    "MINUTES": timedelta(minutes=1),
    "HOURS": timedelta(hours=1),
    "DAY": timedelta(days=1),
    "WEEK": timedelta(weeks=1),
}


def add_term(moment: datetime, term: dict[str, Any], sign: int = 1) -> datetime:
    """``moment`` plus (or minus) a Term / TermWithMinutes; months and years follow the calendar."""
    value = int(term["value"]) * sign
    unit = term["unit"]
    if unit in _TERM_UNITS:
        return moment + value * _TERM_UNITS[unit]
    months = value * (12 if unit == "YEAR" else 1)
    year, month_index = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)


def sliced(
    ctx: SandboxRequest,
    items: Iterable[Any],
    *,
    sort_key: Callable[[Any], Any],
    cursor_key: Callable[[str], Any],
    cursor_of: Callable[[Any], str],
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """A sliced result. ``offset`` is an id cursor: the last id of the previous slice ("0" = start)."""
    size = ctx.query_int("sliceSize", 50, minimum=10, maximum=100)
    offset = ctx.query.get("offset") or "0"
    ordered = sorted(items, key=sort_key)
    if offset != "0":
        after = cursor_key(offset)
        ordered = [item for item in ordered if sort_key(item) > after]
    page = ordered[:size]
    return {
        "result": [render(item) for item in page],
        "hasNext": len(ordered) > size,
        "offset": cursor_of(page[-1]) if page else offset,
    }


def id_cursor(offset: str) -> int:
    try:
        return int(offset)
    except ValueError:
        raise ApiProblem.validation("offset", "offset is not a cursor of this listing") from None


def sliced_entities(
    ctx: SandboxRequest,
    entities: Iterable[dict[str, Any]],
    render: Callable[[dict[str, Any]], dict[str, Any]] = public,
) -> dict[str, Any]:
    return sliced(
        ctx,
        entities,
        sort_key=lambda entity: entity["id"],
        cursor_key=id_cursor,
        cursor_of=lambda entity: str(entity["id"]),
        render=render,
    )


def listing_window(ctx: SandboxRequest) -> tuple[date, date]:
    return ctx.today - timedelta(days=DAYS_BEFORE), ctx.today + timedelta(days=DAYS_AHEAD)


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def local_time(value: str) -> time:
    return time.fromisoformat(value)
