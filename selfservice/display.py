"""Money, terms and the studio's calendar, formatted in the active language."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone, translation

from portal.models import Studio
from portal.perfectgym import models as m
from selfservice.texts import PAYMENT_FREQUENCY_TYPE, per_term

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF", "PLN": "zł"}


def studio_zone(studio: Studio) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(studio.timezone)


def studio_now(studio: Studio) -> datetime:
    return timezone.now().astimezone(studio_zone(studio))


def studio_today(studio: Studio) -> date:
    return studio_now(studio).date()


def money(value: m.Money | None) -> str:
    """39,90 € in German, €39.90 in English."""
    if value is None:
        return ""
    amount = Decimal(str(value.amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    number = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(value.currency, value.currency)
    if (translation.get_language() or "de").startswith("de") or len(symbol) > 1:
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}"


def payment_frequency(frequency: m.ContractPaymentFrequency) -> str:
    if frequency.type == "RECURRING" and frequency.term is not None:
        return per_term(frequency.term.value, frequency.term.unit)
    return str(PAYMENT_FREQUENCY_TYPE.get(frequency.type, frequency.type))


def long_date(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def date_time(value: datetime, studio: Studio) -> str:
    """Date and time in the studio's zone, e.g. '22. November 2026, 14:05'."""
    local = value.astimezone(studio_zone(studio))
    return f"{formats.date_format(local, 'DATE_FORMAT')}, {formats.time_format(local, 'H:i')}"
