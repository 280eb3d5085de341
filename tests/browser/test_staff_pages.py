"""Staff's own pages in admin: the studio dashboard (charts with tables) and the studio's setup page pass axe
(WCAG 2.1 A/AA) with the demo history, in German, and their charts draw inside the page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from portal.models import Studio
from tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_session(page, live_demo):
    call_command("load_demo", "--no-admin", "--history", verbosity=0)
    User.objects.create_superuser("staff", "staff@example.org", "staff-password")
    page.goto(f"{live_demo.url}/admin/login/")
    page.get_by_label("Benutzername").fill("staff")
    page.get_by_label("Passwort").fill("staff-password")
    page.get_by_role("button", name="Anmelden").click()
    page.problems.ignore("404")  # Django's admin has no favicon
    return Studio.objects.get(slug="demo")


def test_the_dashboard_is_accessible_and_every_chart_fits(page, live_demo, staff_session):
    page.goto(f"{live_demo.url}/admin/dashboard/{staff_session.pk}/")
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 10
    assert page.locator("table caption").count() >= charts.count()  # a table beside every chart
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 60
    assert_accessible(page, "the studio dashboard")
    page.problems.assert_none()


def test_the_setup_page_is_accessible(page, live_demo, staff_session):
    page.goto(f"{live_demo.url}/admin/portal/studio/{staff_session.pk}/change/")
    page.get_by_role("heading", name="Checkliste zur Einrichtung").wait_for()
    assert_accessible(page, "the studio's setup page")
    page.problems.assert_none()
