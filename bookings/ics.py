"""Calendar files for member bookings: one booking to download, or a member's feed for calendar apps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from bookings.services import Entry
from portal.lib.ical import vcalendar, vevent
from portal.models import Studio

PRODID = "-//Studio portal//Bookings//EN"


def status(entry: Entry) -> str:
    if entry.slot_status == "CANCELED":
        return "CANCELLED"
    return "TENTATIVE" if entry.status in ("WAITING_LIST", "BOOKED_WITH_CONFIRMATION_REQUIRED") else "CONFIRMED"


def event(entry: Entry, studio: Studio, host: str, now: datetime) -> list[str]:
    return vevent(
        # Stable per booking, so a calendar app updates the event instead of adding another.
        uid=f"{entry.uid}.{studio.slug}@{host}",
        starts_at=entry.start,
        ends_at=entry.end,
        summary=entry.title,
        location=", ".join(part for part in (entry.place, studio.name) if part),
        description="\n".join(part for part in (entry.instructors, entry.status_label) if part),
        status=status(entry),
        stamp=now,
    )


def calendar(entries: Iterable[Entry], studio: Studio, host: str, *, name: str = "") -> bytes:
    now = timezone.now()
    return vcalendar([event(entry, studio, host, now) for entry in entries], prodid=PRODID, name=name)
