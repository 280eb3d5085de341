"""The sandbox's own reading and writing of the API's date-times.

The API writes slot and booking times with milliseconds, the UTC offset and a
Java-style zone id in brackets: ``2026-11-22T08:00:00.000+01:00[Europe/Berlin]``;
some fields are plain ISO 8601 with ``Z``. This module is written from that
description, not shared with the portal's API client: were the two to share
code, a bug in it would be the same on both sides of every contract test and
so invisible.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def format_datetime(value: datetime) -> str:
    """``value`` as the API writes it; the zone id only when ``value`` carries a named zone."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("the API only knows date-times with an offset")
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond // 1000:03d}"
        f"{_offset(offset)}"
    )
    if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key:
        text += f"[{value.tzinfo.key}]"
    return text


def parse_datetime(text: str) -> datetime:
    """An aware datetime from either form the API uses (bracketed zone id or plain ISO).

    With a zone id the result is in that zone, so local times follow the
    studio's daylight-saving rules; an unknown zone id is an error, as it is for
    the API. A value without an offset is taken as UTC.
    """
    if not isinstance(text, str):
        raise TypeError("a date-time must be a string")
    stamp, bracket, rest = text.strip().partition("[")
    zone = None
    if bracket:
        if not rest.endswith("]") or "[" in rest[:-1] or "]" in rest[:-1] or rest == "]":
            raise ValueError(f"malformed zone id in {text!r}")
        try:
            zone = ZoneInfo(rest[:-1])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown zone id in {text!r}") from None
    moment = datetime.fromisoformat(stamp)  # Python 3.11 reads a trailing "Z" as UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone) if zone else moment


def _offset(offset: timedelta) -> str:
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"
