"""The trial offer journey and check-in vouchers: everything that talks to the API.

Views call these functions and show what they return; they never see an ``ApiError``.

Writes follow three rules:
- never retried automatically: a failed write becomes a sentence and a button the visitor presses;
- one lead and one booking per intent: the journey's nonce (``Lead.journey``) and the slot
  (``TrialBooking.slot_key``) are unique keys, and a request that finds another one working on the
  same journey (a double click) waits for it instead of writing too;
- after ``OutcomeUnknown`` the portal reads (customer search, the customer's bookings, the booking)
  to learn what happened before it writes again.
"""

from __future__ import annotations

import calendar
import logging
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import audit, reads, writes
from portal.lib import crypto, ratelimit
from portal.models import Studio
from portal.notifications import EmailDeliveryFailed, failed, notify, send_email
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.services import StudioOverview, studio_information, studio_overview
from portal.upstream import client_for
from portal.user_messages import message_for
from trialoffers import tokens
from trialoffers.models import (
    BookingStatus,
    FunnelWeek,
    Lead,
    LeadCreation,
    LeadStatus,
    OfferKind,
    TrialBooking,
    VoucherMessage,
    VoucherRedemption,
    VoucherStatus,
)
from trialoffers.outcomes import VOUCHER_ERROR_CODES, VOUCHER_MESSAGES, Next, Outcome, booking_error_status
from trialoffers.outcomes import message as status_message

logger = logging.getLogger("portal.trialoffers")

CLASS_DAYS = 14  # class slot listings reach fourteen days ahead
APPOINTMENT_WEEKS = 4  # appointment slots: up to four weeks, asked for one week (daysAhead=6) at a time

# Message kinds (``portal.notifications``), registered in ``TrialoffersConfig.ready``.
BOOKING_EMAIL = "trialoffers.booking"
VOUCHER_EMAIL = "trialoffers.voucher"
ALREADY_MEMBER_EMAIL = "trialoffers.already_member"


# --- Offers -----------------------------------------------------------------------------------------
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

    @property
    def categories(self) -> list[str]:
        return sorted({offer.category for offer in self.offers if offer.category}, key=str.casefold)

    def in_category(self, category: str) -> list[Offer]:
        if not category:
            return self.offers
        return [offer for offer in self.offers if offer.category.casefold() == category.casefold()]


def _fetch_offers(studio: Studio) -> list[Offer]:
    # Titles and descriptions come in the visitor's language: read and kept per language.
    language = translation.get_language()
    classes, appointments = (
        reads.read(
            studio, operation, lambda client, fetch=fetch: tuple(fetch(client)), key=(language,), language=language
        )
        for operation, fetch in (
            ("getBookableTrialOfferClasses", lambda client: client.all_bookable_trial_offer_classes()),
            ("getBookableTrialOfferAppointments", lambda client: client.all_bookable_trial_offer_appointments()),
        )
    )
    offers: dict[str, Offer] = {}
    for item in classes:
        klass = item.trial_offer_class
        if not klass.bookable:
            continue
        offer = Offer(
            kind=OfferKind.CLASS,
            id=klass.id,
            config_id=item.trial_offer_config_id,
            title=klass.title or gettext("Trial class"),
            category=klass.category or "",
            duration=klass.duration,
            description=klass.description or "",
        )
        offers.setdefault(offer.key, offer)
    for item in appointments:
        appointment = item.trial_offer_bookable_appointment
        offer = Offer(
            kind=OfferKind.APPOINTMENT,
            id=appointment.id,
            config_id=item.trial_offer_config_id,
            title=appointment.title or gettext("Trial appointment"),
            category=appointment.category or "",
            duration=appointment.duration,
            description=appointment.description or "",
        )
        offers.setdefault(offer.key, offer)
    return sorted(
        (offer for offer in offers.values() if _open_to_leads(studio, offer.config_id)),
        key=lambda offer: (offer.category.casefold(), offer.title.casefold()),
    )


def _open_to_leads(studio: Studio, config_id: int) -> bool:
    """Offers whose config does not allow lead bookings are not shown (a lead could never book them)."""
    try:
        return trial_config(studio, config_id).allow_booking_for_leads
    except errors.ApiError:
        return True  # unknown: show it; booking validation still answers for it


def list_offers(studio: Studio) -> OfferList:
    """Every trial class and appointment of the studio (all slices), briefly cached (``portal.reads``)."""
    try:
        return OfferList(_fetch_offers(studio))
    except errors.ApiError as exc:
        return OfferList([], problem=message_for(exc))


def find_offer(studio: Studio, kind: str, offer_id: int) -> tuple[Offer | None, str | None]:
    """The offer, or None and a sentence why not (None, None: it does not exist)."""
    listing = list_offers(studio)
    if listing.problem:
        return None, listing.problem
    for offer in listing.offers:
        if offer.kind == kind and offer.id == offer_id:
            return offer, None
    return None, None


def trial_config(studio: Studio, config_id: int) -> m.TrialOfferConfig:
    """The trial offer config (lead form fields, confirmation term). Raises ApiError."""
    return reads.read(
        studio, "getTrialOfferConfig", lambda client: client.get_trial_offer_config(config_id), key=(config_id,)
    )


# --- Slots ------------------------------------------------------------------------------------------
class SlotState:
    OPEN = "open"
    WAITING_LIST = "waiting_list"
    FULL = "full"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    STUDIO_CLOSED = "studio_closed"

    BOOKABLE = (OPEN, WAITING_LIST)


@dataclass(frozen=True)
class SlotView:
    starts_at: datetime
    ends_at: datetime
    state: str
    instructors: str = ""
    location: str = ""
    places_left: int | None = None
    opens_at: datetime | None = None
    token: str = ""

    @property
    def bookable(self) -> bool:
        return self.state in SlotState.BOOKABLE


@dataclass(frozen=True)
class DayTab:
    day: date
    bookable: int
    selected: bool
    opens_later: bool = False  # times exist, but their booking has not opened yet


@dataclass
class SlotPicker:
    offer: Offer
    journey: str  # the signed journey token, kept in day links
    days: list[DayTab] = field(default_factory=list)
    selected_day: date | None = None
    slots: list[SlotView] = field(default_factory=list)
    problem: str | None = None
    earlier_day: date | None = None  # appointments: the previous week's first day
    later_day: date | None = None  # appointments: the next week's first day


def studio_today(studio: Studio) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(studio.timezone))


def _closures(studio: Studio) -> list[tuple[datetime, datetime]]:
    """The studio's closing hours, so slots in them say "studio closed" instead of failing later."""
    try:
        info = studio_information(studio)
    except errors.ApiError:
        return []  # not worth failing the page: validation still answers STUDIO_CLOSED
    return [
        (item.date_time_from, item.date_time_to)
        for item in info.closing_hours
        if item.date_time_from and item.date_time_to
    ]


def _in_closure(closures: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return any(closed_from < end and start < closed_to for closed_from, closed_to in closures)


def _names(instructors: list[m.Instructor]) -> str:
    return ", ".join(instructor.display_name for instructor in instructors)


def _class_slot_state(slot: m.ClassSlot, now: datetime, closures) -> tuple[str, int | None]:
    if slot.earliest_booking_date_time and now < slot.earliest_booking_date_time:
        return SlotState.NOT_YET, None
    if slot.latest_booking_date_time and now > slot.latest_booking_date_time:
        return SlotState.CLOSED, None
    if _in_closure(closures, slot.start_date_time, slot.end_date_time):
        return SlotState.STUDIO_CLOSED, None
    if slot.max_participants is None:
        return SlotState.OPEN, None
    left = slot.max_participants - (slot.booked_participants or 0)
    if left > 0:
        return SlotState.OPEN, left
    waiting_left = (slot.max_waiting_list_participants or 0) - (slot.waiting_list_participants or 0)
    return (SlotState.WAITING_LIST if waiting_left > 0 else SlotState.FULL), 0


def _choose_day(wanted: date | None, days: list[DayTab]) -> date | None:
    if wanted and any(tab.day == wanted for tab in days):
        return wanted
    return next((tab.day for tab in days if tab.bookable), days[0].day if days else None)


def class_picker(studio: Studio, offer: Offer, nonce: str, wanted_day: date | None) -> SlotPicker:
    """Trial class slots for the next fourteen days, one day shown at a time."""
    picker = SlotPicker(offer=offer, journey=tokens.journey_token(nonce, offer.key))
    zone = zoneinfo.ZoneInfo(studio.timezone)
    now = timezone.now()
    try:
        slots = reads.read(
            studio, "getClassSlotsForTrialOffers", lambda client: client.all_class_slots_for_trial_offers(offer.id)
        )
    except errors.ApiError as exc:
        picker.problem = message_for(exc)
        return picker
    closures = _closures(studio)
    by_day: dict[date, list[SlotView]] = {}
    for slot in sorted(slots, key=lambda s: (s.start_date_time or now, s.id)):
        if not slot.start_date_time or not slot.end_date_time or slot.start_date_time <= now:
            continue
        state, left = _class_slot_state(slot, now, closures)
        view = SlotView(
            starts_at=slot.start_date_time,
            ends_at=slot.end_date_time,
            state=state,
            instructors=_names(slot.instructors),
            location=slot.location.name if slot.location else "",
            places_left=left,
            opens_at=slot.earliest_booking_date_time if state == SlotState.NOT_YET else None,
        )
        if view.bookable:
            choice = tokens.SlotChoice(
                nonce=nonce,
                kind=OfferKind.CLASS,
                offer_id=offer.id,
                config_id=offer.config_id,
                title=offer.title,
                start_raw=slot.start_date_time.isoformat(),
                end_raw=slot.end_date_time.isoformat(),
                class_slot_id=slot.id,
                location=view.location,
                instructors=view.instructors,
                waiting_list=state == SlotState.WAITING_LIST,
            )
            view = SlotView(**{**view.__dict__, "token": tokens.slot_token(choice)})
        by_day.setdefault(slot.start_date_time.astimezone(zone).date(), []).append(view)
    today = studio_today(studio)
    days = [today + timedelta(days=offset) for offset in range(CLASS_DAYS)]
    tabs = [
        DayTab(
            day,
            sum(1 for s in by_day.get(day, []) if s.bookable),
            False,
            any(s.state == SlotState.NOT_YET for s in by_day.get(day, [])),
        )
        for day in days
    ]
    picker.selected_day = _choose_day(wanted_day, tabs)
    picker.days = [DayTab(t.day, t.bookable, t.day == picker.selected_day, t.opens_later) for t in tabs]
    picker.slots = by_day.get(picker.selected_day, [])
    return picker


def _appointment_week(studio: Studio, offer: Offer, nonce: str, first: date) -> dict[date, list[SlotView]]:
    slots = reads.read(
        studio,
        "getBookableAppointmentSlotsForTrialOffers",
        lambda client: client.get_bookable_appointment_slots_for_trial_offers(
            offer.id, days_ahead=6, slot_window_start_date=first
        ),
    )
    zone = zoneinfo.ZoneInfo(studio.timezone)
    now = timezone.now()
    by_day: dict[date, list[SlotView]] = {}
    for slot in sorted(slots, key=lambda s: s.start_date_time or now):
        if not slot.start_date_time or not slot.end_date_time or slot.start_date_time <= now:
            continue
        choice = tokens.SlotChoice(
            nonce=nonce,
            kind=OfferKind.APPOINTMENT,
            offer_id=offer.id,
            config_id=offer.config_id,
            title=offer.title,
            start_raw=slot.start_date_time_raw or slot.start_date_time.isoformat(),
            end_raw=slot.end_date_time_raw or slot.end_date_time.isoformat(),
            instructors=_names(slot.instructors),
        )
        view = SlotView(
            starts_at=slot.start_date_time,
            ends_at=slot.end_date_time,
            state=SlotState.OPEN,
            instructors=choice.instructors,
            token=tokens.slot_token(choice),
        )
        by_day.setdefault(slot.start_date_time.astimezone(zone).date(), []).append(view)
    return by_day


def appointment_picker(
    studio: Studio, offer: Offer, nonce: str, wanted_day: date | None, *, week: date | None = None
) -> SlotPicker:
    """Trial appointment slots, a week (daysAhead=6) at a time, up to four weeks ahead.

    ``wanted_day`` shows that day; ``week`` (any day in it) shows that week's first day with a free
    slot; with neither, the first week with a free slot is shown (at most four calls).
    """
    picker = SlotPicker(offer=offer, journey=tokens.journey_token(nonce, offer.key))
    today = studio_today(studio)
    last = today + timedelta(days=7 * APPOINTMENT_WEEKS - 1)
    if wanted_day and today <= wanted_day <= last:
        weeks = [(wanted_day - today).days // 7]
    elif week and today <= week <= last:
        wanted_day, weeks = None, [(week - today).days // 7]
    else:
        wanted_day, weeks = None, list(range(APPOINTMENT_WEEKS))
    by_day: dict[date, list[SlotView]] = {}
    week = weeks[0]
    try:
        for week in weeks:
            by_day = _appointment_week(studio, offer, nonce, today + timedelta(days=7 * week))
            if by_day:
                break
        else:
            week = weeks[0]
            if len(weeks) > 1:
                by_day = {}
    except errors.ApiError as exc:
        picker.problem = message_for(exc)
        return picker
    first = today + timedelta(days=7 * week)
    tabs = [DayTab(day, len(by_day.get(day, [])), False) for day in (first + timedelta(days=i) for i in range(7))]
    picker.selected_day = _choose_day(wanted_day, tabs)
    picker.days = [DayTab(tab.day, tab.bookable, tab.day == picker.selected_day) for tab in tabs]
    picker.slots = by_day.get(picker.selected_day, [])
    picker.earlier_day = first - timedelta(days=7) if week > 0 else None
    picker.later_day = first + timedelta(days=7) if week < APPOINTMENT_WEEKS - 1 else None
    return picker


def slot_picker(
    studio: Studio, offer: Offer, nonce: str, wanted_day: date | None, *, week: date | None = None
) -> SlotPicker:
    if offer.kind == OfferKind.CLASS:
        return class_picker(studio, offer, nonce, wanted_day)
    return appointment_picker(studio, offer, nonce, wanted_day, week=week)


# --- The funnel -------------------------------------------------------------------------------------
def count_offer_view(studio: Studio) -> None:
    FunnelWeek.bump(studio, "offers_viewed")


def count_form_started(studio: Studio, nonce: str) -> None:
    """Once per journey, however often the form is shown again."""
    if cache.add(f"trialoffers:started:{nonce}", 1, timeout=tokens.JOURNEY_MAX_AGE):
        FunnelWeek.bump(studio, "forms_started")


# --- The journey: lead, booking, confirmation ---------------------------------------------------------
@dataclass(frozen=True)
class LeadInput:
    first_name: str
    last_name: str
    email: str
    gender: str | None = None
    date_of_birth: date | None = None
    telephone: str | None = None
    street: str | None = None
    house_number: str | None = None
    zip_code: str | None = None
    city: str | None = None

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> LeadInput:
        return cls(**{name: data.get(name) or None for name in cls.__dataclass_fields__})

    def lead_data(self, language: str) -> m.LeadData:
        address = None
        if self.street and self.zip_code and self.city:
            address = m.LeadCustomerAddressData(
                street=self.street, house_number=self.house_number or None, zip_code=self.zip_code, city=self.city
            )
        return m.LeadData(
            firstname=self.first_name,
            lastname=self.last_name,
            email=self.email,
            gender=self.gender or None,
            date_of_birth=self.date_of_birth,
            telephone=self.telephone or None,
            language=m.Language(language_code=language[:2]),
            address=address,
        )


@dataclass(frozen=True)
class Links:
    """Absolute addresses for e-mails (the request's own host, or PUBLIC_BASE_URL)."""

    base_url: str

    def absolute(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"


def journey_lead(studio: Studio, nonce: str) -> Lead | None:
    return Lead.objects.filter(studio=studio, journey=nonce).first()


T = TypeVar("T")


def _form_key(studio: Studio, action: str, nonce: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{studio.pk}/{action}/{nonce}")


def _alone(studio: Studio, action: str, nonce: str, work: Callable[[], T]) -> T | None:
    """Run ``work`` as the one write of this form (``portal.writes``); None while another request runs it.

    The journey's own rows (lead creation, booking and voucher status) record each upstream write ahead
    and are read before anything is sent again, so the claim is never final: it ends "not written", and
    the next submit of the same form goes on where this one stopped (another time, a fixed form).
    """
    done: list[T] = []

    def write() -> writes.Result:
        done.append(work())
        raise writes.NotWritten({})

    target = {"form": nonce}
    writes.run_once(studio, "lead", _form_key(studio, action, nonce), write, lambda: None, action=action, target=target)
    return done[0] if done else None


def journey_busy(studio: Studio, nonce: str) -> bool:
    """Another request is working on this journey right now (the status page keeps asking)."""
    found = writes.earlier(studio, "lead", _form_key(studio, "trial.book", nonce), "trial.book")
    return found is not None and found.in_progress


def _set_lead(lead: Lead, *, status: str | None = None, reason: str | None = None, **changes) -> None:
    if status is not None:
        changes["status"] = status
    if reason is not None:
        changes["failure_reason"] = reason
    for name, value in changes.items():
        setattr(lead, name, value)
    lead.save(update_fields=[*changes, "updated_at"])


def _set_booking(booking: TrialBooking, **changes) -> None:
    for name, value in changes.items():
        setattr(booking, name, value)
    booking.save(update_fields=[*changes, "updated_at"])


def _fail(lead: Lead, reason: str, booking: TrialBooking | None = None, **outcome) -> Outcome:
    if booking is not None:
        _set_booking(booking, status=BookingStatus.FAILED, failure_reason=reason)
    _set_lead(lead, status=LeadStatus.FAILED, reason=reason)
    return Outcome.of(reason, booking=booking, **outcome)


def _upstream_failure(lead: Lead, exc: errors.ApiError, booking: TrialBooking | None = None) -> Outcome:
    """A write was refused for a transport reason: nothing happened, the visitor may send again."""
    reason = f"UPSTREAM_{type(exc).__name__.upper()}"[:60]
    if booking is not None:
        _set_booking(booking, status=BookingStatus.FAILED, failure_reason=reason)
    _set_lead(lead, status=LeadStatus.FAILED, reason=reason)
    return Outcome(next=Next.TRY_AGAIN, reason=reason, text=message_for(exc), booking=booking)


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
    except errors.NotFound:
        return Outcome.of("CONFIG_UNAVAILABLE")
    except errors.ApiError as exc:
        return Outcome(next=Next.TRY_AGAIN, reason="UPSTREAM", text=message_for(exc))

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
            refused = _create_lead(studio, lead, data, client_ip=client_ip, language=language, links=links)
            if refused is not None:
                return refused
        return _book(studio, lead, choice, config, links)

    return _alone(studio, "trial.book", choice.nonce, work) or Outcome(next=Next.IN_PROGRESS)


# --- Creating the lead --------------------------------------------------------------------------------
def _find_created_lead(studio: Studio, email: str) -> int | None:
    """After a create that timed out: the customer with this email, if the create went through.

    Validation answered POSSIBLE (no such customer) just before, so a match now is this lead.
    Raises ApiError when the search itself fails.
    """
    request = m.CustomerSearchRequest(email=email)
    found = reads.call(studio, "searchCustomers", lambda client: client.search_customers(request))
    wanted = email.strip().casefold()
    matches = [c for c in found if (c.email or "").strip().casefold() == wanted]
    matches.sort(key=lambda c: (c.status != "PROSPECT", -(c.created_date_time or timezone.now()).timestamp()))
    return matches[0].id if matches else None


def _lead_created(studio: Studio, lead: Lead, customer_id: int) -> None:
    _set_lead(lead, creation=LeadCreation.CREATED, lead_customer_id=customer_id, status=LeadStatus.STARTED, reason="")
    FunnelWeek.bump(studio, "leads_created")
    audit.record(
        studio, "trial.lead_created", actor="lead", outcome="created", details={"lead_customer_id": customer_id}
    )
    logger.info("trial lead created studio=%s lead=%s customer=%s", studio.pk, lead.pk, customer_id)


def _reconcile_lead(studio: Studio, lead: Lead) -> bool | None:
    """True: the earlier create went through (now recorded); False: it did not; None: still unknown."""
    try:
        customer_id = _find_created_lead(studio, lead.email)
    except errors.ApiError as exc:
        logger.info("trial lead reconcile failed studio=%s lead=%s error=%s", studio.pk, lead.pk, type(exc).__name__)
        return None
    if customer_id is None:
        return False
    _lead_created(studio, lead, customer_id)
    return True


def _already_member(lead: Lead, links: Links) -> Outcome:
    """An existing customer's address: the page says what it says to a new lead, the owner gets an e-mail."""
    outcome = _fail(lead, "DUPLICATE_CUSTOMER")
    notify(ALREADY_MEMBER_EMAIL, {"lead": lead.pk, "base_url": links.base_url}, language=lead.language)
    return outcome


def _create_lead(
    studio: Studio, lead: Lead, data: LeadInput, *, client_ip: str, language: str, links: Links
) -> Outcome | None:
    """None when the lead exists afterwards, else the outcome to show."""
    if lead.creation == LeadCreation.UNKNOWN:
        # Read first, with the address the earlier (unanswered) create used.
        found = _reconcile_lead(studio, lead)
        if found:
            return None
        if found is None:
            return _unknown(lead, "OUTCOME_UNKNOWN")
        _set_lead(lead, creation=LeadCreation.NOT_YET)  # it did not happen: the visitor's new click may create it
    else:
        within_ip = ratelimit.hit(
            f"trial-lead-ip:{studio.pk}", client_ip, limit=studio.lead_limit_per_ip_per_hour, window=3600
        )
        within_email = ratelimit.hit(
            f"trial-lead-email:{studio.pk}", data.email, limit=studio.lead_limit_per_email_per_day, window=86400
        )
        if not (within_ip and within_email):
            logger.info("trial lead rate limited studio=%s lead=%s", studio.pk, lead.pk)
            _set_lead(lead, status=LeadStatus.FAILED, reason="RATE_LIMITED")
            return Outcome.of("RATE_LIMITED")
    _set_lead(
        lead, first_name=data.first_name[:100], last_name=data.last_name[:100], email=data.email, language=language
    )

    client = client_for(studio)
    request = m.TrialOfferLeadCustomerCreationRequest(
        lead_customer_data=data.lead_data(language), trial_offer_config_id=lead.config_id
    )
    try:
        validation = client.validate_for_lead_customer_creation(request).validation_status
    except errors.ApiError as exc:
        return _upstream_failure(lead, exc)
    if validation == "DUPLICATE_CUSTOMER":
        return _already_member(lead, links)
    if validation != "POSSIBLE":
        return _fail(lead, validation)

    # Write-ahead: until the answer is recorded the outcome counts as unknown, so even a crash in
    # between makes the next attempt read (search) before it creates again.
    _set_lead(lead, creation=LeadCreation.UNKNOWN)
    try:
        created = client.create_lead_customer(request)
    except errors.OutcomeUnknown:
        found = _reconcile_lead(studio, lead)
        if found:
            return None
        return _unknown(lead, "OUTCOME_UNKNOWN")
    except errors.BadRequest as exc:
        _set_lead(lead, creation=LeadCreation.NOT_YET)
        if exc.error_code == "errormessage.lead.duplicate":
            return _already_member(lead, links)
        field_name = (exc.reference or "").rpartition(".")[2]
        invalid = exc.error_code == "errormessage.lead.invalid"
        outcome = _fail(lead, "INVALID_LEAD_CUSTOMER_DATA" if invalid else "LEAD_REJECTED")
        if field_name:
            outcome.field_errors = {_FORM_FIELDS.get(field_name, field_name): gettext("Please check this entry.")}
        return outcome
    except errors.ApiError as exc:
        _set_lead(lead, creation=LeadCreation.NOT_YET)
        return _upstream_failure(lead, exc)
    if created.lead_customer_id is None:
        # The answer's id is optional in the spec: find the new customer by reading.
        if _reconcile_lead(studio, lead):
            return None
        return _unknown(lead, "OUTCOME_UNKNOWN")
    _lead_created(studio, lead, created.lead_customer_id)
    return None


_FORM_FIELDS = {
    "firstname": "first_name",
    "lastname": "last_name",
    "dateOfBirth": "date_of_birth",
    "zipCode": "zip_code",
    "houseNumber": "house_number",
}


def _unknown(lead: Lead, reason: str, booking: TrialBooking | None = None) -> Outcome:
    _set_lead(lead, status=LeadStatus.UNKNOWN, reason=reason)
    if booking is not None:
        _set_booking(booking, status=BookingStatus.UNKNOWN, failure_reason=reason)
    return Outcome.of(reason, booking=booking)


# --- Booking ----------------------------------------------------------------------------------------
def add_term(moment: datetime, term: m.TermWithMinutes) -> datetime:
    units = {"MINUTES": timedelta(minutes=1), "HOURS": timedelta(hours=1), "DAY": timedelta(days=1)}
    if term.unit in units:
        return moment + term.value * units[term.unit]
    if term.unit == "WEEK":
        return moment + timedelta(weeks=term.value)
    months = term.value * (12 if term.unit == "YEAR" else 1)
    year, month_index = divmod(moment.month - 1 + months, 12)
    year += moment.year
    day = min(moment.day, calendar.monthrange(year, month_index + 1)[1])
    return moment.replace(year=year, month=month_index + 1, day=day)


def _booking_request(lead: Lead, booking: TrialBooking):
    if booking.kind == OfferKind.CLASS:
        return m.ClassSlotBookingRequest(customer_id=lead.lead_customer_id, class_slot_id=booking.class_slot_id)
    return m.AppointmentBookingRequest(
        customer_id=lead.lead_customer_id,
        bookable_appointment_id=booking.offer_id,
        start_date_time=booking.start_raw,
        end_date_time=booking.end_raw,
    )


def _validate(studio: Studio, lead: Lead, booking: TrialBooking) -> str:
    client = client_for(studio)
    request = _booking_request(lead, booking)
    if booking.kind == OfferKind.CLASS:
        return client.validate_class_slot_for_trial_offers(request).validation_status
    return client.validate_for_appointment_booking_for_trial_offers(request).validation_status


def _send_book(studio: Studio, lead: Lead, booking: TrialBooking) -> tuple[str, int]:
    client = client_for(studio)
    request = _booking_request(lead, booking)
    if booking.kind == OfferKind.CLASS:
        result = client.book_class_slot_for_trial_offers(request)
    else:
        result = client.book_appointment_for_trial_offer(request)
    return result.booking_status, result.booking_id


def _find_booking(studio: Studio, lead: Lead, booking: TrialBooking) -> tuple[str, int] | None:
    """After a book that timed out: the booking, read from the customer's bookings. Raises ApiError.

    The listings cover two weeks around today; a booked slot further ahead is not in them (None).
    """
    # Uncached (``reads.call``): reconciling must see the upstream as it is now.
    customer_id = lead.lead_customer_id
    if booking.kind == OfferKind.CLASS:
        classes = reads.call(
            studio, "getClassBookingsByCustomerId", lambda client: client.get_class_bookings_by_customer_id(customer_id)
        )
        for found in classes:
            if found.class_slot_id == booking.class_slot_id and found.booking_status != "CANCELED":
                return found.booking_status, found.booking_id
        return None
    appointments = reads.call(
        studio, "getAppointmentBookings", lambda client: client.get_appointment_bookings(customer_id)
    )
    for found in appointments:
        if (
            found.start_date_time == booking.starts_at
            and found.end_date_time == booking.ends_at
            and found.booking_status != "CANCELED"
        ):
            return found.booking_status, found.booking_id
    return None


def _reconcile_booking(
    studio: Studio, lead: Lead, booking: TrialBooking, config: m.TrialOfferConfig, links: Links
) -> Outcome | None:
    """Learn by reading whether an earlier book call went through. None: it did not, booking may go ahead."""
    try:
        found = _find_booking(studio, lead, booking)
    except errors.ApiError as exc:
        logger.info("trial booking reconcile failed booking=%s error=%s", booking.pk, type(exc).__name__)
        return _unknown(lead, "OUTCOME_UNKNOWN", booking)
    if found is not None:
        return _booked(studio, lead, booking, config, *found, links=links)
    if booking.ends_at > timezone.now() + timedelta(days=14):
        # Beyond the listings' reach: ask validation instead. AVAILABLE means nothing was booked.
        try:
            status = _validate(studio, lead, booking)
        except errors.ApiError:
            return _unknown(lead, "OUTCOME_UNKNOWN", booking)
        if status != "AVAILABLE":
            return _unknown(lead, "PROBABLY_BOOKED", booking)
    return None


def _book(studio: Studio, lead: Lead, choice: tokens.SlotChoice, config: m.TrialOfferConfig, links: Links) -> Outcome:
    # An earlier attempt at another time whose answer never came: find out first (one booking per journey).
    for earlier in lead.bookings.filter(status=BookingStatus.UNKNOWN).exclude(slot_key=choice.slot_key):
        outcome = _reconcile_booking(studio, lead, earlier, config, links)
        if outcome is not None:
            return outcome
        _set_booking(earlier, status=BookingStatus.FAILED, failure_reason="NOT_BOOKED")
    booking, _created = TrialBooking.objects.get_or_create(
        lead=lead,
        slot_key=choice.slot_key,
        defaults={
            "kind": choice.kind,
            "offer_id": choice.offer_id,
            "offer_title": choice.title[:200],
            "class_slot_id": choice.class_slot_id,
            "start_raw": choice.start_raw,
            "end_raw": choice.end_raw,
            "starts_at": choice.starts_at,
            "ends_at": choice.ends_at,
            "location": choice.location[:200],
            "instructors": choice.instructors[:300],
        },
    )
    if booking.status == BookingStatus.UNKNOWN:
        outcome = _reconcile_booking(studio, lead, booking, config, links)
        if outcome is not None:
            return outcome
    _set_booking(booking, status=BookingStatus.PENDING, failure_reason="", attempts=booking.attempts + 1)
    _set_lead(lead, status=LeadStatus.STARTED, reason="")

    try:
        validation = _validate(studio, lead, booking)
    except errors.ApiError as exc:
        return _upstream_failure(lead, exc, booking)
    if validation != "AVAILABLE":
        logger.info("trial booking refused studio=%s booking=%s status=%s", studio.pk, booking.pk, validation)
        return _fail(lead, validation, booking)

    # Write-ahead, as for the lead: a crash after sending leaves "unknown", and the next attempt reads first.
    _set_booking(booking, status=BookingStatus.UNKNOWN)
    try:
        status, booking_id = _send_book(studio, lead, booking)
    except errors.OutcomeUnknown:
        _set_booking(booking, failure_reason="OUTCOME_UNKNOWN")
        outcome = _reconcile_booking(studio, lead, booking, config, links)
        return outcome if outcome is not None else _unknown(lead, "OUTCOME_UNKNOWN", booking)
    except errors.BadRequest as exc:
        reason = booking_error_status(exc.error_code) or "NOT_AVAILABLE"
        audit.record(studio, "trial.booking", actor="lead", outcome=reason.lower(), error=exc)
        return _fail(lead, reason, booking)
    except errors.ApiError as exc:
        audit.record(studio, "trial.booking", actor="lead", outcome="error", error=exc)
        return _upstream_failure(lead, exc, booking)
    return _booked(studio, lead, booking, config, status, booking_id, links=links)


_HELD = {
    "BOOKED": BookingStatus.BOOKED,
    "BOOKED_WITH_CONFIRMATION_REQUIRED": BookingStatus.CONFIRMATION_PENDING,
    "WAITING_LIST": BookingStatus.WAITING_LIST,
}


def _booked(
    studio: Studio,
    lead: Lead,
    booking: TrialBooking,
    config: m.TrialOfferConfig,
    status: str,
    booking_id: int,
    *,
    links: Links,
) -> Outcome:
    """Record the API's bookingStatus and send the matching e-mail."""
    audit.record(
        studio,
        "trial.booking",
        actor="lead",
        outcome=status.lower(),
        details={"lead_customer_id": lead.lead_customer_id, "booking_id": booking_id},
    )
    if status not in _HELD:  # CANCELED straight away
        _set_booking(booking, booking_id=booking_id)
        return _fail(lead, "CANCELED", booking)
    changes: dict[str, Any] = {"status": _HELD[status], "failure_reason": "", "booking_id": booking_id}
    if status == "BOOKED_WITH_CONFIRMATION_REQUIRED":
        term = config.confirmation_of_booking_term
        deadline = add_term(timezone.now(), term) if term else booking.starts_at
        changes["confirm_by"] = min(deadline, booking.starts_at)
    try:
        with transaction.atomic():
            _set_booking(booking, **changes)
    except IntegrityError:  # the journey already holds a booking (constraint): that one counts
        held = lead.held_booking()
        logger.warning("trial booking beyond the journey's one booking=%s upstream=%s", booking.pk, booking_id)
        _set_booking(booking, status=BookingStatus.FAILED, failure_reason="SECOND_BOOKING", booking_id=booking_id)
        return Outcome.done(held)
    _set_lead(lead, status=LeadStatus(_HELD[status].value), reason="")
    if status == "BOOKED":
        FunnelWeek.bump(studio, "bookings_confirmed")
    logger.info("trial booked studio=%s booking=%s status=%s", studio.pk, booking.pk, status)
    template = {"BOOKED": "booked", "BOOKED_WITH_CONFIRMATION_REQUIRED": "confirm", "WAITING_LIST": "waiting_list"}
    send_booking_email(studio, booking, template[status], links)
    return Outcome.done(booking)


# --- E-mails ----------------------------------------------------------------------------------------
EMAIL_SUBJECTS = {
    "booked": _("Your trial session is booked"),
    "confirm": _("Please confirm your trial session"),
    "waiting_list": _("You are on the waiting list"),
}


def booking_links(studio: Studio, booking: TrialBooking, links: Links) -> dict[str, str]:
    """The e-mail's links, in the lead's language (the pages they open must not fall back to another)."""
    token = tokens.done_token(booking.pk)
    lang = f"?lang={booking.lead.language}"
    urls = {
        "done_url": reverse("trialoffers:done", kwargs={"slug": studio.slug, "token": token}) + lang,
        "calendar_url": reverse("trialoffers:calendar", kwargs={"slug": studio.slug, "token": token}) + lang,
    }
    if booking.confirm_by:
        confirm = tokens.confirm_token(booking.pk, booking.confirm_by)
        urls["confirm_url"] = reverse("trialoffers:confirm", kwargs={"slug": studio.slug, "token": confirm}) + lang
    return {name: links.absolute(url) for name, url in urls.items()}


def send_booking_email(studio: Studio, booking: TrialBooking, template: str, links: Links) -> bool:
    """Queue one of the booking e-mails in the lead's language; True when it was queued (or sent).

    ``email_sent_at`` is set when queued (the done page says an e-mail is on its way); the worker
    clears it again if sending fails.
    """
    lead = booking.lead
    if not lead.email:
        return False
    now = timezone.now()
    TrialBooking.objects.filter(pk=booking.pk).update(email_sent_at=now)
    result = notify(
        BOOKING_EMAIL,
        {"booking": booking.pk, "template": template, "base_url": links.base_url},
        language=lead.language,
    )
    sent = not failed(result)
    booking.email_sent_at = now if sent else None
    logger.info("trial email template=%s booking=%s failed=%s", template, booking.pk, not sent)
    return sent


def send_booking_message(ids: dict[str, Any], language: str) -> int:
    """Worker: a booking e-mail, built from the booking and lead rows."""
    booking = TrialBooking.objects.select_related("lead", "lead__studio").filter(pk=ids["booking"]).first()
    if booking is None or not booking.lead.email:
        return 0
    lead, studio, template = booking.lead, booking.lead.studio, str(ids["template"])
    overview = studio_overview(studio)
    context = {
        "studio": studio,
        "booking": booking,
        "first_name": lead.first_name,
        "overview": overview,
        "place": place_lines(studio, booking, overview),
        **booking_links(studio, booking, Links(str(ids["base_url"]))),
    }
    try:
        return send_email(
            [lead.email],
            EMAIL_SUBJECTS[template],
            f"trialoffers/{template}",
            context,
            language=language,
            reply_to=[studio.contact_email] if studio.contact_email else None,
        )
    except EmailDeliveryFailed:
        TrialBooking.objects.filter(pk=booking.pk).update(email_sent_at=None)
        raise


def send_already_member_message(ids: dict[str, Any], language: str) -> int:
    """Worker: the trial form was sent with an existing customer's address; tell its owner, not the page."""
    lead = Lead.objects.select_related("studio").filter(pk=ids["lead"]).first()
    if lead is None or not lead.email:
        return 0
    studio = lead.studio
    sign_in = reverse("studio-home", kwargs={"slug": studio.slug}) + f"account/?lang={language}"
    return send_email(
        [lead.email],
        _("You are already a member of %(studio)s") % {"studio": studio.name},
        "trialoffers/already_member",
        {"studio": studio, "first_name": lead.first_name, "sign_in_url": Links(str(ids["base_url"])).absolute(sign_in)},
        language=language,
        reply_to=[studio.contact_email] if studio.contact_email else None,
    )


def place_lines(studio: Studio, booking: TrialBooking, overview: StudioOverview | None) -> list[str]:
    """Where the trial takes place: the room (classes), the studio's name and address."""
    lines = [booking.location] if booking.location else []
    info = overview.information if overview else None
    lines.append((info.name if info and info.name else None) or studio.name)
    lines.extend(overview.address_lines if overview else [])
    return lines


# --- Confirmation -------------------------------------------------------------------------------------
def expire_overdue() -> int:
    """Bookings whose confirmation deadline passed unconfirmed count as expired (as the API treats them)."""
    overdue = TrialBooking.objects.filter(status=BookingStatus.CONFIRMATION_PENDING, confirm_by__lt=timezone.now())
    lead_ids = list(overdue.values_list("lead_id", flat=True))
    count = overdue.update(status=BookingStatus.EXPIRED, failure_reason="EXPIRED")
    Lead.objects.filter(pk__in=lead_ids, status=LeadStatus.CONFIRMATION_PENDING).update(
        status=LeadStatus.EXPIRED, failure_reason="EXPIRED"
    )
    return count


def _mark_expired(booking: TrialBooking) -> Outcome:
    TrialBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMATION_PENDING).update(
        status=BookingStatus.EXPIRED, failure_reason="EXPIRED", updated_at=timezone.now()
    )
    Lead.objects.filter(pk=booking.lead_id, status=LeadStatus.CONFIRMATION_PENDING).update(
        status=LeadStatus.EXPIRED, failure_reason="EXPIRED"
    )
    booking.refresh_from_db()
    return Outcome.of("EXPIRED", booking=booking)


def _mark_confirmed(studio: Studio, booking: TrialBooking, links: Links) -> Outcome:
    changed = TrialBooking.objects.filter(pk=booking.pk, status=BookingStatus.CONFIRMATION_PENDING).update(
        status=BookingStatus.CONFIRMED, failure_reason="", confirmed_at=timezone.now(), updated_at=timezone.now()
    )
    booking.refresh_from_db()
    if changed:  # only the request that made the change counts it and sends the e-mail
        Lead.objects.filter(pk=booking.lead_id).update(status=LeadStatus.CONFIRMED, failure_reason="")
        FunnelWeek.bump(studio, "bookings_confirmed")
        audit.record(
            studio, "trial.confirm", actor="lead", outcome="confirmed", details={"booking_id": booking.booking_id}
        )
        send_booking_email(studio, booking, "booked", links)
    return Outcome(next=Next.DONE, reason="CONFIRMED", text=status_message("CONFIRMED"), booking=booking)


def _read_booking_status(studio: Studio, booking: TrialBooking) -> str:
    booking_id = booking.booking_id
    if booking.kind == OfferKind.CLASS:
        found = reads.call(studio, "getClassBookingById", lambda client: client.get_class_booking_by_id(booking_id))
    else:
        found = reads.call(studio, "getAppointmentBooking", lambda client: client.get_appointment_booking(booking_id))
    return found.booking_status


def confirm_booking(studio: Studio, booking: TrialBooking, deadline: datetime, links: Links) -> Outcome:
    """The POST behind the e-mailed link: CONFIRMED or EXPIRED, in plain words."""
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.BOOKED):
        return Outcome(next=Next.DONE, reason="CONFIRMED", text=status_message("CONFIRMED"), booking=booking)
    if booking.status == BookingStatus.EXPIRED:
        return Outcome.of("EXPIRED", booking=booking)
    if booking.status != BookingStatus.CONFIRMATION_PENDING or not booking.booking_id:
        return Outcome.of("LINK_INVALID", booking=booking)
    if timezone.now() > deadline:
        return _mark_expired(booking)
    try:
        result = client_for(studio).confirm_trial_offer_booking(booking.booking_id).status
    except errors.OutcomeUnknown:
        try:
            status = _read_booking_status(studio, booking)
        except errors.ApiError:
            return Outcome.of("OUTCOME_UNKNOWN", booking=booking)
        if status == "BOOKED":
            return _mark_confirmed(studio, booking, links)
        if status == "CANCELED":
            return _mark_expired(booking)
        return Outcome.of("OUTCOME_UNKNOWN", booking=booking)
    except (errors.BadRequest, errors.NotFound) as exc:
        audit.record(studio, "trial.confirm", actor="lead", outcome="refused", error=exc)
        _set_booking(booking, status=BookingStatus.FAILED, failure_reason="BOOKING_CANCELED_BY_STUDIO")
        Lead.objects.filter(pk=booking.lead_id).update(
            status=LeadStatus.FAILED, failure_reason="BOOKING_CANCELED_BY_STUDIO"
        )
        return Outcome.of("BOOKING_CANCELED_BY_STUDIO", booking=booking)
    except errors.ApiError as exc:
        return Outcome(next=Next.TRY_AGAIN, reason="UPSTREAM", text=message_for(exc), booking=booking)
    if result == "CONFIRMED":
        return _mark_confirmed(studio, booking, links)
    return _mark_expired(booking)


# --- Check-in vouchers --------------------------------------------------------------------------------
@dataclass
class VoucherOutcome:
    redemption: VoucherRedemption | None = None
    reason: str = ""
    text: str = ""
    in_progress: bool = False
    redeemed_now: bool = False  # by this request: the code is mailed once

    @property
    def redeemed(self) -> bool:
        return self.redemption is not None and self.redemption.status == VoucherStatus.REDEEMED and not self.reason

    @classmethod
    def of(cls, reason: str, redemption: VoucherRedemption | None = None) -> VoucherOutcome:
        return cls(redemption=redemption, reason=reason, text=str(VOUCHER_MESSAGES[reason]))


def access_code(redemption: VoucherRedemption) -> str:
    if not redemption.access_code_encrypted:
        return ""
    try:
        return crypto.decrypt(redemption.access_code_encrypted)
    except crypto.DecryptionError:
        return ""


def redeem_voucher(
    studio: Studio,
    nonce: str,
    *,
    code: str,
    first_name: str,
    last_name: str,
    email: str,
    client_ip: str,
    language: str,
) -> VoucherOutcome:
    """Redeem once per form (nonce); a repeated submit shows the same result."""
    if not studio.checkin_voucher_online_offer_id:
        return VoucherOutcome.of("NOT_OFFERED")
    try:
        with transaction.atomic():
            redemption, _created = VoucherRedemption.objects.get_or_create(
                nonce=nonce, defaults={"studio": studio, "code_hint": code[-4:]}
            )
    except IntegrityError:
        redemption = VoucherRedemption.objects.get(nonce=nonce)
    if redemption.studio_id != studio.pk:
        return VoucherOutcome.of("NOT_FOUND")

    def work() -> VoucherOutcome:
        redemption.refresh_from_db()
        if redemption.status == VoucherStatus.REDEEMED:
            return VoucherOutcome(redemption=redemption)
        was_unknown = redemption.status == VoucherStatus.UNKNOWN
        if not was_unknown:
            within_ip = ratelimit.hit(
                f"voucher-ip:{studio.pk}", client_ip, limit=studio.lead_limit_per_ip_per_hour, window=3600
            )
            within_email = ratelimit.hit(
                f"voucher-email:{studio.pk}", email, limit=studio.lead_limit_per_email_per_day, window=86400
            )
            if not (within_ip and within_email):
                return _voucher_failed(redemption, "RATE_LIMITED")
        redemption.code_hint = code[-4:]
        request = m.CheckinVoucherRedeem(
            voucher_code=code,
            firstname=first_name,
            lastname=last_name,
            email=email,
            online_offer_id=studio.checkin_voucher_online_offer_id,
        )
        try:
            result = client_for(studio).redeem_checkin_voucher(request)
        except errors.OutcomeUnknown:
            # No operation reads a voucher back; sending again is safe (a voucher is redeemed once at most).
            redemption.status, redemption.failure_reason = VoucherStatus.UNKNOWN, "OUTCOME_UNKNOWN"
            redemption.save(update_fields=["status", "failure_reason", "code_hint", "updated_at"])
            return VoucherOutcome.of("OUTCOME_UNKNOWN", redemption)
        except errors.NotFound as exc:
            audit.record(studio, "voucher.redeem", actor="lead", outcome="not_found", error=exc)
            return _voucher_failed(redemption, "NOT_FOUND")
        except errors.BadRequest as exc:
            reason = VOUCHER_ERROR_CODES.get(exc.error_code or "", "INVALID")
            audit.record(studio, "voucher.redeem", actor="lead", outcome=reason.lower(), error=exc)
            if reason == "ALREADY_REDEEMED" and was_unknown:
                # Our own earlier request went through, but its answer (the code) never arrived.
                redemption.status, redemption.failure_reason = VoucherStatus.REDEEMED, "REDEEMED_WITHOUT_CODE"
                redemption.save(update_fields=["status", "failure_reason", "code_hint", "updated_at"])
                return VoucherOutcome.of("REDEEMED_WITHOUT_CODE", redemption)
            return _voucher_failed(redemption, reason)
        except errors.ApiError as exc:
            audit.record(studio, "voucher.redeem", actor="lead", outcome="error", error=exc)
            redemption.status = VoucherStatus.FAILED
            redemption.failure_reason = f"UPSTREAM_{type(exc).__name__.upper()}"
            redemption.save(update_fields=["status", "failure_reason", "code_hint", "updated_at"])
            return VoucherOutcome(redemption=redemption, reason="UPSTREAM", text=message_for(exc))
        redemption.status, redemption.failure_reason = VoucherStatus.REDEEMED, ""
        redemption.access_code_encrypted = crypto.encrypt(result.studio_access_code)
        redemption.save(update_fields=["status", "failure_reason", "code_hint", "access_code_encrypted", "updated_at"])
        return VoucherOutcome(redemption=redemption, redeemed_now=True)

    answer = _alone(studio, "voucher.redeem", nonce, work)
    if answer is None:
        return VoucherOutcome(redemption=redemption, in_progress=True)
    if not answer.redeemed_now:
        return answer
    audit.record(studio, "voucher.redeem", actor="lead", outcome="redeemed", details={"redemption": redemption.pk})
    # The code is in the redemption (encrypted); the address only in a row the worker deletes after sending.
    message = VoucherMessage.objects.create(redemption=redemption, email=email, first_name=first_name[:100])
    notify(VOUCHER_EMAIL, {"message": message.pk}, language=language)
    return VoucherOutcome(redemption=redemption)


def send_voucher_message(ids: dict[str, Any], language: str) -> int:
    """Worker: the studio access code, to the address the voucher form was sent with."""
    message = (
        VoucherMessage.objects.select_related("redemption", "redemption__studio").filter(pk=ids["message"]).first()
    )
    if message is None:
        return 0
    try:
        code = access_code(message.redemption)
        if not code:
            return 0
        studio = message.redemption.studio
        return send_email(
            [message.email],
            _("Your studio access code"),
            "trialoffers/voucher",
            {"studio": studio, "first_name": message.first_name, "access_code": code},
            language=language,
            reply_to=[studio.contact_email] if studio.contact_email else None,
        )
    finally:
        message.delete()


def _voucher_failed(redemption: VoucherRedemption, reason: str) -> VoucherOutcome:
    redemption.status, redemption.failure_reason = VoucherStatus.FAILED, reason
    redemption.save(update_fields=["status", "failure_reason", "code_hint", "updated_at"])
    return VoucherOutcome.of(reason, redemption)


# --- Privacy ----------------------------------------------------------------------------------------
def anonymise_old_records(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Clear names and addresses of leads (and voucher access codes) older than each studio's retention."""
    now = now or timezone.now()
    counts = {"leads": 0, "vouchers": 0}
    for studio in Studio.objects.all():
        cutoff = now - timedelta(days=studio.lead_retention_days)
        leads = Lead.objects.filter(studio=studio, created_at__lt=cutoff, anonymised_at__isnull=True)
        vouchers = VoucherRedemption.objects.filter(studio=studio, created_at__lt=cutoff, anonymised_at__isnull=True)
        if dry_run:
            counts["leads"] += leads.count()
            counts["vouchers"] += vouchers.count()
            continue
        counts["leads"] += leads.update(first_name="", last_name="", email="", anonymised_at=now)
        counts["vouchers"] += vouchers.update(access_code_encrypted="", code_hint="", anonymised_at=now)
    return counts


def housekeeping(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    """The daily job's trial part: expire overdue confirmations, anonymise old leads, drop stale voucher mail."""
    if not dry_run:
        expire_overdue()
    counts = anonymise_old_records(now=now, dry_run=dry_run)
    return {
        "leads anonymised": counts["leads"],
        "voucher redemptions anonymised": counts["vouchers"],
        "unsent voucher e-mails": VoucherMessage.prune(now, dry_run=dry_run),
    }
