"""A member picks an appointment type and a day, books a free time, sees it in "My bookings" and cancels it."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_schedule_booking import sign_in_as

pytestmark = pytest.mark.browser


def test_book_and_cancel_an_appointment(page, live_demo, screenshot):
    sign_in_as(page, live_demo, "mia@example.com")
    page.goto(f"{live_demo.url}/s/demo/appointments/?lang=de")
    assert page.get_by_role("heading", level=1).inner_text() == "Termine"
    page.get_by_role("link", name="Körperanalyse (InBody)", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Körperanalyse (InBody)"

    # Pick the first day that has free times (the day picker swaps only the times).
    days = page.get_by_role("navigation", name="Tag wählen").get_by_role("link")
    assert days.count() == 14
    for index in range(1, 14):
        days.nth(index).click()
        page.wait_for_url("**/?day=*")
        page.locator("#slots-heading").wait_for()
        if page.locator(".sched-list .sched-slot").count():
            break
    first = page.locator(".sched-list .sched-slot").first
    when = first.locator("time").inner_text()
    first.get_by_role("button", name=re.compile(rf"^Buchen .*{re.escape(when)}$")).click()  # "Buchen Freitag, …, 08:00"
    page.get_by_text("Ihr Termin ist gebucht.").wait_for()
    screenshot(page, "appointment-booked-de")

    page.get_by_role("link", name="Meine Buchungen").first.click()
    entry = page.locator(".booking-appointment")
    assert entry.get_by_role("heading").inner_text() == "Körperanalyse (InBody)"
    assert when in entry.locator(".booking-when").inner_text()
    entry.get_by_role("link", name="Buchung stornieren").click()
    page.get_by_role("button", name="Diesen Termin stornieren").click()
    page.get_by_text("Ihr Termin ist storniert.").wait_for()
    assert page.locator(".booking-appointment").count() == 0
    page.problems.assert_none()
