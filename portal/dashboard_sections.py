"""portal's own dashboard sections: page views of every studio page, and the health of the upstream API.

Both read the daily counters ``PageViewDay`` and ``UpstreamDay`` (``portal.counting`` fills them).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import dashboard
from portal.dashboard import Chart, Series, Wave
from portal.models import Studio, UpstreamDay

# Category charts name at most this many pages or operations: beyond that the labels stop being readable.
MOST = 15


def register() -> None:
    dashboard.register_section("pages", gettext_lazy("Page views"), page_views, order=60)
    dashboard.register_section("upstream", gettext_lazy("Upstream health"), upstream_health, order=70)
    dashboard.register_demo_history("portal", demo_history)


def _area(page: str) -> str:
    """The part of the portal a route belongs to: its namespace, or the prefix of its name."""
    head = page.split(":", 1)[0] if ":" in page else page.split("-", 1)[0]
    return head or page


def _in_area(area: str) -> Callable[[tuple[Any, ...]], bool]:
    return lambda key: _area(key[1]) == area


def page_views(studio: Studio, start: date, end: date) -> list[Chart]:
    counts = dashboard.page_views(studio, start, end)
    day_list = dashboard.days(start, end)
    areas = sorted({_area(page) for _day, page in counts})
    per_area = [dashboard.day_series(area, counts, day_list, _in_area(area)) for area in areas]
    per_page: Counter[str] = Counter()
    for (_day, page), views in counts.items():
        per_page[page] += views
    top = per_page.most_common(MOST)
    return [
        Chart(
            _("Page views per day"),
            "stacked",
            dashboard.day_labels(day_list),
            per_area or [Series(_("Views"), [0] * len(day_list))],
            x_title=_("Day"),
            note=_("Each colour is one part of the portal (the first part of the page's route name)."),
        ),
        Chart(
            _("Most viewed pages"),
            "bar",
            [page for page, _views in top],
            [Series(_("Views"), [views for _page, views in top])],
            x_title=_("Page"),
            note=_("The %(count)s pages with the most views in this range, by route name.") % {"count": MOST},
        ),
    ]


def upstream_health(studio: Studio, start: date, end: date) -> list[Chart]:
    rows = UpstreamDay.objects.filter(studio=studio, day__gte=start, day__lte=end)
    per_operation = list(
        rows.values("operation")
        .annotate(
            calls=Sum("calls"),
            errors=Sum("errors"),
            limited=Sum("rate_limited"),
            ms=Sum("total_ms"),
            longest=Max("max_ms"),
        )
        .order_by("-calls", "operation")[:MOST]
    )
    names = [row["operation"] for row in per_operation]
    daily: defaultdict[date, Counter[str]] = defaultdict(Counter)
    for day, calls, errors, limited in rows.values_list("day", "calls", "errors", "rate_limited"):
        daily[day].update({"calls": calls, "errors": errors, "limited": limited})
    day_list = dashboard.days(start, end)
    errors_note = _("Errors are all answers but a success, and no answer at all; they include the 429s.")
    calls_name, errors_name, limited_name = _("Calls"), _("Errors"), _("Rate limited (429)")
    return [
        Chart(
            _("Upstream calls per operation"),
            "bar",
            names,
            [Series(calls_name, [row["calls"] for row in per_operation])],
            x_title=_("Operation"),
            note=_("The %(count)s operations called most in this range.") % {"count": MOST},
        ),
        Chart(
            _("Upstream errors per operation"),
            "bar",
            names,
            [
                Series(errors_name, [row["errors"] for row in per_operation]),
                Series(limited_name, [row["limited"] for row in per_operation]),
            ],
            x_title=_("Operation"),
            note=errors_note,
        ),
        Chart(
            _("Upstream response time per operation"),
            "bar",
            names,
            [
                Series(_("Average"), [row["ms"] / row["calls"] if row["calls"] else 0 for row in per_operation]),
                Series(_("Longest"), [row["longest"] or 0 for row in per_operation]),
            ],
            x_title=_("Operation"),
            unit="ms",
            totals=False,
        ),
        Chart(
            _("Upstream calls per day"),
            "line",
            dashboard.day_labels(day_list),
            [Series(calls_name, [daily[day]["calls"] for day in day_list])],
            x_title=_("Day"),
        ),
        Chart(
            _("Upstream errors per day"),
            "bar",
            dashboard.day_labels(day_list),
            [
                Series(errors_name, [daily[day]["errors"] for day in day_list]),
                Series(limited_name, [daily[day]["limited"] for day in day_list]),
            ],
            x_title=_("Day"),
            note=errors_note,
        ),
    ]


# Operations the demo's members and leads cause most, with calls on a weekday and typical milliseconds.
DEMO_OPERATIONS = {
    "getClassSlotsForMultipleClasses": (120, 180),
    "getActiveClasses": (60, 90),
    "getClassBookingsByCustomerId": (45, 140),
    "bookClassSlot": (14, 260),
    "validateClassSlot": (14, 120),
    "getBookableTrialOfferClasses": (30, 150),
    "createLeadCustomer": (3, 320),
    "getContractData": (12, 110),
    "searchCustomers": (6, 210),
}


def demo_history(studio: Studio, today: date) -> None:
    dashboard.demo_page_views(studio, today, {"studio-home": Wave(90, weekend=0.8)})
    rows = []
    for index, day in enumerate(dashboard.days(today - timedelta(weeks=9), today)):
        for number, (operation, (base, ms)) in enumerate(DEMO_OPERATIONS.items()):
            calls = Wave(base).on(day, index)
            limited = 3 if (index + number) % 23 == 0 else 0  # a few busy minutes, now and then
            errors = limited + (1 if (index * 7 + number) % 11 == 0 else 0)
            longest = ms * (4 if limited else 2) + (index * 37 + number * 11) % 200
            rows.append(
                UpstreamDay(
                    studio=studio,
                    day=day,
                    operation=operation,
                    calls=calls,
                    errors=min(errors, calls),
                    rate_limited=min(limited, calls),
                    total_ms=calls * (ms + (index % 5) * 6),
                    max_ms=longest if calls else 0,
                )
            )
    UpstreamDay.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["studio", "day", "operation"],
        update_fields=["calls", "errors", "rate_limited", "total_ms", "max_ms"],
        batch_size=500,
    )
