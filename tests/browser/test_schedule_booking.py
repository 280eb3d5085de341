"""A member filters the schedule, books a class, finds it in "My bookings", downloads its .ics and cancels it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore

from portal.models import Studio
from portal.perfectgym import models as m
from portal.upstream import client_for

pytestmark = pytest.mark.browser


def sign_in_as(page, live_server, email: str) -> int:
    """Sign a demo member in the way portal.members.sign_in does: a session holding studio and customer."""
    studio = Studio.objects.get(slug="demo")
    customer = client_for(studio).search_customers(m.CustomerSearchRequest(email=email))[0].id
    session = SessionStore()
    session["member"] = {"studio": studio.pk, "customer": customer}
    session.create()
    host = urlsplit(live_server.url).hostname
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key, "domain": host, "path": "/"}])
    return customer


def test_filter_book_see_download_and_cancel_a_class(page, live_demo, screenshot, tmp_path):
    sign_in_as(page, live_demo, "mia@example.com")
    page.goto(f"{live_demo.url}/s/demo/classes/?lang=de")
    assert page.get_by_role("heading", level=1).inner_text() == "Kursplan"

    # Filters swap the list in place and the URL follows (shareable).
    page.get_by_label("Kategorie").select_option("Pilates")
    page.wait_for_url(re.compile(r"category=Pilates"))
    page.get_by_role("status").filter(has_text="Kurse gefunden").wait_for(state="attached")
    titles = page.locator(".sched-slot h3").all_inner_texts()
    assert titles and set(titles) == {"Pilates Mat"}
    page.get_by_label("Tageszeit").select_option("morning")
    page.wait_for_url(re.compile(r"time=morning"))

    # Book the last bookable class (days ahead, so its cancelation deadline has not passed): the slot
    # updates in place and says so.
    slot = page.locator(".sched-slot").filter(has=page.get_by_role("button", name="Buchen")).last
    slot_id = slot.get_attribute("id")
    slot.get_by_role("button", name="Buchen").click()
    booked = page.locator(f"#{slot_id}")
    booked.get_by_text("Sie sind gebucht.").wait_for()
    assert booked.locator(".state-booked").inner_text() == "Gebucht"
    # Focus moved to the answer, so screen readers read it out.
    # htmx moves focus once the swap has settled, a moment after the text appears: wait for it.
    # A function, not a bare expression: Playwright evals a bare expression in the page on every poll,
    # which the portal's CSP (no 'unsafe-eval') refuses whenever the first check is not already true.
    page.wait_for_function("() => document.activeElement?.classList.contains('sched-message')")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent]")
    assert "sched-message" in focused[0] and "Sie sind gebucht." in focused[1]  # not just <body>
    screenshot(page, "schedule-booked-de")

    # My bookings lists it with a calendar file.
    page.goto(f"{live_demo.url}/s/demo/account/bookings/?lang=de")
    entry = page.locator(".booking-class").first
    assert entry.get_by_role("heading").inner_text() == "Pilates Mat"
    with page.expect_download() as download_info:
        entry.get_by_role("link", name="In den Kalender (.ics)").click()
    calendar = tmp_path / "booking.ics"
    download_info.value.save_as(calendar)
    content = calendar.read_text()
    assert "BEGIN:VEVENT" in content and "SUMMARY:Pilates Mat" in content

    # Cancel: the condition is shown before the member confirms.
    entry.get_by_role("link", name="Buchung stornieren").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Buchung stornieren"
    assert "Sie können bis 2 Stunden vor Kursbeginn stornieren" in page.locator(".cancel-rule").inner_text()
    page.get_by_role("button", name="Diese Buchung stornieren").click()
    page.get_by_text("Ihre Buchung ist storniert.").wait_for()
    assert page.locator(".booking-class").count() == 0
    page.problems.assert_none()


def test_the_schedule_works_without_javascript(browser, live_demo, screenshot):
    context = browser.new_context(locale="de-DE", java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_in_as(page, live_demo, "tom@example.com")
        page.goto(f"{live_demo.url}/s/demo/classes/?lang=de")
        page.get_by_label("Kategorie").select_option("Pilates")
        page.get_by_role("button", name="Kurse anzeigen").click()
        page.wait_for_url(re.compile(r"category=Pilates"))
        slot = page.locator(".sched-slot").filter(has=page.get_by_role("button", name="Buchen")).first
        slot_id = slot.get_attribute("id")
        slot.get_by_role("button", name="Buchen").click()
        page.wait_for_url(re.compile(rf"category=Pilates.*#{slot_id}$"))
        assert page.get_by_role("status").filter(has_text="Sie sind gebucht.").count() == 1
        assert page.locator(f"#{slot_id} .state-booked").inner_text() == "Gebucht"
    finally:
        context.close()


def test_a_narrow_phone_screen(page, live_demo, screenshot):
    sign_in_as(page, live_demo, "sara@example.com")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_demo.url}/s/demo/classes/?lang=de")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the schedule is {width}px wide at 320px"
    button = page.locator(".sched-slot").get_by_role("button", name="Buchen").first
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 320  # thumb-sized and on screen
    # Keyboard: the filters and booking buttons are reachable with Tab and show focus.
    page.get_by_label("Tag", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-category"
    screenshot(page, "schedule-de-320px")
    page.problems.assert_none()


def test_visitors_get_the_shared_page_with_its_theme_and_no_csp_violations(page, live_demo):
    for _ in range(2):  # the second answer comes from the page memo
        page.goto(f"{live_demo.url}/s/demo/classes/?lang=de")
        header_bg = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
        assert header_bg == "rgb(10, 125, 90)"
    assert page.get_by_role("link", name="Anmelden").first.get_attribute("href").startswith("/s/demo/account/?next=")
    page.problems.assert_none()
