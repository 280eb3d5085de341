"""A calendar file (RFC 5545) for one trial booking, written by hand: one VEVENT, times in UTC."""

from __future__ import annotations

from datetime import datetime

from portal.lib.ical import vcalendar, vevent


def calendar_file(
    *,
    uid: str,
    starts_at: datetime,
    ends_at: datetime,
    summary: str,
    location: str,
    description: str,
    stamp: datetime | None = None,
) -> bytes:
    event = vevent(
        uid=uid,
        starts_at=starts_at,
        ends_at=ends_at,
        summary=summary,
        location=location,
        description=description,
        stamp=stamp,
    )
    return vcalendar([event], prodid="-//Studio portal//Trial booking//EN")
