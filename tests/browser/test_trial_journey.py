"""The trial journey in Chromium: a class inside a studio's iframe with every cookie refused (Safari's
third-party cookie blocking), confirmed through the emailed link; an appointment on a 320px phone."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from portal.models import Studio
from trialoffers.models import BookingStatus, TrialBooking

pytestmark = pytest.mark.browser

STUDIO_SITE = "http://www.demo-fitness.example"


def refuse_cookies(page, portal_url: str) -> None:
    """Keep no cookie from the portal, as a browser that blocks them (Safari in a frame) would.

    Responses reach the page without Set-Cookie, and the context's jar (which ``route.fetch``
    itself fills) is emptied after every response, so no request ever carries a cookie.
    """

    def handle(route):
        try:
            response = route.fetch(max_redirects=0)
        except Exception:  # noqa: BLE001  (the page navigated away meanwhile)
            route.abort()
            return
        page.context.clear_cookies()
        headers = {name: value for name, value in response.headers.items() if name.lower() != "set-cookie"}
        try:
            route.fulfill(response=response, headers=headers)
        except Exception:  # noqa: BLE001  (the request was canceled meanwhile)
            pass

    page.route(f"{portal_url}/**", handle)


def test_class_trial_in_an_iframe_without_cookies_confirmed_by_email(page, live_demo, screenshot):
    Studio.objects.filter(slug="demo").update(allowed_embed_origins=STUDIO_SITE)
    refuse_cookies(page, live_demo.url)
    # The studio's own website with the embed snippet from admin.
    snippet = (
        f'<!doctype html><html lang="en"><head><title>Demo Fitness</title></head><body><h1>Our studio</h1>'
        f'<script src="{live_demo.url}/embed.js" async></script>'
        f'<div data-studio-portal data-studio="demo" data-page="trial" data-lang="en"></div></body></html>'
    )
    page.route(f"{STUDIO_SITE}/**", lambda route: route.fulfill(status=200, content_type="text/html", body=snippet))
    page.goto(f"{STUDIO_SITE}/probetraining")
    frame = page.frame_locator("iframe")

    # 1. Choose: filter to yoga, then the Hatha Yoga trial.
    frame.get_by_role("link", name="Yoga", exact=True).click()
    expect_text(frame.locator("#offer-list"), "Hatha Yoga")
    frame.get_by_role("link", name="Choose a time: Hatha Yoga").click()
    frame.get_by_role("heading", name="Hatha Yoga", level=1).wait_for()

    # 2. Pick a time: switch days with htmx (only the list changes), then choose the first free time.
    days = frame.locator(".day-nav a.day:not(.day-empty)")
    if days.count() > 1:
        second = days.nth(1)
        day_id = second.get_attribute("id")
        second.click()
        frame.locator(f"#{day_id}[aria-current='date']").wait_for()
        assert frame.locator(f"#{day_id}").evaluate("el => el === document.activeElement")  # focus stays
    frame.locator(".slot-list a.button").first.click()

    # 3. Tell us about you: inline validation, then the one click.
    frame.get_by_role("heading", name="Your details", level=1).wait_for()
    email = frame.get_by_label("Email")
    email.fill("lea.browser@")
    email.press("Tab")
    expect_text(frame.locator("#group-email"), "Enter a valid email address.")
    assert frame.get_by_label("Email").get_attribute("aria-invalid") == "true"
    frame.get_by_label("First name").fill("Lea")
    frame.get_by_label("Last name").fill("Browser")
    frame.get_by_label("Email").fill("lea.browser@example.org")
    frame.get_by_label("Email").press("Tab")
    frame.locator("#group-email:not(.field-invalid)").wait_for()
    assert frame.get_by_label("Street").count() == 0  # this trial offer does not ask for an address
    frame.get_by_label("I agree that the studio may process my details").check()
    settle(page, frame)
    screenshot(page, "trial-class-form-in-iframe")
    frame.get_by_role("button", name="Book now").click()

    # 4. and 5.: booked, confirmation needed.
    frame.get_by_role("heading", name="Please confirm your booking").wait_for()
    expect_text(frame.locator("main"), "Almost done: we have sent you an email.")
    assert frame.get_by_role("link", name="Add to calendar (.ics)").count() == 0
    screenshot(page, "trial-class-confirm-pending")
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMATION_PENDING

    [email_message] = mail.outbox
    link = re.search(r"(http://\S+/trial/confirm/\S+)", email_message.body).group(1)
    page.goto(link)  # the visitor opens the link from the email, outside the frame
    page.get_by_role("heading", name="Confirm your trial session").wait_for()
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMATION_PENDING  # opening is not confirming
    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="Booking confirmed").wait_for()
    page.get_by_role("link", name="Show my booking and add it to my calendar").click()

    # 6. Done: time, place, what to bring, calendar file, contact.
    page.get_by_role("heading", name="You are booked").wait_for()
    main = page.locator("main")
    for words in ("Hatha Yoga", "Kursraum 1", "Torstraße 101", "Sportkleidung", "+49 30 1234567"):
        expect_text(main, words)
    assert page.context.cookies() == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    assert download.value.suggested_filename == "trial.ics"
    screenshot(page, "trial-class-done")

    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMED
    # Downloads bypass Playwright's request routing: only the language switch's cookie can slip in there.
    assert {cookie["name"] for cookie in page.context.cookies()} <= {"django_language"}
    assert not page.problems.console_errors, page.problems.console_errors
    assert {url.split("/")[2] for url in page.problems.foreign_requests} == {"www.demo-fitness.example"}


def test_appointment_trial_on_a_phone(page, live_demo, screenshot):
    page.set_viewport_size({"width": 320, "height": 640})
    refuse_cookies(page, live_demo.url)
    page.goto(f"{live_demo.url}/s/demo/trial/")  # German, the studio's language
    page.get_by_role("link", name="Termin wählen: Körperanalyse (InBody)").click()
    page.get_by_role("heading", name="Körperanalyse (InBody)", level=1).wait_for()

    # Week by week: next week and back again, only the list and the days change.
    first_day = page.locator(".day-nav a.day").first.get_attribute("id")
    page.get_by_role("link", name="Nächste Woche").click()
    page.locator(f"#{first_day}").wait_for(state="detached")
    page.get_by_role("link", name="Vorherige Woche").click()
    page.locator(f"#{first_day}").wait_for()
    page.locator(".slot-list a.button").first.click()

    page.get_by_role("heading", name="Ihre Daten", level=1).wait_for()
    page.get_by_label("Vorname").fill("Jan")
    page.get_by_label("Nachname").fill("Handy")
    page.get_by_label("E-Mail").fill("jan.handy@example.org")
    page.get_by_label("Geburtsdatum").fill("1992-03-04")
    page.get_by_label("Telefonnummer").fill("+49 151 2345678")
    page.get_by_label("Ich bin einverstanden").check()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the form is {width}px wide at 320px"
    settle(page, page)
    screenshot(page, "trial-appointment-form-320px")
    page.get_by_role("button", name="Jetzt buchen").click()

    page.get_by_role("heading", name="Sie sind gebucht").wait_for()
    expect_text(page.locator("main"), "Körperanalyse (InBody)")
    assert page.get_by_role("link", name="In den Kalender (.ics)").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "trial-appointment-done-320px")
    booking = TrialBooking.objects.get()
    assert booking.status == BookingStatus.BOOKED and booking.kind == "appointment"
    assert mail.outbox[0].subject == "Ihr Probetraining ist gebucht"
    assert page.context.cookies() == []
    page.problems.assert_none()


def settle(page, scope) -> None:
    """Wait until no htmx request is in flight (the inline check of a field that just lost focus).

    Screenshots leave ``style=""`` on inputs, which a later htmx swap would copy (a CSP report).
    """
    page.wait_for_timeout(150)
    scope.locator(".htmx-request").first.wait_for(state="detached")


def expect_text(locator, text: str) -> None:
    """Wait until the element shows ``text`` (htmx swaps arrive a moment later)."""
    locator.filter(has_text=text).first.wait_for()
