"""Reading the schedule's filters and the appointment day from the URL (shareable, deep-linkable).

Unknown or malformed values are ignored rather than answered with an error: a link from the
studio's website that names a category no longer offered still shows the schedule.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.http import QueryDict

from bookings.services import TIMES_OF_DAY, ScheduleFilters


class ScheduleFilterForm(forms.Form):
    day = forms.DateField(required=False)
    category = forms.CharField(required=False, max_length=80)
    instructor = forms.IntegerField(required=False)  # API ids are int64 and may be negative
    time = forms.ChoiceField(required=False, choices=[("", "")] + [(key, key) for key in TIMES_OF_DAY])


def schedule_filters(query: QueryDict) -> ScheduleFilters:
    form = ScheduleFilterForm(query)
    form.is_valid()
    data = form.cleaned_data  # only the fields that were valid
    return ScheduleFilters(
        day=data.get("day"),
        category=(data.get("category") or "").strip(),
        instructor=data.get("instructor"),
        time_of_day=data.get("time") or "",
    )


class DayForm(forms.Form):
    day = forms.DateField(required=False)


def chosen_day(query: QueryDict) -> date | None:
    form = DayForm(query)
    return form.cleaned_data.get("day") if form.is_valid() else None
