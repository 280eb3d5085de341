"""The times of one trial offer, as a slot picker: class slots by day, appointment slots by week."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from portal import reads
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.services import studio_information
from portal.user_messages import message_for
from trialoffers import tokens
from trialoffers.models import OfferKind
from trialoffers.services.offers import Offer

CLASS_DAYS = 14  # class slot listings reach fourteen days ahead
APPOINTMENT_WEEKS = 4  # appointment slots: up to four weeks, asked for one week (daysAhead=6) at a time

Closures = list[tuple[datetime, datetime]]


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
    stale: bool = False  # the studio's system is not answering: the last known times, labelled so
    earlier_day: date | None = None  # appointments: the previous week's first day
    later_day: date | None = None  # appointments: the next week's first day

    def show(self, tabs: list[DayTab], by_day: dict[date, list[SlotView]], wanted: date | None) -> None:
        """Show ``wanted`` when it is one of the tabs, else the first day with a bookable time."""
        if wanted and any(tab.day == wanted for tab in tabs):
            self.selected_day = wanted
        else:
            self.selected_day = next((tab.day for tab in tabs if tab.bookable), tabs[0].day if tabs else None)
        self.days = [replace(tab, selected=tab.day == self.selected_day) for tab in tabs]
        self.slots = by_day.get(self.selected_day, []) if self.selected_day else []


def studio_today(studio: Studio) -> date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(studio.timezone))


def _closures(studio: Studio) -> Closures:
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


def _in_closure(closures: Closures, start: datetime, end: datetime) -> bool:
    return any(closed_from < end and start < closed_to for closed_from, closed_to in closures)


def _names(instructors: list[m.Instructor]) -> str:
    return ", ".join(instructor.display_name for instructor in instructors)


def _class_slot_state(
    slot: m.ClassSlot, start: datetime, end: datetime, now: datetime, closures: Closures
) -> tuple[str, int | None]:
    if slot.earliest_booking_date_time and now < slot.earliest_booking_date_time:
        return SlotState.NOT_YET, None
    if slot.latest_booking_date_time and now > slot.latest_booking_date_time:
        return SlotState.CLOSED, None
    if _in_closure(closures, start, end):
        return SlotState.STUDIO_CLOSED, None
    if slot.max_participants is None:
        return SlotState.OPEN, None
    left = slot.max_participants - (slot.booked_participants or 0)
    if left > 0:
        return SlotState.OPEN, left
    waiting_left = (slot.max_waiting_list_participants or 0) - (slot.waiting_list_participants or 0)
    return (SlotState.WAITING_LIST if waiting_left > 0 else SlotState.FULL), 0


def _class_view(
    slot: m.ClassSlot, start: datetime, end: datetime, offer: Offer, nonce: str, now: datetime, closures: Closures
) -> SlotView:
    state, left = _class_slot_state(slot, start, end, now, closures)
    view = SlotView(
        starts_at=start,
        ends_at=end,
        state=state,
        instructors=_names(slot.instructors),
        location=slot.location.name if slot.location else "",
        places_left=left,
        opens_at=slot.earliest_booking_date_time if state == SlotState.NOT_YET else None,
    )
    if not view.bookable:
        return view
    token = _token(
        offer,
        nonce,
        start.isoformat(),
        end.isoformat(),
        class_slot_id=slot.id,
        location=view.location,
        instructors=view.instructors,
        waiting_list=state == SlotState.WAITING_LIST,
    )
    return replace(view, token=token)


def _token(offer: Offer, nonce: str, start_raw: str, end_raw: str, **details: Any) -> str:
    """The signed choice of one time of ``offer``: what the register page books."""
    choice = tokens.SlotChoice(
        nonce=nonce,
        kind=offer.kind,
        offer_id=offer.id,
        config_id=offer.config_id,
        title=offer.title,
        start_raw=start_raw,
        end_raw=end_raw,
        **details,
    )
    return tokens.slot_token(choice)


def class_picker(studio: Studio, offer: Offer, nonce: str, wanted_day: date | None) -> SlotPicker:
    """Trial class slots for the next fourteen days, one day shown at a time."""
    picker = SlotPicker(offer=offer, journey=tokens.journey_token(nonce, offer.key))
    zone = zoneinfo.ZoneInfo(studio.timezone)
    now = timezone.now()
    fetch = lambda client: client.all_class_slots_for_trial_offers(offer.id)  # noqa: E731
    found = reads.read_many(reads.Read(studio, "getClassSlotsForTrialOffers", fetch, (offer.id,)))[0]
    if found.value is None:
        picker.problem = message_for(found.error or errors.Unavailable("getClassSlotsForTrialOffers"))
        return picker
    slots, picker.stale = found.value, found.stale
    closures = _closures(studio)
    by_day: dict[date, list[SlotView]] = {}
    for slot in sorted(slots, key=lambda s: (s.start_date_time or now, s.id)):
        start, end = slot.start_date_time, slot.end_date_time
        if not start or not end or start <= now:
            continue
        view = _class_view(slot, start, end, offer, nonce, now, closures)
        by_day.setdefault(start.astimezone(zone).date(), []).append(view)
    today = studio_today(studio)
    tabs = [
        DayTab(
            day,
            sum(1 for s in by_day.get(day, []) if s.bookable),
            False,
            any(s.state == SlotState.NOT_YET for s in by_day.get(day, [])),
        )
        for day in (today + timedelta(days=offset) for offset in range(CLASS_DAYS))
    ]
    picker.show(tabs, by_day, wanted_day)
    return picker


def _appointment_week(studio: Studio, offer: Offer, nonce: str, first: date) -> dict[date, list[SlotView]]:
    slots = reads.read(
        studio,
        "getBookableAppointmentSlotsForTrialOffers",
        lambda client: client.get_bookable_appointment_slots_for_trial_offers(
            offer.id, days_ahead=6, slot_window_start_date=first
        ),
        key=(offer.id, first.isoformat()),
    )
    zone = zoneinfo.ZoneInfo(studio.timezone)
    now = timezone.now()
    by_day: dict[date, list[SlotView]] = {}
    for slot in sorted(slots, key=lambda s: s.start_date_time or now):
        if not slot.start_date_time or not slot.end_date_time or slot.start_date_time <= now:
            continue
        instructors = _names(slot.instructors)
        start_raw = slot.start_date_time_raw or slot.start_date_time.isoformat()
        end_raw = slot.end_date_time_raw or slot.end_date_time.isoformat()
        view = SlotView(
            starts_at=slot.start_date_time,
            ends_at=slot.end_date_time,
            state=SlotState.OPEN,
            instructors=instructors,
            token=_token(offer, nonce, start_raw, end_raw, instructors=instructors),
        )
        by_day.setdefault(slot.start_date_time.astimezone(zone).date(), []).append(view)
    return by_day


def _first_week_with_slots(
    studio: Studio, offer: Offer, nonce: str, today: date, weeks: list[int]
) -> tuple[int, dict[date, list[SlotView]]]:
    """The first of ``weeks`` (offsets from today's week) with a free slot, else the first one, empty."""
    for week in weeks:
        by_day = _appointment_week(studio, offer, nonce, today + timedelta(days=7 * week))
        if by_day:
            return week, by_day
    return weeks[0], {}


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
    try:
        index, by_day = _first_week_with_slots(studio, offer, nonce, today, weeks)
    except errors.ApiError as exc:
        picker.problem = message_for(exc)
        return picker
    first = today + timedelta(days=7 * index)
    tabs = [DayTab(day, len(by_day.get(day, [])), False) for day in (first + timedelta(days=i) for i in range(7))]
    picker.show(tabs, by_day, wanted_day)
    picker.earlier_day = first - timedelta(days=7) if index > 0 else None
    picker.later_day = first + timedelta(days=7) if index < APPOINTMENT_WEEKS - 1 else None
    return picker


def slot_picker(
    studio: Studio, offer: Offer, nonce: str, wanted_day: date | None, *, week: date | None = None
) -> SlotPicker:
    if offer.kind == OfferKind.CLASS:
        return class_picker(studio, offer, nonce, wanted_day)
    return appointment_picker(studio, offer, nonce, wanted_day, week=week)
