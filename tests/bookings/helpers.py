"""Finding demo slots by what a member would look for: title, weekday, days ahead."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from bookings import services
from bookings.sources import Slot, studio_today
from sandbox.demo.classes import CLOSED_DAY_OFFSET


def slot(studio, title: str, *, days=range(1, 7), weekdays=None, before=None, after=None) -> Slot:
    """The first bookable slot of ``title`` ``days`` ahead (default: tomorrow to 6 days: bookable now).

    The demo studio is closed one morning (``CLOSED_DAY_OFFSET``): its slots are skipped, or which
    slot a test gets would depend on the weekday the suite runs on.
    """
    today = studio_today(studio)
    wanted = {today + timedelta(days=d) for d in days}
    closed_morning = today + timedelta(days=CLOSED_DAY_OFFSET)
    for item in services.schedule_data(studio, None).slots:
        start = item.start
        if item.title != title or start.date() not in wanted:
            continue
        if start.date() == closed_morning and start.hour < 14:
            continue
        if weekdays is not None and start.weekday() not in weekdays:
            continue
        if before is not None and start.strftime("%H:%M") >= before:
            continue
        if after is not None and start.strftime("%H:%M") < after:
            continue
        return item
    raise LookupError(f"no {title} slot {days}")


def book_key(html: str) -> str:
    """The idempotency key of the schedule page's booking form."""
    return re.search(r'<form id="book-form".*?name="key" value="([^"]+)"', html, re.S)[1]


def htmx(target: str | None = None, **extra) -> dict:
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/s/demo/classes/"}
    if target:
        headers["HTTP_HX_TARGET"] = target
    return {**headers, **extra}


def text(response) -> str:
    """The response as a visitor reads it: tags removed, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())
