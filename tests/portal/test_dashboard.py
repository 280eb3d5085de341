"""The studio dashboard in admin: every section's charts with their tables, CSV exports, the date range, scoping."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from portal import dashboard, svgchart
from portal.dashboard import Chart, Series
from portal.models import AuditEntry, PageViewDay, Studio, UpstreamDay, Write
from selfservice.models import OnlineCancelation
from trialoffers.models import FunnelWeek


@pytest.fixture
def history_studio(demo_studio) -> Studio:
    """The demo studio with its dashboard history, as `make run` loads it."""
    call_command("load_demo", "--no-admin", "--history", verbosity=0)
    return demo_studio


@pytest.fixture
def superuser_client(admin_client):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


def page_url(studio: Studio, **query: str) -> str:
    url = reverse("studio-dashboard", args=[studio.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def chart_blocks(html: str) -> list[str]:
    return html.split('<article class="dash-chart-block"')[1:]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_section_renders_for_the_demo_studio_with_data(superuser_client, history_studio):
    response = superuser_client.get(page_url(history_studio))

    assert response.status_code == 200
    html = response.content.decode()
    keys = [section.key for section in dashboard.sections()]
    assert {"trial", "bookings", "cancelations", "idle", "signins", "pages", "upstream"} <= set(keys)
    for key in keys:
        assert f'<h2 id="section-{key}">' in html
    blocks = chart_blocks(html)
    start, end = dashboard.default_range(history_studio)
    expected = sum(len(section.build(history_studio, start, end)) for section in dashboard.sections())
    assert len(blocks) == expected
    for block in blocks:
        ident = re.search(r'aria-labelledby="(chart-[\w-]+)-heading"', block).group(1)
        svg = re.search(r"<svg .*?</svg>", block, re.S).group(0)
        root = ET.fromstring(svg)  # well-formed, so browsers and screen readers read it as drawn
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{ident}-title {ident}-desc"
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(f"{ns}title").text and root.find(f"{ns}desc").text
        assert f'<caption id="{ident}-caption">' in block
        assert '<th scope="col">' in block and '<th scope="row">' in block
        cells = re.findall(r"<td>([^<]*)</td>", block)
        assert any(cell.strip() not in ("0", "") for cell in cells), f"{ident} shows no data"
        assert ".csv?start=" in block


def test_the_page_keeps_to_its_stylesheet_and_runs_no_script(superuser_client, history_studio):
    html = superuser_client.get(page_url(history_studio)).content.decode()
    main = html.split('<div id="content-main" class="dash">', 1)[1]

    assert "portal/dashboard.css" in html
    assert "<script" not in main and "style=" not in main


def test_the_funnel_csv_has_a_row_per_week_with_the_counts(superuser_client, history_studio):
    start, end = dashboard.default_range(history_studio)
    url = reverse("studio-dashboard-csv", args=[history_studio.pk, "trial", 1])

    response = superuser_client.get(url, {"start": start.isoformat(), "end": end.isoformat()})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Week starting", "Offers viewed", "Forms started", "Leads", "Bookings", "Confirmed bookings"]
    weeks = dashboard.weeks(start, end)
    assert [row[0] for row in rows[1:]] == [week.isoformat() for week in weeks]
    first = FunnelWeek.objects.get(studio=history_studio, week_start=weeks[0])
    assert rows[1][1:4] == [str(first.offers_viewed), str(first.forms_started), str(first.leads_created)]


def test_csv_cells_cannot_run_as_formulas(superuser_client, demo_studio):
    Write.objects.create(
        studio=demo_studio,
        key="3f0c6f0e-1d7a-4c55-9d6c-1a2b3c4d5e6f",
        actor="customer:1",
        action="cancelation",
        state=Write.State.DONE,
        details={"reason_id": 77},
        result={"reason": '=HYPERLINK("https://evil.example","x")'},
    )
    AuditEntry.objects.create(
        studio=demo_studio, actor="customer:1", action="cancelation", outcome="done", details={"reason_id": 77}
    )
    url = reverse("studio-dashboard-csv", args=[demo_studio.pk, "cancelations", 2])

    rows = csv_rows(superuser_client.get(url))

    assert rows[0] == ["Reason", "Cancelations"]
    assert rows[1] == ['\'=HYPERLINK("https://evil.example","x")', "1"]


def test_a_chart_that_does_not_exist_answers_404(superuser_client, demo_studio):
    for section, chart in (("trial", 9), ("nothing", 0)):
        url = reverse("studio-dashboard-csv", args=[demo_studio.pk, section, chart])
        assert superuser_client.get(url).status_code == 404


def test_without_a_choice_the_range_is_this_week_and_the_seven_before(superuser_client, demo_studio):
    html = superuser_client.get(page_url(demo_studio)).content.decode()

    start, end = dashboard.default_range(demo_studio)
    assert start.weekday() == 0 and (end - start).days < 56 and end == dashboard.local_today(demo_studio)
    assert f'value="{start.isoformat()}"' in html and f'value="{end.isoformat()}"' in html


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-05-10", "2026-05-01", "The end date must not be before the start date."),
        ("2025-01-01", "2026-01-01", "Choose a range of at most one year."),
        ("2026-02-31", "2026-03-01", "Enter a valid date."),
    ],
)
def test_a_wrong_range_is_explained_and_the_input_kept(superuser_client, demo_studio, start, end, message):
    response = superuser_client.get(page_url(demo_studio, start=start, end=end))

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{start}"' in html and f'value="{end}"' in html
    assert '<article class="dash-chart-block"' not in html
    csv_url = reverse("studio-dashboard-csv", args=[demo_studio.pk, "trial", 0])
    assert superuser_client.get(csv_url, {"start": start, "end": end}).status_code == 400


def test_a_chosen_range_is_shown(superuser_client, history_studio):
    end = dashboard.local_today(history_studio)
    start = end - timedelta(days=6)

    html = superuser_client.get(page_url(history_studio, start=start.isoformat(), end=end.isoformat())).content.decode()

    block = next(b for b in chart_blocks(html) if 'id="chart-bookings-0-heading"' in b)
    assert len(re.findall(r'<th scope="row">', block)) == 7


def test_staff_see_the_dashboard_of_their_studio_only(client, django_user_model, demo_studio):
    other = Studio.objects.create(name="Other Studio", slug="other")
    alice = django_user_model.objects.create_user("alice", password="unused-password", is_staff=True)
    demo_studio.staff.add(alice)
    client.force_login(alice)

    assert client.get(page_url(demo_studio)).status_code == 200
    assert client.get(page_url(other)).status_code == 404
    assert client.get(reverse("studio-dashboard-csv", args=[other.pk, "trial", 0])).status_code == 404


def test_people_who_are_not_staff_are_sent_to_the_admin_sign_in(client, django_user_model, demo_studio):
    member = django_user_model.objects.create_user("mia", password="unused-password")
    demo_studio.staff.add(member)
    client.force_login(member)

    response = client.get(page_url(demo_studio))

    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_the_demo_history_replaces_itself_when_loaded_again(history_studio):
    counts = (
        AuditEntry.objects.filter(studio=history_studio).count(),
        OnlineCancelation.objects.filter(studio=history_studio).count(),
        PageViewDay.objects.filter(studio=history_studio).count(),
        UpstreamDay.objects.filter(studio=history_studio).count(),
        FunnelWeek.objects.filter(studio=history_studio).count(),
    )

    call_command("load_demo", "--no-admin", "--history", verbosity=0)

    assert counts[0] > 500 and all(counts)
    assert counts == (
        AuditEntry.objects.filter(studio=history_studio).count(),
        OnlineCancelation.objects.filter(studio=history_studio).count(),
        PageViewDay.objects.filter(studio=history_studio).count(),
        UpstreamDay.objects.filter(studio=history_studio).count(),
        FunnelWeek.objects.filter(studio=history_studio).count(),
    )


def test_the_demo_without_history_keeps_the_audit_log_empty(demo_studio):
    assert not AuditEntry.objects.filter(studio=demo_studio).exists()


@translation.override("en")
def test_the_description_sums_up_each_series_and_escapes_names():
    chart = Chart("Calls <b>", "bar", ["a", "b"], [Series("x & y", [1, 3])], x_title="Op", unit="ms")

    svg = svgchart.render(chart, "c1")

    assert "Calls &lt;b&gt;, a to b." in svg
    assert "x &amp; y: total 4 ms, highest 3 ms (b)." in svg
    ET.fromstring(svg)


@translation.override("en")
def test_a_chart_without_data_says_so():
    chart = Chart("Empty", "line", ["2026-01-01"], [Series("x", [0])], x_title="Day")

    assert "No data in this range." in svgchart.render(chart, "c2")


def test_a_whole_year_is_allowed(superuser_client, demo_studio):
    response = superuser_client.get(page_url(demo_studio, start="2025-01-01", end="2025-12-31"))

    assert response.status_code == 200
    assert len(chart_blocks(response.content.decode())) > 0


def test_the_page_renders_in_german(admin_client, history_studio):
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"

    response = admin_client.get(page_url(history_studio))

    assert response.status_code == 200 and 'lang="de"' in response.content.decode()
