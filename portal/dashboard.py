"""The studio dashboard's framework: sections registered by each app, charts as data, shared counting helpers.

No app imports another and ``portal`` imports no app, so the dashboard cannot ask the apps for their
numbers: each app registers its sections in ``AppConfig.ready`` (``register_section``), each section
builds plain ``Chart`` values from its own rows, and the admin page (``portal.admin_dashboard``) renders
them as SVG with a table and a CSV export each. Demo history works the same way: each app registers a
filler for its own rows (``register_demo_history``) and ``load_demo_history`` runs them all.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import import_module
from typing import Any, Literal

from django.db import models
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from portal.models import AuditEntry, PageViewDay, Studio

Kind = Literal["bar", "line", "stacked"]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]


@dataclass(frozen=True)
class Chart:
    """One chart: ``labels`` along the x axis (named ``x_title``), one value per label in every series."""

    title: str
    kind: Kind
    labels: list[str]
    series: list[Series]
    x_title: str
    unit: str = ""
    note: str = ""
    # Totals make sense for counts, not for latencies: the summary then names the highest value only.
    totals: bool = True

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"{self.title}: {series.name} has {len(series.values)} values for {len(self.labels)}")

    @property
    def has_data(self) -> bool:
        return any(value for series in self.series for value in series.values)

    def header(self) -> list[str]:
        return [self.x_title, *(series.name for series in self.series)]

    def rows(self) -> list[list[str | float]]:
        """One row per label: the label, then each series' value (the table and the CSV export)."""
        return [
            [label, *(tidy(series.values[index]) for series in self.series)] for index, label in enumerate(self.labels)
        ]


def tidy(value: float) -> float:
    """Whole numbers without ".0", others to one decimal place."""
    return int(value) if float(value).is_integer() else round(value, 1)


Build = Callable[[Studio, date, date], list[Chart]]
Fill = Callable[[Studio, date], None]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    build: Build
    order: int = 100


_sections: dict[str, Section] = {}
_demo_history: dict[str, Fill] = {}
# portal's own sections (upstream health, page views): registered on first use, because the registry
# must not depend on the order in which apps are readied.
BUILTIN = "portal.dashboard_sections"


def register_section(key: str, title: Any, build: Build, *, order: int = 100) -> None:
    """Add (or replace) a section; ``build(studio, start, end)`` returns its charts for the inclusive range."""
    _sections[key] = Section(key, title, build, order)


def register_demo_history(key: str, fill: Fill) -> None:
    """``fill(studio, today)`` writes plausible history rows of the registering app for the demo studio."""
    _demo_history[key] = fill


def _builtin() -> None:
    import_module(BUILTIN).register()


def sections() -> list[Section]:
    _builtin()
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def section(key: str) -> Section | None:
    _builtin()
    return _sections.get(key)


def load_demo_history(studio: Studio, today: date | None = None) -> None:
    """Fill about eight weeks of history for every registered section (the demo studio only)."""
    _builtin()
    today = today or local_today(studio)
    for fill in _demo_history.values():
        fill(studio, today)


# --- time ranges in the studio's time zone ------------------------------------------------------------


def zone(studio: Studio) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(studio.timezone)


def local_today(studio: Studio) -> date:
    return timezone.localdate(timezone=zone(studio))


def default_range(studio: Studio) -> tuple[date, date]:
    """The last eight weeks: this week and the seven before it, Monday to today."""
    today = local_today(studio)
    return monday(today) - timedelta(weeks=7), today


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def weeks(start: date, end: date) -> list[date]:
    """The Mondays of every week that touches the range."""
    return days(monday(start), monday(end))[::7]


def bounds(studio: Studio, start: date, end: date) -> tuple[datetime, datetime]:
    """The range as aware datetimes: from the start of ``start`` to the start of the day after ``end``."""
    tz = zone(studio)
    return datetime.combine(start, time.min, tz), datetime.combine(end + timedelta(days=1), time.min, tz)


def per_day(
    queryset: models.QuerySet[Any], studio: Studio, start: date, end: date, when: str, *by: str
) -> Counter[tuple[Any, ...]]:
    """Rows counted per local day of ``when`` (and the fields ``by``): keys are (day, *values)."""
    lower, upper = bounds(studio, start, end)
    rows = (
        queryset.filter(**{f"{when}__gte": lower, f"{when}__lt": upper})
        .annotate(day=TruncDate(when, tzinfo=zone(studio)))
        .values("day", *by)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({(row["day"], *(row[name] for name in by)): row["n"] for row in rows})


def audit_per_day(studio: Studio, start: date, end: date, actions: Iterable[str]) -> Counter[tuple[Any, ...]]:
    """Audit entries per (day, action, outcome)."""
    entries = AuditEntry.objects.filter(studio=studio, action__in=list(actions))
    return per_day(entries, studio, start, end, "created_at", "action", "outcome")


def settled(outcome: str) -> str:
    """The write's state without the suffixes the audit adds ("failed:paused", "reconciled:done")."""
    parts = outcome.split(":")
    return parts[1] if parts[0] == "reconciled" and len(parts) > 1 else parts[0]


def day_series(
    name: str, counts: Counter[tuple[Any, ...]], day_list: Sequence[date], keep: Callable[[tuple[Any, ...]], bool]
) -> Series:
    """One value per day: the sum of the counts whose key (day, ...) ``keep`` accepts."""
    totals: Counter[date] = Counter()
    for key, n in counts.items():
        if keep(key):
            totals[key[0]] += n
    return Series(name, [totals[day] for day in day_list])


def day_labels(day_list: Sequence[date]) -> list[str]:
    return [day.isoformat() for day in day_list]


# --- demo history --------------------------------------------------------------------------------------


@contextmanager
def keeping_dates(model: type[models.Model], *names: str) -> Iterator[None]:
    """Let ``bulk_create`` keep the given dates of ``auto_now_add`` fields (history written for the demo).

    Django sets those fields to now on every insert; demo history needs dates in the past.
    """
    fields = [model._meta.get_field(name) for name in names]
    saved = [getattr(f, "auto_now_add", False) for f in fields]
    for f in fields:
        f.auto_now_add = False  # type: ignore[union-attr]
    try:
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value  # type: ignore[union-attr]


def at(studio: Studio, day: date, hour: int, minute: int = 0) -> datetime:
    """An aware moment on ``day`` in the studio's time zone."""
    return datetime.combine(day, time(hour % 24, minute % 60), zone(studio))


DEMO_MARK = "demo_history"


def demo_audit(studio: Studio, today: date, plan: Callable[[date, int], list[tuple[str, str, dict[str, Any]]]]) -> None:
    """Replace the demo's audit history: ``plan(day, index)`` returns the (action, outcome, details) of a day.

    Rows carry ``details["demo_history"]`` so a second run replaces them instead of adding more; the
    actions ``plan`` returns are the only ones touched.
    """
    rows: list[AuditEntry] = []
    actions: set[str] = set()
    for index, day in enumerate(days(today - timedelta(weeks=9), today)):
        for number, (action, outcome, details) in enumerate(plan(day, index)):
            actions.add(action)
            rows.append(
                AuditEntry(
                    studio=studio,
                    created_at=at(studio, day, 7 + (number * 7 + index) % 14, (number * 13) % 60),
                    actor=str(details.pop("actor", "anonymous")),
                    action=action,
                    outcome=outcome,
                    details={**details, DEMO_MARK: True},
                )
            )
    AuditEntry.objects.filter(studio=studio, action__in=actions, details__demo_history=True).delete()
    with keeping_dates(AuditEntry, "created_at"):
        AuditEntry.objects.bulk_create(rows, batch_size=500)


@dataclass(frozen=True)
class Wave:
    """A plausible daily count: a base, a weekly rhythm and a slow rise, without randomness (tests repeat)."""

    base: float
    weekend: float = 0.6
    rise: float = 0.15
    extra: list[int] = field(default_factory=lambda: [0, 1, 0, 2, 1, 0, 1])

    def on(self, day: date, index: int) -> int:
        weekly = self.weekend if day.weekday() >= 5 else 1.0
        return max(0, round(self.base * weekly * (1 + self.rise * index / 63)) + self.extra[index % 7] - 1)


def page_views(studio: Studio, start: date, end: date, pages: Iterable[str] | None = None) -> Counter[tuple[Any, ...]]:
    """Page views per (day, page) from ``PageViewDay``; ``pages`` limits them to those route names."""
    rows = PageViewDay.objects.filter(studio=studio, day__gte=start, day__lte=end)
    if pages is not None:
        rows = rows.filter(page__in=list(pages))
    found: Counter[tuple[Any, ...]] = Counter()
    for day, page, views in rows.values_list("day", "page", "views"):
        found[(day, page)] += views
    return found


def demo_page_views(studio: Studio, today: date, pages: dict[str, Wave]) -> None:
    """Write (or overwrite) the demo's page views of ``pages`` for the last nine weeks."""
    rows = [
        PageViewDay(studio=studio, day=day, page=page, views=wave.on(day, index))
        for index, day in enumerate(days(today - timedelta(weeks=9), today))
        for page, wave in pages.items()
    ]
    PageViewDay.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["studio", "day", "page"], update_fields=["views"], batch_size=500
    )
