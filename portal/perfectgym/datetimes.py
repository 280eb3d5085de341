"""The API's date-time dialect.

Slots and bookings carry a Java-style zone id in brackets
(``2022-06-22T08:00:00.000+02:00[Europe/Berlin]``), which
``datetime.fromisoformat`` rejects; other responses use plain ISO with ``Z``.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime

_BRACKET = re.compile(r"^(?P<stamp>[^\[]+)\[(?P<zone>[^\]]+)\]$")


def parse_api_datetime(value: str) -> datetime:
    """Parse any date-time the API sends into an aware datetime.

    With a bracketed zone the result carries that ``ZoneInfo`` (so local times and
    DST follow the studio's zone); a naive value is taken as UTC.
    """
    if not isinstance(value, str):
        raise TypeError("date-time must be a string")
    text = value.strip()
    zone_name = None
    match = _BRACKET.match(text)
    if match:
        text, zone_name = match["stamp"], match["zone"]
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if zone_name:
        try:
            parsed = parsed.astimezone(zoneinfo.ZoneInfo(zone_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass  # an unknown zone id still leaves a correct instant with its offset
    return parsed


def format_api_datetime(value: datetime) -> str:
    """Format the way the API writes slot times: milliseconds, offset and zone id."""
    if value.tzinfo is None:
        raise ValueError("API date-times must be timezone-aware")
    stamp = value.isoformat(timespec="milliseconds")
    zone = getattr(value.tzinfo, "key", None)
    return f"{stamp}[{zone}]" if zone else stamp
