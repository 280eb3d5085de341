"""One click of the lead form: the journey's lead, created and booked as the one write of that form."""

from __future__ import annotations

import threading
import time

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from portal.models import Studio
from trialoffers import tokens
from trialoffers.models import FunnelWeek, Lead, LeadCreation
from trialoffers.outcomes import Next, Outcome
from trialoffers.services.booking import book
from trialoffers.services.emails import Links
from trialoffers.services.lead import LeadInput, create_lead
from trialoffers.services.offers import ConfigUnavailable, trial_config
from trialoffers.services.records import alone, busy

BOOK = "trial.book"  # the journey's write action (``portal.writes``)


OFFER_VIEW = "trialoffers.offer_view"


# Offer views served from the page cache, counted in this process (no round trip on the fast path) and
# written to the funnel at the next render or within FLUSH_SECONDS, whichever comes first.
FLUSH_SECONDS = 5.0
_kept_views: dict[str, int] = {}
_kept_flushed: dict[str, float] = {}
_kept_lock = threading.Lock()


def _take_kept_views(slug: str) -> int:
    with _kept_lock:
        _kept_flushed[slug] = time.monotonic()
        return _kept_views.pop(slug, 0)


def count_offer_view(studio: Studio) -> None:
    """One view, plus the views this process served from the page cache since its last count."""
    FunnelWeek.bump(studio, "offers_viewed", by=1 + _take_kept_views(studio.slug))


def count_kept_offer_view(slug: str) -> None:
    """An offer page served from the page cache is a view too (``portal.pagecache.count_hits``)."""
    with _kept_lock:
        _kept_views[slug] = _kept_views.get(slug, 0) + 1
        due = time.monotonic() - _kept_flushed.get(slug, 0.0) >= FLUSH_SECONDS
    if due:
        studio = Studio.objects.filter(slug=slug).first()
        views = _take_kept_views(slug)
        if studio is not None and views:
            FunnelWeek.bump(studio, "offers_viewed", by=views)


def count_form_started(studio: Studio, nonce: str) -> None:
    """Once per journey, however often the form is shown again."""
    if cache.add(f"trialoffers:started:{nonce}", 1, timeout=tokens.JOURNEY_MAX_AGE):
        FunnelWeek.bump(studio, "forms_started")


def journey_lead(studio: Studio, nonce: str) -> Lead | None:
    return Lead.objects.filter(studio=studio, journey=nonce).first()


def journey_busy(studio: Studio, nonce: str) -> bool:
    """Another request is working on this journey right now (the status page keeps asking)."""
    return busy(studio, BOOK, nonce)


def answered_by_email(lead: Lead | None) -> bool:
    """The journey's answer is in the visitor's mailbox: a booking, or (existing customer) the way to sign in."""
    return lead is not None and (lead.held_booking() is not None or lead.failure_reason == "DUPLICATE_CUSTOMER")


def _journey_lead_for(studio: Studio, choice: tokens.SlotChoice, language: str) -> Lead:
    try:
        with transaction.atomic():
            lead, _created = Lead.objects.get_or_create(
                journey=choice.nonce,
                defaults={
                    "studio": studio,
                    "offer_kind": choice.kind,
                    "offer_id": choice.offer_id,
                    "offer_title": choice.title[:200],
                    "config_id": choice.config_id,
                    "language": language,
                },
            )
    except IntegrityError:
        lead = Lead.objects.get(journey=choice.nonce)
    return lead


def book_trial(
    studio: Studio,
    choice: tokens.SlotChoice,
    data: LeadInput | None,
    *,
    client_ip: str,
    language: str,
    links: Links,
) -> Outcome:
    """One click: validate the lead, create it, validate the booking, book it (in that order).

    ``data`` is None when this journey's lead already exists (picking another time after a refusal).
    """
    try:
        config = trial_config(studio, choice.config_id)
    except ConfigUnavailable as exc:
        if exc.missing:
            return Outcome.of("CONFIG_UNAVAILABLE")
        return Outcome(next=Next.TRY_AGAIN, reason="UPSTREAM", text=exc.message)
    lead = _journey_lead_for(studio, choice, language)
    if lead.studio_id != studio.pk or (lead.offer_kind, lead.offer_id) != (choice.kind, choice.offer_id):
        return Outcome.of("LINK_INVALID")

    def work() -> Outcome:
        lead.refresh_from_db()
        held = lead.held_booking()
        if held is not None:
            return Outcome.done(held)
        if lead.creation != LeadCreation.CREATED:
            if data is None:
                return Outcome(next=Next.FIX_FORM, reason="MISSING_DATA", text=gettext("Please fill in your details."))
            refused = create_lead(studio, lead, data, client_ip=client_ip, language=language, links=links)
            if refused is not None:
                return refused
        return book(studio, lead, choice, config, links)

    return alone(studio, BOOK, choice.nonce, work) or Outcome(next=Next.IN_PROGRESS)
