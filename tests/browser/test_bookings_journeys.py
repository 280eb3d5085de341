"""Members book and cancel classes and appointments, each run top-level and inside an iframe on the studio's
website (another origin). axe checks every state top-level, including the swapped slots and the messages
on the next page; the frame fits each one. Visitors who are not signed in are sent to sign in first.

The member's session is made directly (tests/browser/support.sign_in_by_cookie); signing in itself, in both
places, is in test_member_selfservice.py."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import settle, sign_in_by_cookie

pytestmark = pytest.mark.browser


def has_focus(locator, timeout: float = 3.0) -> bool:
    """True once the element has focus; htmx moves focus after the swap settles, so poll briefly."""
    import time

    deadline = time.monotonic() + timeout
    while not locator.evaluate("el => el === document.activeElement"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_member_books_and_cancels_a_class(portal):
    sign_in_by_cookie(portal.page.context, portal.base, "mia@example.com")
    ui = portal.open("classes")
    assert ui.get_by_role("heading", level=1).inner_text() == "Kursplan"
    portal.check("Kursplan")

    ui.get_by_label("Kategorie").select_option("Pilates")
    ui.get_by_role("status").filter(has_text="Kurse gefunden").wait_for(state="attached")
    assert set(ui.locator(".sched-slot h3").all_inner_texts()) == {"Pilates Mat"}
    portal.check("Kursplan: nur Pilates")

    # The last bookable class: days ahead, so its cancelation deadline (2 hours before) has not passed.
    slot = ui.locator(".sched-slot").filter(has=ui.get_by_role("button", name="Buchen")).last
    slot_id = slot.get_attribute("id")
    slot.get_by_role("button", name="Buchen").click()
    message = ui.locator(f"#{slot_id} .sched-message")
    message.get_by_text("Sie sind gebucht.").wait_for()
    settle(ui)
    assert has_focus(message)  # read out at once
    portal.check("Kursplan: Kurs gebucht")
    portal.assert_in_view(message, "Kursplan: Kurs gebucht")

    ui.locator(".page-head").get_by_role("link", name="Meine Buchungen").click()
    entry = ui.locator(".booking-class").first
    entry.wait_for()
    assert entry.get_by_role("heading").inner_text() == "Pilates Mat"
    portal.check("Meine Buchungen", step=True)
    entry.get_by_role("link", name="Buchung stornieren").click()
    ui.get_by_role("heading", level=1, name="Buchung stornieren").wait_for()
    assert "Sie können bis 2 Stunden vor Kursbeginn stornieren" in ui.locator(".cancel-rule").inner_text()
    portal.check("Buchung stornieren", step=True)
    ui.get_by_role("button", name="Diese Buchung stornieren").click()
    ui.get_by_text("Ihre Buchung ist storniert.").wait_for()
    assert ui.locator(".booking-class").count() == 0
    portal.check("Meine Buchungen: storniert", step=True)

    # A private calendar link, shown once, at the end of a page taller than a phone's screen.
    portal.page.set_viewport_size({"width": 375, "height": 640})
    ui.get_by_role("button", name="Kalender-Link erstellen").click()
    link = ui.get_by_label("Ihr privater Kalender-Link")
    link.wait_for()
    assert re.search(r"/s/demo/account/bookings/feed/\S+\.ics$", link.input_value())
    portal.check("Meine Buchungen: Kalender-Link")
    portal.assert_in_view(link, "Meine Buchungen: Kalender-Link")  # the page opens at #calendar
    portal.page.problems.assert_none()


def test_member_books_and_cancels_an_appointment(portal):
    sign_in_by_cookie(portal.page.context, portal.base, "mia@example.com")
    ui = portal.open("appointments")
    portal.check("Termine")
    ui.get_by_role("link", name="Körperanalyse (InBody)", exact=True).click()
    ui.get_by_role("heading", level=1, name="Körperanalyse (InBody)").wait_for()
    portal.check("Termin: Tag wählen", step=True)

    days = ui.get_by_role("navigation", name="Tag wählen").get_by_role("link")
    for index in range(1, days.count()):
        days.nth(index).click()
        ui.locator(f"nav.bk-days li:nth-child({index + 1}) a[aria-current='date']").wait_for()
        settle(ui)
        if ui.locator(".sched-list .sched-slot").count():
            break
    assert has_focus(ui.locator("#slots-heading"))  # the new day's heading, so the change is read out
    portal.check("Termin: freie Zeiten eines Tages")
    first = ui.locator(".sched-list .sched-slot").first
    when = first.locator("time").inner_text()
    first.get_by_role("button", name=re.compile(rf"^Buchen .*{re.escape(when)}$")).click()  # "Buchen Freitag, …, 08:00"
    message = ui.locator(".sched-message").filter(has_text="Ihr Termin ist gebucht.")
    message.wait_for()
    settle(ui)
    assert has_focus(message)
    portal.check("Termin gebucht")

    message.get_by_role("link", name="Meine Buchungen").click()
    entry = ui.locator(".booking-appointment")
    entry.wait_for()
    assert when in entry.locator(".booking-when").inner_text()
    entry.get_by_role("link", name="Buchung stornieren").click()
    ui.get_by_role("heading", level=1, name="Termin stornieren").wait_for()
    portal.check("Termin stornieren", step=True)
    ui.get_by_role("button", name="Diesen Termin stornieren").click()
    ui.get_by_text("Ihr Termin ist storniert.").wait_for()
    assert ui.locator(".booking-appointment").count() == 0
    portal.check("Meine Buchungen: Termin storniert", step=True)
    portal.page.problems.assert_none()


def test_visitors_sign_in_before_they_book(portal):
    ui = portal.open("classes")
    assert "Mitglieder melden sich an, um einen Platz zu buchen." in ui.locator(".page-head").inner_text()
    ui.locator(".sched-slot").get_by_role("link", name="Buchen").first.click()
    ui.get_by_role("button", name="Anmeldelink senden").wait_for()
    assert re.search(r"next=%2Fs%2Fdemo%2Fclasses%2F\d+%2Fbook%2F", ui.url)
    portal.check("Anmeldung vor dem Buchen", step=True)
    portal.page.problems.assert_none()
