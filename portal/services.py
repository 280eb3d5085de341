"""Studio-wide reads: studio information (the one reader every app uses), occupancy, the home page's
overview, the staff's connection test and what setting a studio up takes over from the API."""

from __future__ import annotations

import enum
import logging
import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time

from django.utils import formats, timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import reads
from portal.lib.crypto import DecryptionError
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym.client import PerfectGymClient
from portal.perfectgym.models import ContractCancelationReason, StudioInformation, StudioOpeningHours
from portal.user_messages import message_for

logger = logging.getLogger("portal.services")

WEEKDAY_INDEX = {
    name: index
    for index, name in enumerate(("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"))
}


# --- The studio home page ---------------------------------------------------------
@dataclass(frozen=True)
class OpeningHoursRow:
    days: str
    hours: str


@dataclass(frozen=True)
class Closure:
    when: str  # "25. November 2026, 00:00 – 14:00" in the active language, studio time
    reason: str


@dataclass(frozen=True)
class StudioOverview:
    information: StudioInformation | None
    problem: str | None = None
    opening_hours: list[OpeningHoursRow] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    address_lines: list[str] = field(default_factory=list)
    phone_href: str = ""
    website: str = ""

    @property
    def website_label(self) -> str:
        return re.sub(r"^https?://", "", self.website, flags=re.IGNORECASE).rstrip("/")


def studio_information(studio: Studio) -> StudioInformation:
    """The studio's information (name, address, opening and closing hours, e-mail); raises ``ApiError``.

    The one reader of ``getStudioInformation``: the home page, the trial offers' closures and the
    §312k e-mail to the studio all read it here (cached for everyone, in the studio's language).
    """
    return reads.value(information_read(studio))


def information_read(studio: Studio) -> reads.Read[StudioInformation]:
    return reads.Read(studio, "getStudioInformation", lambda client: client.get_studio_information())


def studio_overview(studio: Studio) -> StudioOverview:
    """The studio's name, address and opening hours from the API, or a plain reason why not.

    Call it with the visitor's language active: weekday names and times are formatted here.
    """
    return _overview(studio, reads.read_many(information_read(studio))[0])


def studio_home(studio: Studio) -> tuple[StudioOverview, Occupancy | None]:
    """The home page's overview and occupancy, read together (warm: one cache round trip, no thread)."""
    information, occupancy = reads.read_many(information_read(studio), occupancy_read(studio))
    return _overview(studio, information), _allowed(occupancy.value)


def _overview(studio: Studio, loaded: reads.Cached[StudioInformation]) -> StudioOverview:
    info = loaded.value
    if info is None:
        return StudioOverview(information=None, problem=message_for(loaded.error or errors.Unavailable("studio")))
    return StudioOverview(
        information=info,
        opening_hours=[row for row in map(_opening_hours_row, info.public_opening_hours) if row],
        closures=_upcoming_closures(info, zoneinfo.ZoneInfo(studio.timezone)),
        address_lines=_address_lines(info),
        phone_href=_phone_href(info.telephone or ""),
        website=_safe_web_url(info.website or ""),
    )


# --- Occupancy (the studio home and the schedule) ---------------------------------------------
@dataclass(frozen=True)
class Occupancy:
    allowed: bool  # False: the API key may not read the utilization (or the studio has none)
    count: int = 0
    capacity: int | None = None

    @property
    def percent(self) -> int | None:
        if not self.capacity:
            return None
        return round(self.count * 100 / self.capacity)

    @property
    def level(self) -> str:
        percent = self.percent
        if percent is None:
            return "unknown"
        return "low" if percent < 40 else "medium" if percent < 75 else "high"


def _occupancy(client: PerfectGymClient) -> Occupancy:
    try:
        found = client.get_utilization()
    except (errors.Forbidden, errors.Unauthorized, errors.NotFound):
        # Not an outage: this key may not read it. Cached like a value, so it is not asked for each page.
        return Occupancy(allowed=False)
    return Occupancy(allowed=True, count=max(0, found.count), capacity=found.capacity)


def occupancy_read(studio: Studio) -> reads.Read[Occupancy]:
    """The one reader of ``getUtilization`` (the schedule reads it together with its other reads)."""
    return reads.Read(studio, "getUtilization", _occupancy)


def studio_occupancy(studio: Studio) -> Occupancy | None:
    """The studio's current check-ins against its capacity; None when unknown or not allowed for this key."""
    return _allowed(reads.read_many(occupancy_read(studio))[0].value)


def _allowed(occupancy: Occupancy | None) -> Occupancy | None:
    return occupancy if occupancy is not None and occupancy.allowed else None


def _weekday_name(code: str | None) -> str:
    index = WEEKDAY_INDEX.get(code or "")
    return str(WEEKDAYS[index]) if index is not None else ""


def _format_time(value: str | None) -> str:
    """``"07:00:00"`` in the active language's time format (07:00 in German, 7 a.m. in English)."""
    if not value:
        return ""
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        return ""
    return formats.time_format(parsed, "TIME_FORMAT")


def _opening_hours_row(hours: StudioOpeningHours) -> OpeningHoursRow | None:
    first, last = _weekday_name(hours.day_of_week_from), _weekday_name(hours.day_of_week_to)
    opens, closes = _format_time(hours.time_from), _format_time(hours.time_to)
    if not first or not (opens and closes):
        return None
    days = first if not last or last == first else f"{first} – {last}"
    return OpeningHoursRow(days=days, hours=f"{opens} – {closes}")


def _upcoming_closures(info: StudioInformation, tz: zoneinfo.ZoneInfo) -> list[Closure]:
    now = timezone.now()
    closures = []
    for item in sorted(info.closing_hours, key=lambda c: c.date_time_from or now):
        if item.date_time_from is None or (item.date_time_to is not None and item.date_time_to < now):
            continue
        closures.append(Closure(when=_period(item.date_time_from, item.date_time_to, tz), reason=item.reason or ""))
    return closures


def _period(starts: datetime, ends: datetime | None, tz: zoneinfo.ZoneInfo) -> str:
    starts = starts.astimezone(tz)
    start_text = f"{formats.date_format(starts, 'DATE_FORMAT')}, {formats.time_format(starts, 'TIME_FORMAT')}"
    if ends is None:
        return start_text
    ends = ends.astimezone(tz)
    if ends.date() == starts.date():
        return f"{start_text} – {formats.time_format(ends, 'TIME_FORMAT')}"
    end_text = f"{formats.date_format(ends, 'DATE_FORMAT')}, {formats.time_format(ends, 'TIME_FORMAT')}"
    return f"{start_text} – {end_text}"


def _address_lines(info: StudioInformation) -> list[str]:
    street = " ".join(part for part in (info.street, info.house_number) if part)
    town = " ".join(part for part in (info.zip, info.city) if part)
    return [line for line in (street, town) if line]


def _phone_href(telephone: str) -> str:
    digits = re.sub(r"[^\d+]", "", telephone)
    return f"tel:{digits}" if len(digits.lstrip("+")) >= 3 else ""


def _safe_web_url(url: str) -> str:
    """Only http(s) links from upstream data: never ``javascript:`` or other schemes."""
    url = url.strip()
    if re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        return url
    return ""


# --- The staff's connection test -------------------------------------------------------
class ConnectionStatus(enum.StrEnum):
    OK = "ok"
    NO_KEY = "no_key"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    UNAVAILABLE = "unavailable"
    UNEXPECTED = "unexpected"

    @property
    def ok(self) -> bool:
        return self is ConnectionStatus.OK


@dataclass(frozen=True)
class ConnectionResult:
    status: ConnectionStatus
    message: str

    @property
    def ok(self) -> bool:
        return self.status.ok


# What a failed test says, first match wins.
_FAILURES: tuple[tuple[type[errors.ApiError], ConnectionStatus, Promise], ...] = (
    (
        errors.Unauthorized,
        ConnectionStatus.UNAUTHORIZED,
        gettext_lazy(
            "The API key was rejected (401 Unauthorized). Check that you copied the whole key for this studio."
        ),
    ),
    (
        errors.Forbidden,
        ConnectionStatus.FORBIDDEN,
        gettext_lazy(
            "The API key is valid but may not read the studio information (403 Forbidden): "
            "it lacks the scope, or it belongs to another studio."
        ),
    ),
    (
        errors.RateLimited,
        ConnectionStatus.UNAVAILABLE,
        gettext_lazy("The API is limiting requests right now (429). Try again in a minute."),
    ),
    (
        errors.Unavailable,
        ConnectionStatus.UNAVAILABLE,
        gettext_lazy("The API could not be reached or did not answer in time. Check the base URL or try again later."),
    ),
)


def _failure(exc: errors.ApiError) -> ConnectionResult:
    for kind, status, message in _FAILURES:
        if isinstance(exc, kind):
            return ConnectionResult(status, str(message))
    return ConnectionResult(
        ConnectionStatus.UNEXPECTED,
        _("The API gave an unexpected answer (%(status)s). Check the base URL.")
        % {"status": exc.status or type(exc).__name__},
    )


def test_connection(studio: Studio) -> ConnectionResult:
    """Read the studio information with the studio's key (a documented GET), in plain words for staff."""
    try:
        api_key = studio.api_key
    except DecryptionError:
        return ConnectionResult(
            ConnectionStatus.NO_KEY,
            _("The stored API key cannot be decrypted with the configured keys. Please enter the key again."),
        )
    if not api_key:
        return ConnectionResult(ConnectionStatus.NO_KEY, _("No API key is stored for this studio yet."))
    try:
        # Never from the cache: staff test the key as it is now. What it finds is kept for the next reader,
        # so the setup box shows the address and opening hours without asking again.
        info = reads.read_now(information_read(studio))
    except errors.ApiError as exc:
        result = _failure(exc)
        logger.info("connection test studio=%s status=%s", studio.pk, result.status.value)
        return result
    return ConnectionResult(
        ConnectionStatus.OK,
        _("Connection works: the API answered for the studio “%(name)s”.") % {"name": info.name or info.studio_id},
    )


test_connection.__test__ = False  # type: ignore[attr-defined]  # a service, not a pytest test (tests import it by name)


# --- Setting a studio up: what staff take over from the API -----------------------------------
# Countries with one time zone. The API has no time-zone field: a studio whose answer names no zone
# (in its closing hours) gets its country's, or none when the country has several.
_COUNTRY_ZONES = {
    "AT": "Europe/Vienna",
    "BE": "Europe/Brussels",
    "BG": "Europe/Sofia",
    "CH": "Europe/Zurich",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "EE": "Europe/Tallinn",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "GR": "Europe/Athens",
    "HR": "Europe/Zagreb",
    "HU": "Europe/Budapest",
    "IE": "Europe/Dublin",
    "IT": "Europe/Rome",
    "LI": "Europe/Vaduz",
    "LT": "Europe/Vilnius",
    "LU": "Europe/Luxembourg",
    "LV": "Europe/Riga",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "PL": "Europe/Warsaw",
    "RO": "Europe/Bucharest",
    "SE": "Europe/Stockholm",
    "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava",
}


@dataclass(frozen=True)
class SettingsFromApi:
    """The studio's name and time zone as the API has them (the portal keeps its own copy of both)."""

    name: str
    timezone: str  # "" when the answer names no zone and the country has several

    def differ_from(self, studio: Studio) -> bool:
        return bool(self.name and self.name != studio.name) or bool(self.timezone and self.timezone != studio.timezone)


def settings_from_api(info: StudioInformation) -> SettingsFromApi:
    return SettingsFromApi(name=(info.name or "").strip(), timezone=_zone_of(info))


def _zone_of(info: StudioInformation) -> str:
    for closure in info.closing_hours:
        for moment in (closure.date_time_from, closure.date_time_to):
            zone = getattr(moment.tzinfo, "key", None) if moment is not None else None
            if zone:
                return str(zone)
    return _COUNTRY_ZONES.get((info.country_code or "").upper(), "")


def take_settings_from_api(studio: Studio) -> ConnectionResult:
    """Store the API's name and time zone for ``studio`` (staff confirmed them on the setup box)."""
    if not (studio.has_api_key and studio.api_key_is_readable):
        return test_connection(studio)  # says what is wrong with the key, without asking the API
    try:
        # Uncached: staff confirm what the API says now, with the key stored now.
        found = settings_from_api(reads.read_now(information_read(studio)))
    except errors.ApiError as exc:
        return _failure(exc)
    if found.name:
        studio.name = found.name[: Studio._meta.get_field("name").max_length]
    if found.timezone:
        studio.timezone = found.timezone
    studio.save(update_fields=["name", "timezone", "updated_at"])
    return ConnectionResult(
        ConnectionStatus.OK,
        _("Name and time zone taken from the API: “%(name)s”, %(timezone)s.")
        % {"name": studio.name, "timezone": studio.timezone},
    )


def cancelation_reasons(studio: Studio) -> list[ContractCancelationReason]:
    """The studio's contract cancelation reasons, in the active language; raises ``ApiError``.

    Cached under the same key as the members' cancelation form reads them (selfservice), so staff
    choosing the studio's default reason cost no extra call.
    """
    language = translation.get_language()
    return reads.read(
        studio,
        "getContractCancelationReasonData",
        lambda client: client.get_contract_cancelation_reason_data(),
        key=(language,),
        language=language,
    )


def connection_changed(studio: Studio) -> None:
    """Staff changed the studio's key, mode or base URL: what was read with the old one is read again."""
    reads.invalidate(studio, "getStudioInformation")
    reads.invalidate(studio, "getContractCancelationReasonData")
