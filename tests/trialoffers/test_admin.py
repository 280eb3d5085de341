"""Staff see every lead with its bookings and status, filter, search, export, and the funnel per week."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.trialoffers.test_services import book, first_slot, lead
from trialoffers import services
from trialoffers.models import BookingStatus, FunnelWeek, Lead, TrialBooking


@pytest.fixture
def admin_client(admin_client):
    """Staff reading admin in English."""
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


@pytest.fixture
def leads(demo_studio, morning):
    """Three journeys: one booked (Zumba), one waiting for confirmation (Hatha), one duplicate (Mia)."""
    book(demo_studio, first_slot(demo_studio, "Zumba"), lead("lea@example.org"))
    book(demo_studio, first_slot(demo_studio, "Hatha Yoga"), lead("leo@example.org", first_name="Leo"))
    book(demo_studio, first_slot(demo_studio, "Pilates Mat"), lead("mia@example.com", first_name="Mia"))
    return Lead.objects.all()


def test_lead_list_shows_status_and_reason(admin_client, leads):
    html = admin_client.get("/admin/trialoffers/lead/").content.decode()
    assert "lea@example.org" in html and "leo@example.org" in html and "mia@example.com" in html
    assert "confirmation pending" in html and "booked" in html
    assert "DUPLICATE_CUSTOMER: You are already registered with us" in html


def test_filters_by_status_offer_and_date(admin_client, leads):
    by_status = admin_client.get("/admin/trialoffers/lead/?status=failed").content.decode()
    assert "mia@example.com" in by_status and "lea@example.org" not in by_status
    by_offer = admin_client.get("/admin/trialoffers/lead/?offer=Zumba").content.decode()
    assert "lea@example.org" in by_offer and "leo@example.org" not in by_offer
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)  # as the filter's own links
    period = urlencode({"created_at__gte": str(today), "created_at__lt": str(today + timedelta(days=1))})
    by_date = admin_client.get(f"/admin/trialoffers/lead/?{period}").content.decode()
    assert "lea@example.org" in by_date


def test_search_by_email_and_booking_id(admin_client, leads):
    assert "leo@example.org" in admin_client.get("/admin/trialoffers/lead/?q=leo@").content.decode()
    booking_id = TrialBooking.objects.get(status=BookingStatus.BOOKED).booking_id
    found = admin_client.get(f"/admin/trialoffers/lead/?q={booking_id}").content.decode()
    assert "lea@example.org" in found and "leo@example.org" not in found


def test_lead_page_shows_its_bookings(admin_client, leads):
    leo = Lead.objects.get(email="leo@example.org")
    html = admin_client.get(f"/admin/trialoffers/lead/{leo.pk}/change/").content.decode()
    assert "Hatha Yoga" in html and "confirmation pending" in html


def test_csv_export(admin_client, leads):
    response = admin_client.post(
        "/admin/trialoffers/lead/",
        {"action": "export_csv", "_selected_action": [lead.pk for lead in leads]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["email"] for row in rows} == {"lea@example.org", "leo@example.org", "mia@example.com"}
    zumba = next(row for row in rows if row["email"] == "lea@example.org")
    assert zumba["status"] == "booked" and zumba["booking_status"] == "booked" and zumba["offer"] == "Zumba"


def test_csv_neutralises_formulas(admin_client, demo_studio, morning):
    book(demo_studio, first_slot(demo_studio, "Zumba"), lead("f@example.org", first_name="=HYPERLINK(1)"))
    response = admin_client.post(
        "/admin/trialoffers/lead/", {"action": "export_csv", "_selected_action": [Lead.objects.get().pk]}
    )
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_overdue_confirmations_show_as_expired(admin_client, leads):
    booking = TrialBooking.objects.get(status=BookingStatus.CONFIRMATION_PENDING)
    TrialBooking.objects.filter(pk=booking.pk).update(confirm_by=timezone.now() - timedelta(minutes=1))
    html = admin_client.get("/admin/trialoffers/lead/?status=expired").content.decode()
    assert "leo@example.org" in html


def test_funnel_summary_per_studio_and_week(admin_client, demo_studio, leads):
    services.count_offer_view(demo_studio)
    services.count_offer_view(demo_studio)
    services.count_form_started(demo_studio, "journey-a")
    week = FunnelWeek.objects.get()
    assert (week.offers_viewed, week.forms_started, week.leads_created, week.bookings_confirmed) == (2, 1, 2, 1)
    html = admin_client.get("/admin/trialoffers/funnelweek/").content.decode()
    assert f"{week.week_start:%G-W%V}" in html and "50.0 %" in html


def test_funnel_weeks_start_on_monday(demo_studio):
    from datetime import date

    FunnelWeek.bump(demo_studio, "offers_viewed", day=date(2026, 11, 26))  # a Thursday
    FunnelWeek.bump(demo_studio, "offers_viewed", day=date(2026, 11, 29))  # the Sunday after
    assert FunnelWeek.objects.get().week_start == date(2026, 11, 23)
    with pytest.raises(ValueError):
        FunnelWeek.bump(demo_studio, "made_up")


def test_staff_cannot_edit_leads(admin_client, leads):
    assert admin_client.get("/admin/trialoffers/lead/add/").status_code == 403


def test_anonymise_command(demo_studio, leads, capsys):
    Lead.objects.update(created_at=timezone.now() - timedelta(days=demo_studio.lead_retention_days + 1))
    call_command("anonymise_leads", "--dry-run")
    assert "3 lead(s) and 0 voucher redemption(s) would be anonymised." in capsys.readouterr().out
    assert Lead.objects.filter(email="").count() == 0
    call_command("anonymise_leads")
    assert "3 lead(s) and 0 voucher redemption(s) anonymised." in capsys.readouterr().out
    assert Lead.objects.filter(email="", first_name="", anonymised_at__isnull=False).count() == 3
    assert Lead.objects.filter(status="booked").count() == 1  # the record of what happened stays
