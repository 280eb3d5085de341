"""The studio dashboard in admin: every registered section for a date range, and each chart as CSV.

Staff see the dashboards of their own studios only (``portal.admin_scope.studios_of``); any other
studio answers 404, as in the rest of the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal import dashboard, svgchart
from portal.admin_scope import studios_of
from portal.dashboard import Chart
from portal.exports import csv_response
from portal.models import Studio


def a_year_after(day: date) -> date:
    """The same date a year later (29 February: 1 March); a range ends before it."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


class DateInput(forms.DateInput):
    input_type = "date"


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput(format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), widget=DateInput(format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date must not be before the start date."))
            elif end >= a_year_after(start):
                self.add_error("end", _("Choose a range of at most one year."))
        return data


@dataclass(frozen=True)
class ChartView:
    chart: Chart
    ident: str
    svg: str
    csv_url: str

    @property
    def legend(self) -> list[tuple[str, str]]:
        """(colour class, series name), as the chart colours its series."""
        return [(svgchart.colour_class(n), series.name) for n, series in enumerate(self.chart.series)]


@dataclass(frozen=True)
class SectionView:
    key: str
    title: str
    charts: list[ChartView]


def _studio(request: HttpRequest, studio_id: int) -> Studio:
    """The studio if this user may see it; another studio's dashboard answers like a missing one."""
    studio = studios_of(request.user).filter(pk=studio_id).first()
    if studio is None:
        raise Http404
    return studio


def _range(request: HttpRequest, studio: Studio) -> tuple[RangeForm, date, date]:
    start, end = dashboard.default_range(studio)
    if "start" not in request.GET and "end" not in request.GET:
        return RangeForm(initial={"start": start, "end": end}), start, end
    form = RangeForm(request.GET)
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


def dashboard_view(request: HttpRequest, studio_id: int) -> HttpResponse:
    studio = _studio(request, studio_id)
    form, start, end = _range(request, studio)
    sections = [] if form.errors else _sections(studio, start, end)
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard: %(studio)s") % {"studio": studio.name},
        "studio": studio,
        "studio_opts": Studio._meta,
        "form": form,
        "start": start,
        "end": end,
        "sections": sections,
    }
    return render(request, "admin/portal/dashboard.html", context, status=400 if form.errors else 200)


def _sections(studio: Studio, start: date, end: date) -> list[SectionView]:
    query = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    views = []
    for section in dashboard.sections():
        charts = []
        for index, chart in enumerate(section.build(studio, start, end)):
            ident = f"chart-{section.key}-{index}"
            url = reverse("studio-dashboard-csv", args=[studio.pk, section.key, index])
            charts.append(ChartView(chart, ident, svgchart.render(chart, ident), f"{url}?{query}"))
        views.append(SectionView(section.key, str(section.title), charts))
    return views


def dashboard_csv(request: HttpRequest, studio_id: int, section: str, chart: int) -> HttpResponse:
    studio = _studio(request, studio_id)
    form, start, end = _range(request, studio)
    if form.errors:
        return HttpResponse(_("Choose a valid date range."), status=400, content_type="text/plain; charset=utf-8")
    found = dashboard.section(section)
    charts = found.build(studio, start, end) if found else []
    if not 0 <= chart < len(charts):
        raise Http404
    filename = f"{studio.slug}-{section}-{chart + 1}-{start.isoformat()}-{end.isoformat()}.csv"
    return csv_response(filename, charts[chart].header(), charts[chart].rows())
