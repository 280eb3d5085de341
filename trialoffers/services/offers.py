"""The studio's trial offers (classes and appointments) and their configs, read through ``portal.reads``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

from portal import reads
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.user_messages import message_for
from trialoffers.models import OfferKind
from trialoffers.outcomes import message as status_message


class ConfigUnavailable(Exception):
    """The offer's config cannot be read: ``message`` says why; ``missing``: it no longer exists."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.message = message
        self.missing = missing


@dataclass(frozen=True)
class Offer:
    """A bookable trial class or trial appointment. No image: the API's image URLs are third-party
    addresses that expire after 15 minutes, and the pages make no third-party requests."""

    kind: str  # OfferKind value
    id: int
    config_id: int
    title: str
    category: str = ""
    duration: int | None = None
    description: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


@dataclass(frozen=True)
class OfferList:
    offers: list[Offer]
    problem: str | None = None
    stale: bool = False  # the studio's system is not answering: the last known offers, labelled so

    @property
    def categories(self) -> list[str]:
        return sorted({offer.category for offer in self.offers if offer.category}, key=str.casefold)

    def in_category(self, category: str) -> list[Offer]:
        if not category:
            return self.offers
        return [offer for offer in self.offers if offer.category.casefold() == category.casefold()]


def _offer(kind: str, config_id: int, item: m.Class | m.BookableAppointment, fallback_title: str) -> Offer:
    return Offer(
        kind=kind,
        id=item.id,
        config_id=config_id,
        title=item.title or fallback_title,
        category=item.category or "",
        duration=item.duration,
        description=item.description or "",
    )


def _fetch_offers(studio: Studio) -> tuple[list[Offer], bool]:
    """The offers, and whether they are the last known ones (the studio's system is not answering)."""
    # Titles and descriptions come in the visitor's language: read and kept per language.
    language = translation.get_language()
    results = reads.read_many(
        reads.Read(
            studio,
            "getBookableTrialOfferClasses",
            lambda client: tuple(client.all_bookable_trial_offer_classes()),
            (language,),
            language,
        ),
        reads.Read(
            studio,
            "getBookableTrialOfferAppointments",
            lambda client: tuple(client.all_bookable_trial_offer_appointments()),
            (language,),
            language,
        ),
    )
    for result in results:
        if result.value is None:
            raise result.error or errors.Unavailable("trial offers")
    classes, appointments = results[0].value or (), results[1].value or ()
    found = [
        _offer(OfferKind.CLASS, item.trial_offer_config_id, item.trial_offer_class, gettext("Trial class"))
        for item in classes
        if item.trial_offer_class.bookable
    ] + [
        _offer(
            OfferKind.APPOINTMENT,
            item.trial_offer_config_id,
            item.trial_offer_bookable_appointment,
            gettext("Trial appointment"),
        )
        for item in appointments
    ]
    offers: dict[str, Offer] = {}
    for offer in found:
        offers.setdefault(offer.key, offer)
    listed = sorted(
        (offer for offer in offers.values() if _open_to_leads(studio, offer.config_id)),
        key=lambda offer: (offer.category.casefold(), offer.title.casefold()),
    )
    return listed, any(result.stale for result in results)


def _open_to_leads(studio: Studio, config_id: int) -> bool:
    """Offers whose config does not allow lead bookings are not shown (a lead could never book them)."""
    try:
        return bool(_read_config(studio, config_id).allow_booking_for_leads)
    except errors.ApiError:
        return True  # unknown: show it; booking validation still answers for it


def list_offers(studio: Studio) -> OfferList:
    """Every trial class and appointment of the studio (all slices), briefly cached (``portal.reads``)."""
    try:
        offers, stale = _fetch_offers(studio)
    except errors.ApiError as exc:
        return OfferList([], problem=message_for(exc))
    return OfferList(offers, stale=stale)


def find_offer(studio: Studio, kind: str, offer_id: int) -> tuple[Offer | None, str | None]:
    """The offer, or None and a sentence why not (None, None: it does not exist)."""
    listing = list_offers(studio)
    if listing.problem:
        return None, listing.problem
    for offer in listing.offers:
        if offer.kind == kind and offer.id == offer_id:
            return offer, None
    return None, None


def _read_config(studio: Studio, config_id: int) -> m.TrialOfferConfig:
    return reads.read(
        studio, "getTrialOfferConfig", lambda client: client.get_trial_offer_config(config_id), key=(config_id,)
    )


def trial_config(studio: Studio, config_id: int) -> m.TrialOfferConfig:
    """The trial offer config (lead form fields, confirmation term). Raises ConfigUnavailable."""
    try:
        return _read_config(studio, config_id)
    except errors.NotFound as exc:
        raise ConfigUnavailable(status_message("CONFIG_UNAVAILABLE"), missing=True) from exc
    except errors.ApiError as exc:
        raise ConfigUnavailable(message_for(exc), missing=False) from exc


def lead_fields(studio: Studio, config_id: int) -> m.TrialOfferLeadDataConfig:
    """What the lead form asks for (per field: hidden, optional or mandatory). Raises ConfigUnavailable."""
    return trial_config(studio, config_id).lead_data_config
