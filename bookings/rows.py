"""Schedule rows rendered once and shared: a slot looks the same to everyone in the same state.

Rendering ~150 slots through the template engine costs tens of milliseconds, and the same rows
repeat for every visitor. A row depends only on the language, the time zone, whether the
visitor is signed in, the slot's data, its action and the member's booking of it; nothing
personal or per-request is in a row (the CSRF token and the idempotency key live in the page's
one booking form), so a per-process memo keyed by exactly those is safe to share.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from bookings.services import Day, SlotView

SIZE = 4096
_rows: OrderedDict[tuple, SafeString] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class DayRows:
    date: date
    rows: list[SafeString]


def _render(view: SlotView, signed_in: bool, urls: dict[str, str]) -> SafeString:
    template = get_template("bookings/schedule.html#slot")
    return SafeString(template.render({"view": view, "signed_in": signed_in, **urls}))


def slot_row(view: SlotView, *, signed_in: bool, urls: dict[str, str]) -> SafeString:
    if view.message:
        return _render(view, signed_in, urls)  # a one-off answer to a booking: never shared
    key = (
        translation.get_language(),
        timezone.get_current_timezone_name(),
        signed_in,
        urls["schedule_url"],
        view.action,
        view.booking,
        view.slot,
    )
    with _lock:
        row = _rows.get(key)
        if row is not None:
            _rows.move_to_end(key)
            return row
    row = _render(view, signed_in, urls)
    with _lock:
        _rows[key] = row
        while len(_rows) > SIZE:
            _rows.popitem(last=False)
    return row


def day_rows(days: list[Day], *, signed_in: bool, urls: dict[str, str]) -> list[DayRows]:
    return [DayRows(day.date, [slot_row(view, signed_in=signed_in, urls=urls) for view in day.slots]) for day in days]


def clear() -> None:
    with _lock:
        _rows.clear()
