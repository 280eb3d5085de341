"""The trial funnel on the studio dashboard (``portal.dashboard``): page views, forms, leads and bookings per week."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import dashboard
from portal.dashboard import Chart, Series, Wave
from portal.models import Studio
from trialoffers.models import BookingStatus, FunnelWeek, Lead, LeadCreation, LeadStatus, OfferKind, TrialBooking

# The journey's public pages, by route name (PageViewDay.page).
PAGES = {
    "trialoffers:offers": gettext_lazy("Trial offers"),
    "trialoffers:class": gettext_lazy("Class offer"),
    "trialoffers:appointment": gettext_lazy("Appointment offer"),
}
# A booking the API made, whatever became of it later.
MADE = (
    BookingStatus.BOOKED,
    BookingStatus.WAITING_LIST,
    BookingStatus.CONFIRMATION_PENDING,
    BookingStatus.CONFIRMED,
    BookingStatus.EXPIRED,
)
DEMO_JOURNEY = "demo-history-"


def register() -> None:
    dashboard.register_section("trial", gettext_lazy("Trial funnel"), build, order=10)
    dashboard.register_demo_history("trialoffers", demo_history)


def _per_week(counts: Counter[tuple[Any, ...]]) -> Counter[date]:
    found: Counter[date] = Counter()
    for (day, *_rest), n in counts.items():
        found[dashboard.monday(day)] += n
    return found


def build(studio: Studio, start: date, end: date) -> list[Chart]:
    week_list = dashboard.weeks(start, end)
    labels = [week.isoformat() for week in week_list]
    views: Counter[tuple[str, date]] = Counter()
    for (day, page), n in dashboard.page_views(studio, start, end, PAGES).items():
        views[(page, dashboard.monday(day))] += n
    per_page = [Series(str(name), [views[(page, week)] for week in week_list]) for page, name in PAGES.items()]
    funnel = {row.week_start: row for row in FunnelWeek.objects.filter(studio=studio, week_start__in=week_list)}
    made_rows = TrialBooking.objects.filter(lead__studio=studio, status__in=MADE)
    bookings = _per_week(dashboard.per_day(made_rows, studio, start, end, "created_at"))

    def step(name: str) -> list[float]:
        return [getattr(funnel[week], name) if week in funnel else 0 for week in week_list]

    week_note = _("Weeks start on Monday; the first and last week may lie partly outside the range.")
    members_note = _(
        "Leads who later became members are not shown: the portal does not learn about memberships signed in the "
        "studio."
    )
    leads = Series(_("Leads"), step("leads_created"))
    made = Series(_("Bookings"), [bookings[week] for week in week_list])
    confirmed = Series(_("Confirmed bookings"), step("bookings_confirmed"))
    return [
        Chart(
            _("Trial pages viewed per week"),
            "stacked",
            labels,
            per_page,
            x_title=_("Week starting"),
            note=week_note,
        ),
        Chart(
            _("Trial funnel per week"),
            "bar",
            labels,
            [
                Series(_("Offers viewed"), step("offers_viewed")),
                Series(_("Forms started"), step("forms_started")),
                leads,
                made,
                confirmed,
            ],
            x_title=_("Week starting"),
            note=" ".join([week_note, members_note]),
        ),
        Chart(
            _("Leads and bookings per week"),
            "bar",
            labels,
            [leads, made, confirmed],
            x_title=_("Week starting"),
            note=_("The end of the funnel on its own scale. Bookings: every trial booking made, confirmed or not."),
        ),
    ]


def demo_history(studio: Studio, today: date) -> None:
    """Nine weeks of trial page views, funnel counts and (anonymous) leads with their bookings."""
    dashboard.demo_page_views(
        studio,
        today,
        {"trialoffers:offers": Wave(40), "trialoffers:class": Wave(22), "trialoffers:appointment": Wave(9)},
    )
    first = dashboard.monday(today - timedelta(weeks=9))
    week_list = dashboard.weeks(first, today)
    leads_per_week = {week: 4 + (index * 3) % 5 for index, week in enumerate(week_list)}
    FunnelWeek.objects.bulk_create(
        [
            FunnelWeek(
                studio=studio,
                week_start=week,
                offers_viewed=260 + 15 * index,
                forms_started=30 + (index * 7) % 12,
                leads_created=leads_per_week[week],
                bookings_confirmed=max(leads_per_week[week] - 2, 1),
            )
            for index, week in enumerate(week_list)
        ],
        update_conflicts=True,
        unique_fields=["studio", "week_start"],
        update_fields=["offers_viewed", "forms_started", "leads_created", "bookings_confirmed"],
    )
    _demo_leads(studio, today, leads_per_week)


def _demo_leads(studio: Studio, today: date, leads_per_week: dict[date, int]) -> None:
    """Leads as they look after the retention period: no names or addresses, only what was booked when."""
    leads: list[Lead] = []
    bookings: list[tuple[str, dict[str, Any]]] = []
    for week, count in leads_per_week.items():
        for number in range(count):
            day = min(week + timedelta(days=number % 7), today)
            created = dashboard.at(studio, day, 9 + number * 2)
            status = BookingStatus.CONFIRMED if number < count - 2 else BookingStatus.EXPIRED
            lead = Lead(
                studio=studio,
                journey=f"{DEMO_JOURNEY}{day.isoformat()}-{number}",
                created_at=created,
                offer_kind=OfferKind.CLASS,
                offer_id=1,
                offer_title="Probetraining",  # demo data, in the demo studio's language
                config_id=1,
                creation=LeadCreation.CREATED,
                status=LeadStatus(status.value),
                anonymised_at=created,
            )
            leads.append(lead)
            starts = created + timedelta(days=2)
            booking = {
                "slot_key": f"demo-{number}",
                "created_at": created,
                "kind": OfferKind.CLASS,
                "offer_id": 1,
                "offer_title": lead.offer_title,
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=1),
                "status": status,
                "confirmed_at": created if status == BookingStatus.CONFIRMED else None,
            }
            bookings.append((lead.journey, booking))
    with transaction.atomic():
        Lead.objects.filter(studio=studio, journey__startswith=DEMO_JOURNEY).delete()
        with dashboard.keeping_dates(Lead, "created_at"):
            Lead.objects.bulk_create(leads)
        # Not every database returns ids from bulk_create: the bookings find their leads by journey.
        ids = dict(Lead.objects.filter(studio=studio, journey__startswith=DEMO_JOURNEY).values_list("journey", "pk"))
        with dashboard.keeping_dates(TrialBooking, "created_at"):
            TrialBooking.objects.bulk_create([TrialBooking(lead_id=ids[journey], **row) for journey, row in bookings])
