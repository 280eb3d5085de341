"""The trial journey in Chromium, each run top-level and inside an iframe on the studio's website (another
origin): a class confirmed through the emailed link, an appointment on a 320px phone, an existing member
sent to sign in, and check-in vouchers. axe checks every state top-level; the frame fits every state.

One more run refuses every cookie (Safari in a frame, and stricter): the lead journey needs none."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from portal.models import Studio
from tests.browser.support import assert_accessible, scroll_width, settle
from trialoffers.models import BookingStatus, TrialBooking

pytestmark = pytest.mark.browser


def expect_text(locator, text: str) -> None:
    """Wait until the element shows ``text`` (htmx swaps arrive a moment later)."""
    locator.filter(has_text=text).first.wait_for()


def has_focus(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def test_class_trial_confirmed_by_email(portal, screenshot):
    ui = portal.open("trial", lang="en")
    portal.check("trial offers")

    # 1. Choose: filter to yoga (htmx swaps only the list), then the Hatha Yoga trial.
    ui.get_by_role("link", name="Yoga", exact=True).click()
    ui.locator(".chips a[aria-current='true']", has_text="Yoga").wait_for()
    assert ui.locator(".offer-card").count() == 2
    portal.check("trial offers: only yoga")
    ui.get_by_role("link", name="Choose a time: Hatha Yoga").click()
    ui.get_by_role("heading", name="Hatha Yoga", level=1).wait_for()
    portal.check("trial offer: pick a time", step=True)

    # 2. Pick a time: another day swaps only the list; focus stays on the day.
    days = ui.locator(".day-nav a.day:not(.day-empty)")
    if days.count() > 1:
        day_id = days.nth(1).get_attribute("id")
        days.nth(1).click()
        ui.locator(f"#{day_id}[aria-current='date']").wait_for()
        assert has_focus(ui.locator(f"#{day_id}"))
        portal.check("trial offer: another day")
    ui.locator(".slot-list a.button").first.click()

    # 3. Your details: sending nothing explains every field; an inline check while typing.
    ui.get_by_role("heading", name="Your details", level=1).wait_for()
    portal.check("trial form", step=True)
    ui.get_by_role("button", name="Book now").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    settle(ui)
    assert has_focus(summary) and "Please check your entries" in summary.inner_text()
    assert ui.get_by_label("First name").get_attribute("aria-invalid") == "true"
    portal.check("trial form: every field missing", step=True)
    email = ui.get_by_label("Email")
    email.fill("lea.browser@")
    email.press("Tab")
    expect_text(ui.locator("#group-email"), "Enter a valid email address.")
    assert ui.get_by_label("Email").get_attribute("aria-invalid") == "true"
    portal.check("trial form: an inline error")
    ui.get_by_label("First name").fill("Lea")
    ui.get_by_label("Last name").fill("Browser")
    ui.get_by_label("Email").fill("lea.browser@example.org")
    ui.get_by_label("Email").press("Tab")
    ui.locator("#group-email:not(.field-invalid)").wait_for()
    assert ui.get_by_label("Street").count() == 0  # this trial offer does not ask for an address
    ui.get_by_label("I agree that the studio may process my details").check()
    settle(ui)
    ui.get_by_role("button", name="Book now").click()

    # 4. Booked, but the studio wants a confirmation by email. The page is the one everybody gets after
    #    the form (it must not tell a new lead from an existing customer): the e-mail says how to go on.
    ui.get_by_role("heading", name="Please check your e-mail").wait_for()
    expect_text(ui.locator("main"), "We have sent an e-mail to the address you entered.")
    assert ui.get_by_role("link", name="Add to calendar (.ics)").count() == 0
    portal.check("trial: check your e-mail", step=True)
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMATION_PENDING

    # The visitor opens the emailed link: a tab of its own, in both cases.
    [message] = mail.outbox
    link = re.search(r"(http://\S+/trial/confirm/\S+)", message.body).group(1)
    tab = portal.page.context.new_page()
    tab.goto(link)
    tab.get_by_role("heading", name="Confirm your trial session").wait_for()
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMATION_PENDING  # opening is not confirming
    if not portal.embedded:
        assert_accessible(tab, "trial: confirm by email link")
    tab.get_by_role("button", name="Confirm booking").click()
    tab.get_by_role("heading", name="Booking confirmed").wait_for()
    if not portal.embedded:
        assert_accessible(tab, "trial: confirmed")
    tab.get_by_role("link", name="Show my booking and add it to my calendar").click()

    # 5. Done: time, place, what to bring, calendar file, contact.
    tab.get_by_role("heading", name="You are booked").wait_for()
    for words in ("Hatha Yoga", "Kursraum 1", "Torstraße 101", "Sportkleidung", "+49 30 1234567"):
        expect_text(tab.locator("main"), words)
    if not portal.embedded:
        assert_accessible(tab, "trial: done")
        screenshot(tab, "trial-class-done")
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Add to calendar (.ics)").click()
    assert download.value.suggested_filename == "trial.ics"
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMED
    portal.page.problems.ignore("422")  # the form answered with its errors
    portal.page.problems.assert_none()


def test_appointment_trial_on_a_320px_phone(portal, screenshot):
    portal.page.set_viewport_size({"width": 320, "height": 640})
    ui = portal.open("trial")  # German, the studio's language
    ui.get_by_role("link", name="Termin wählen: Körperanalyse (InBody)").click()
    ui.get_by_role("heading", name="Körperanalyse (InBody)", level=1).wait_for()
    portal.check("Probetermin: Zeit wählen", step=True)

    # Week by week: next week and back again, only the list and the days change.
    first_day = ui.locator(".day-nav a.day").first.get_attribute("id")
    ui.get_by_role("link", name="Nächste Woche").click()
    ui.locator(f"#{first_day}").wait_for(state="detached")
    portal.check("Probetermin: nächste Woche")
    ui.get_by_role("link", name="Vorherige Woche").click()
    ui.locator(f"#{first_day}").wait_for()
    ui.locator(".slot-list a.button").first.click()

    ui.get_by_role("heading", name="Ihre Daten", level=1).wait_for()
    ui.get_by_label("Vorname").fill("Jan")
    ui.get_by_label("Nachname").fill("Handy")
    ui.get_by_label("E-Mail").fill("jan.handy@example.org")
    ui.get_by_label("Geburtsdatum").fill("1992-03-04")
    ui.get_by_label("Telefonnummer").fill("+49 151 2345678")
    ui.get_by_label("Straße").fill("Torstraße 1")  # the address is optional, but complete once started
    ui.get_by_label("Ich bin einverstanden").check()
    ui.get_by_role("button", name="Jetzt buchen").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    assert "Bitte vervollständigen Sie die Adresse" in summary.inner_text()
    assert ui.get_by_label("Telefonnummer").input_value() == "+49 151 2345678"  # what was typed is kept
    portal.check("Probetermin: Adresse unvollständig", step=True)
    assert scroll_width(ui) <= 320, f"the form is {scroll_width(ui)}px wide at 320px"
    ui.get_by_label("Straße").fill("")
    settle(ui)
    if not portal.embedded:
        screenshot(portal.page, "trial-appointment-form-320px")
    ui.get_by_role("button", name="Jetzt buchen").click()
    ui.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    assert scroll_width(ui) <= 320
    portal.check("Probetermin: E-Mail gesendet", step=True)

    # The booking e-mail links to the booking page.
    [message] = mail.outbox
    booking_page = re.search(r"http://\S+/trial/done/[^/\s]+/\?lang=\w+", message.body).group(0)  # not the .ics
    portal.page.goto(booking_page)
    ui = portal.page
    ui.get_by_role("heading", name="Sie sind gebucht").wait_for()
    expect_text(ui.locator("main"), "Körperanalyse (InBody)")
    assert ui.get_by_role("link", name="In den Kalender (.ics)").is_visible()
    assert scroll_width(ui) <= 320
    if not portal.embedded:
        screenshot(portal.page, "trial-appointment-done-320px")
    booking = TrialBooking.objects.get()
    assert booking.status == BookingStatus.BOOKED and booking.kind == "appointment"
    assert mail.outbox[0].subject == "Ihr Probetraining ist gebucht"
    portal.page.problems.ignore("422")
    portal.page.problems.assert_none()


def test_an_existing_member_is_told_by_email_to_sign_in(portal):
    ui = portal.open("trial")
    ui.get_by_role("link", name="Termin wählen: Zumba").click()
    ui.locator(".slot-list a.button").first.click()
    ui.get_by_label("Vorname").fill("Mia")
    ui.get_by_label("Nachname").fill("Schneider")
    ui.get_by_label("E-Mail").fill("mia@example.com")
    ui.get_by_label("Geburtsdatum").fill("1994-05-17")
    ui.get_by_label("Telefonnummer").fill("030 1234567")
    ui.get_by_label("Ich bin einverstanden").check()
    settle(ui)
    ui.get_by_role("button", name="Jetzt buchen").click()
    # The same page as for a new lead: nothing on it tells that the address belongs to a customer.
    ui.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    expect_text(ui.locator("main [role=status]"), "Wir haben eine E-Mail an die von Ihnen angegebene Adresse gesendet.")
    portal.check("Probetraining: E-Mail gesendet (schon Mitglied)", step=True)
    [message] = mail.outbox
    assert message.to == ["mia@example.com"] and "Sie sind bereits Mitglied" in message.subject
    sign_in = re.search(r"(http://\S+/s/demo/account/\S*)", message.body).group(1)
    portal.page.goto(sign_in)
    portal.page.get_by_role("button", name="Anmeldelink senden").wait_for()
    assert TrialBooking.objects.filter(status=BookingStatus.BOOKED).count() == 0
    portal.page.problems.assert_none()


def test_check_in_voucher(portal, screenshot):
    ui = portal.open("voucher")
    portal.check("Gutschein einlösen")
    ui.get_by_label("Gutscheincode").fill("USED-VOUCHER")
    ui.get_by_label("Vorname").fill("Vera")
    ui.get_by_label("Nachname").fill("Gutschein")
    ui.get_by_label("E-Mail").fill("vera@example.org")
    ui.get_by_role("button", name="Gutschein einlösen").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    settle(ui)
    assert has_focus(summary)
    assert ui.get_by_label("Gutscheincode").input_value() == "USED-VOUCHER"
    portal.check("Gutschein: schon benutzt", step=True)
    ui.get_by_label("Gutscheincode").fill("DEMO-VOUCHER-2026")
    ui.get_by_role("button", name="Gutschein einlösen").click()
    ui.get_by_role("heading", name="Ihr Zugangscode").wait_for()
    code = ui.locator(".access-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{8}", code)
    portal.check("Gutschein: Zugangscode", step=True)
    if not portal.embedded:
        screenshot(portal.page, "voucher-access-code")
    assert code in mail.outbox[-1].body
    portal.page.problems.ignore("422")
    portal.page.problems.assert_none()


STUDIO_SITE = "http://www.demo-fitness.example"


def refuse_cookies(page, portal_url: str) -> None:
    """Keep no cookie from the portal at all, stricter even than a browser that blocks third-party cookies.

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


def test_class_trial_in_an_iframe_with_every_cookie_refused(page, live_demo, screenshot):
    Studio.objects.filter(slug="demo").update(allowed_embed_origins=STUDIO_SITE)
    refuse_cookies(page, live_demo.url)
    snippet = (
        f'<!doctype html><html lang="en"><head><title>Demo Fitness</title></head><body><h1>Our studio</h1>'
        f'<script src="{live_demo.url}/embed.js" async></script>'
        f'<div data-studio-portal data-studio="demo" data-page="trial" data-lang="en"></div></body></html>'
    )
    page.route(f"{STUDIO_SITE}/**", lambda route: route.fulfill(status=200, content_type="text/html", body=snippet))
    page.goto(f"{STUDIO_SITE}/probetraining")
    frame = page.frame_locator("iframe")
    frame.get_by_role("link", name="Choose a time: Hatha Yoga").click()
    frame.locator(".slot-list a.button").first.click()
    frame.get_by_label("First name").fill("Lea")
    frame.get_by_label("Last name").fill("Browser")
    frame.get_by_label("Email").fill("lea.browser@example.org")
    frame.get_by_label("I agree that the studio may process my details").check()
    page.wait_for_timeout(150)
    frame.locator(".htmx-request").first.wait_for(state="detached")
    frame.get_by_role("button", name="Book now").click()
    frame.get_by_role("heading", name="Please check your e-mail").wait_for()
    screenshot(page, "trial-class-confirm-pending-in-iframe")
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMATION_PENDING
    assert page.context.cookies() == []
    assert not page.problems.console_errors, page.problems.console_errors
    assert {url.split("/")[2] for url in page.problems.foreign_requests} == {"www.demo-fitness.example"}
