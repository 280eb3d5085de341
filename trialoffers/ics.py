"""A calendar file (RFC 5545) for one trial booking, written by hand: one VEVENT, times in UTC."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from portal.lib.ical import vcalendar, vevent
from portal.models import Studio
from portal.services import studio_overview
from trialoffers.models import TrialBooking
from trialoffers.services import place_lines


def booking_calendar(studio: Studio, booking: TrialBooking, host: str) -> bytes:
    """The booking's event: what, with whom, what to bring and whom to ask, in the active language."""
    overview = studio_overview(studio)
    description = [booking.offer_title]
    if booking.instructors:
        description.append(_("With %(names)s") % {"names": booking.instructors})
    if studio.trial_what_to_bring:
        description.append(_("What to bring: %(things)s") % {"things": studio.trial_what_to_bring})
    info = overview.information
    contact = [value for value in (info.telephone if info else "", studio.contact_email) if value]
    if contact:
        description.append(_("Contact: %(contact)s") % {"contact": ", ".join(contact)})
    return calendar_file(
        uid=f"trial-{booking.booking_id or booking.pk}-{studio.slug}@{host}",
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"{booking.offer_title} ({studio.name})",
        location=", ".join(place_lines(studio, booking, overview)),
        description="\n".join(description),
    )


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
