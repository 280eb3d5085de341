"""Trial journeys whose outcome is unknown, settled in the background by reading.

A journey's ``trial.book`` write (``portal.writes``) is only its form's claim (``records.alone``): what
is unknown is kept in the journey's own rows, a lead whose creation went unanswered
(``LeadCreation.UNKNOWN``) and a booking whose book call did (``BookingStatus.UNKNOWN``). The sweep
``reconcile_journeys`` (run by ``manage.py reconcile_writes``) reads them under that claim, so a click of
the visitor meanwhile is told it is in progress, with the same readers the visitor's next click uses
before it writes, and leaves the rows as that click leaves them before writing:

- a lead found created is recorded (``lead.reconcile_lead``); one not found may be created by the next click;
- a booking found is recorded and its e-mail sent (``booking.reconcile_booking``); one not found is
  "not booked" (``NOT_BOOKED``), as the click records an earlier attempt at another time; the next click
  books again;
- when reading fails the rows stay unknown, and the next run (or click) reads again.

The booking e-mail's links need ``PUBLIC_BASE_URL`` outside a request: without it bookings are left to
the visitor's next click. Voucher redemptions are left to the next submit as well: no operation reads a
voucher back, and sending again is what settles it (the API answers "already redeemed").
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import translation

from portal import audit, writes
from portal.models import Write
from trialoffers.models import BookingStatus, Lead, LeadCreation, TrialBooking
from trialoffers.services.booking import reconcile_booking
from trialoffers.services.emails import Links
from trialoffers.services.journey import BOOK
from trialoffers.services.lead import reconcile_lead
from trialoffers.services.offers import ConfigUnavailable, trial_config
from trialoffers.services.records import alone, set_booking, set_lead

logger = logging.getLogger("portal.trialoffers")


def reconcile_journeys(now: datetime) -> dict[str, int]:
    """Every journey with an unknown lead or booking, or whose claim was left unfinished (a crash)."""
    links = Links(settings.PUBLIC_BASE_URL) if settings.PUBLIC_BASE_URL else None
    counts: Counter[str] = Counter()
    for lead in _unsettled(now):
        try:
            with translation.override(lead.language):
                found = alone(lead.studio, BOOK, lead.journey, partial(_settle, lead, links, now))
        except Exception:  # one journey's bug must not stop the others (its claim is left unknown)
            logger.exception("trial journey reconcile failed lead=%s", lead.pk)
            found = Counter({writes.CRASHED: 1})
        counts.update(found if found is not None else {writes.BUSY: 1})
    return dict(counts)


def _unsettled(now: datetime) -> QuerySet[Lead]:
    lost = Q(state=Write.State.UNKNOWN) | Q(state=Write.State.PENDING, updated_at__lt=now - Write.STALE_AFTER)
    claims = [row.target.get("form") for row in Write.objects.filter(lost, action=BOOK, actor="lead")]
    unknown = Q(creation=LeadCreation.UNKNOWN) | Q(bookings__status=BookingStatus.UNKNOWN) | Q(journey__in=claims)
    leads = Lead.objects.filter(unknown, anonymised_at__isnull=True).select_related("studio")
    return leads.distinct().order_by("created_at")


def _settle(lead: Lead, links: Links | None, now: datetime) -> Counter[str]:
    lead.refresh_from_db()  # as it is now that this sweep holds the journey's claim
    counts: Counter[str] = Counter()
    if lead.creation == LeadCreation.UNKNOWN:
        counts[_settle_lead(lead, now)] += 1
    unknown = list(lead.bookings.filter(status=BookingStatus.UNKNOWN))
    if not unknown:
        return counts
    if links is None:
        logger.warning("trial bookings left unknown: PUBLIC_BASE_URL is not set lead=%s", lead.pk)
        counts[writes.UNREADABLE] += len(unknown)
        return counts
    try:
        config = trial_config(lead.studio, lead.config_id)
    except ConfigUnavailable:
        counts[_still_unknown(lead, now)] += len(unknown)
        return counts
    for booking in unknown:
        outcome = reconcile_booking(lead.studio, lead, booking, config, links)
        if outcome is None:  # not booked
            set_booking(booking, status=BookingStatus.FAILED, failure_reason="NOT_BOOKED")
        elif booking.status == BookingStatus.UNKNOWN:  # reading failed, or it is beyond the listings
            counts[_still_unknown(lead, now)] += 1
            continue
        counts[_recorded(lead, "trial.booking", outcome is not None, booking)] += 1
    return counts


def _settle_lead(lead: Lead, now: datetime) -> str:
    created = reconcile_lead(lead.studio, lead)
    if created is None:
        return _still_unknown(lead, now)
    if not created:
        set_lead(lead, creation=LeadCreation.NOT_YET)
    return _recorded(lead, "trial.lead_created", created)


def _recorded(lead: Lead, action: str, happened: bool, booking: TrialBooking | None = None) -> str:
    """One audit entry per settled row, ids only."""
    outcome = writes.DONE if happened else writes.FAILED
    details = {"lead_customer_id": lead.lead_customer_id}
    if booking is not None:
        details["booking_id"] = booking.booking_id
    audit.record(lead.studio, action, actor="lead", outcome=f"reconciled:{outcome}", details=details)
    return outcome


def _still_unknown(lead: Lead, now: datetime) -> str:
    return writes.OVERDUE if now - lead.created_at > writes.RECONCILE_OVERDUE else writes.STILL_UNKNOWN
