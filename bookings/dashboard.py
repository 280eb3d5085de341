"""Bookings and cancelations made through the portal, per day, on the studio dashboard (``portal.dashboard``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import dashboard
from portal.dashboard import Chart
from portal.models import Studio

# The write actions of this app (services.classes, services.appointments) as the audit log names them.
BOOK_CLASS, BOOK_APPOINTMENT = "class.book", "appointment.book"
CANCEL_CLASS, CANCEL_APPOINTMENT = "class.cancel", "appointment.cancel"
ACTIONS = (BOOK_CLASS, BOOK_APPOINTMENT, CANCEL_CLASS, CANCEL_APPOINTMENT)


def register() -> None:
    dashboard.register_section("bookings", gettext_lazy("Bookings and cancelations"), build, order=20)
    dashboard.register_demo_history("bookings", demo_history)


def build(studio: Studio, start: date, end: date) -> list[Chart]:
    counts = dashboard.audit_per_day(studio, start, end, ACTIONS)
    day_list = dashboard.days(start, end)
    labels = dashboard.day_labels(day_list)

    def done(action: str, name: str) -> dashboard.Series:
        return dashboard.day_series(
            name, counts, day_list, lambda key: key[1] == action and dashboard.settled(key[2]) == "done"
        )

    def ended(state: str, name: str) -> dashboard.Series:
        return dashboard.day_series(name, counts, day_list, lambda key: dashboard.settled(key[2]) == state)

    return [
        Chart(
            _("Bookings per day"),
            "stacked",
            labels,
            [done(BOOK_CLASS, _("Classes")), done(BOOK_APPOINTMENT, _("Appointments"))],
            x_title=_("Day"),
            note=_("Bookings members made in the portal that the studio's system accepted."),
        ),
        Chart(
            _("Cancelations per day"),
            "stacked",
            labels,
            [done(CANCEL_CLASS, _("Classes")), done(CANCEL_APPOINTMENT, _("Appointments"))],
            x_title=_("Day"),
            note=_("Bookings members canceled in the portal."),
        ),
        Chart(
            _("Bookings and cancelations that did not go through, per day"),
            "stacked",
            labels,
            [
                ended("refused", _("Refused by the studio's system")),
                ended("failed", _("Not sent")),
                ended("unknown", _("Outcome still unknown")),
            ],
            x_title=_("Day"),
            note=_("Refused: for example full or too late. Not sent: the studio's system could not be reached."),
        ),
    ]


def demo_history(studio: Studio, today: date) -> None:
    dashboard.demo_page_views(
        studio,
        today,
        {
            "bookings-schedule": dashboard.Wave(80),
            "bookings-appointments": dashboard.Wave(12),
            "bookings-mine": dashboard.Wave(30),
        },
    )
    classes, appointments = dashboard.Wave(11), dashboard.Wave(3, weekend=0.3)
    cancel_classes, cancel_appointments = dashboard.Wave(3), dashboard.Wave(1, weekend=0.0)

    def plan(day: date, index: int) -> list[tuple[str, str, dict[str, Any]]]:
        member = {"actor": f"customer:{1000 + index % 17}"}
        rows = [(BOOK_CLASS, "done", {**member, "slot": 1})] * classes.on(day, index)
        rows += [(BOOK_APPOINTMENT, "done", {**member, "appointment": 1})] * appointments.on(day, index)
        rows += [(CANCEL_CLASS, "done", {**member, "booking": 1})] * cancel_classes.on(day, index)
        rows += [(CANCEL_APPOINTMENT, "done", {**member, "booking": 1})] * cancel_appointments.on(day, index)
        if index % 4 == 0:
            rows.append((BOOK_CLASS, "refused", {**member, "slot": 1}))
        if index % 19 == 3:
            rows.append((BOOK_CLASS, "failed", {**member, "slot": 1}))
        return [(action, outcome, dict(details)) for action, outcome, details in rows]

    dashboard.demo_audit(studio, today, plan)
