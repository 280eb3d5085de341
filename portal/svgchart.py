"""Dashboard charts as server-side SVG: no JavaScript, no inline styles, readable without the picture.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and summarised by its ``<desc>`` (totals and
highest values); the page puts the full numbers beside it in a table. Colours come from classes in
``static/portal/dashboard.css`` (``dash-s0`` ...), so the admin's dark theme can change them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.dashboard import Chart, tidy

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 18, 34
CHAR_WIDTH = 6.2  # at the 11px font the stylesheet sets: enough to keep labels apart
PALETTE_SIZE = 6
TICKS = 4


def colour_class(number: int) -> str:
    return f"dash-s{number % PALETTE_SIZE}"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is ``TICKS`` steps at or above ``value``."""
    if value <= 0:
        return float(TICKS)
    raw = value / TICKS
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            step = factor * power
            break
    if value < TICKS:  # small counts: whole steps
        step = 1
    return step * TICKS


def number(value: float, unit: str = "") -> str:
    text = str(tidy(value))
    return f"{text} {unit}" if unit else text


def summary(chart: Chart) -> str:
    """The ``<desc>``: what the chart shows, and per series its total (counts) and highest value."""
    if not chart.labels:
        return _("%(title)s: nothing to show in this range.") % {"title": chart.title}
    parts = [
        _("%(title)s, %(first)s to %(last)s.")
        % {"title": chart.title, "first": chart.labels[0], "last": chart.labels[-1]}
    ]
    if not chart.has_data:
        parts.append(_("No data in this range."))
    for series in chart.series if chart.has_data else ():
        peak = max(range(len(series.values)), key=lambda i: series.values[i])
        values = {
            "series": series.name,
            "total": number(sum(series.values), chart.unit),
            "highest": number(series.values[peak], chart.unit),
            "label": chart.labels[peak],
        }
        if chart.totals:
            parts.append(_("%(series)s: total %(total)s, highest %(highest)s (%(label)s).") % values)
        else:
            parts.append(_("%(series)s: highest %(highest)s (%(label)s).") % values)
    if chart.note:
        parts.append(chart.note)
    return " ".join(parts)


def _top(chart: Chart) -> float:
    if chart.kind == "stacked":
        sums = [sum(series.values[i] for series in chart.series) for i in range(len(chart.labels))]
        return max(sums, default=0)
    return max((value for series in chart.series for value in series.values), default=0)


def _x_labels(labels: Sequence[str], slot: float) -> tuple[int, bool, int]:
    """Which labels fit: every ``step``-th, turned (long category names) or not; and the bottom margin."""
    longest = max((len(label) for label in labels), default=0) * CHAR_WIDTH
    if longest + 6 <= slot:
        return 1, False, BOTTOM
    if len(labels) > 16:
        return math.ceil((longest + 12) / slot), False, BOTTOM
    return 1, True, int(min(170, longest * 0.7 + 24))


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else f"{label[: limit - 1]}…"


def render(chart: Chart, ident: str) -> SafeString:
    """The chart as an ``<svg>`` element; ``ident`` makes the ids of its title and description unique."""
    count = max(len(chart.labels), 1)
    slot = (WIDTH - LEFT - RIGHT) / count
    shortened = [_short(label) for label in chart.labels]
    step, turned, bottom = _x_labels(shortened, slot)
    height = HEIGHT - BOTTOM + bottom
    # A turned first label reaches left of the y axis labels: the picture grows to the left to keep it whole.
    reach = len(shortened[0]) * CHAR_WIDTH * math.cos(math.radians(40)) if turned and shortened else 0
    pad = max(0, math.ceil(reach - LEFT - slot / 2 + 4))
    plot_height = HEIGHT - TOP - BOTTOM
    ceiling = nice_ceiling(_top(chart))

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / ceiling)

    out = [
        f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" viewBox="{-pad} 0 {WIDTH + pad} {height}" '
        f'class="dash-chart dash-{chart.kind}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(summary(chart))}</desc>',
    ]
    for tick in range(TICKS + 1):
        value = ceiling * tick / TICKS
        out.append(
            f'<line class="dash-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="dash-tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{number(value)}</text>'
        )
    if chart.unit:
        out.append(
            f'<text class="dash-tick" x="{LEFT - 6}" y="{TOP - 6}" text-anchor="end">{escape(chart.unit)}</text>'
        )
    if chart.kind == "line":
        out.extend(_lines(chart, slot, y))
    else:
        out.extend(_bars(chart, slot, y))
    base = TOP + plot_height
    for index, label in enumerate(chart.labels):
        if index % step:
            continue
        x = LEFT + slot * (index + 0.5)
        if turned:
            out.append(
                f'<text class="dash-tick" x="{x:.1f}" y="{base + 12}" text-anchor="end" '
                f'transform="rotate(-40 {x:.1f} {base + 12})">{escape(_short(label))}</text>'
            )
        else:
            out.append(
                f'<text class="dash-tick" x="{x:.1f}" y="{base + 16}" text-anchor="middle">{escape(label)}</text>'
            )
    out.append(f'<line class="dash-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text in it went through escape(); numbers are ours)


def _point_title(chart: Chart, index: int, name: str, value: float) -> str:
    return f"<title>{escape(chart.labels[index])}: {escape(name)} {escape(number(value, chart.unit))}</title>"


def _bars(chart: Chart, slot: float, to_y: Callable[[float], float]) -> list[str]:
    out = []
    groups = 1 if chart.kind == "stacked" else max(len(chart.series), 1)
    width = slot * (0.7 if chart.kind == "stacked" else 0.8) / groups
    for index in range(len(chart.labels)):
        left = LEFT + slot * index + (slot - width * groups) / 2
        stacked = 0.0
        for number_, series in enumerate(chart.series):
            value = series.values[index]
            if not value:
                continue
            low = stacked if chart.kind == "stacked" else 0.0
            x = left if chart.kind == "stacked" else left + width * number_
            top, bottom = to_y(low + value), to_y(low)
            out.append(
                f'<rect class="{colour_class(number_)}" x="{x:.1f}" y="{top:.1f}" '
                f'width="{max(width, 1):.1f}" height="{max(bottom - top, 0.5):.1f}">'
                f"{_point_title(chart, index, series.name, value)}</rect>"
            )
            if chart.kind == "stacked":
                stacked += value
    return out


def _lines(chart: Chart, slot: float, to_y: Callable[[float], float]) -> list[str]:
    out = []
    for number_, series in enumerate(chart.series):
        points = [(LEFT + slot * (i + 0.5), to_y(value)) for i, value in enumerate(series.values)]
        path = " ".join(f"{x:.1f},{py:.1f}" for x, py in points)
        out.append(f'<polyline class="dash-line {colour_class(number_)}" points="{path}"/>')
        for index, (x, py) in enumerate(points):
            out.append(
                f'<circle class="dash-dot {colour_class(number_)}" cx="{x:.1f}" cy="{py:.1f}" r="2.5">'
                f"{_point_title(chart, index, series.name, series.values[index])}</circle>"
            )
    return out
