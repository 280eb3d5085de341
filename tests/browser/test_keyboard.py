"""Keyboard only: the journeys' main controls are reached with Tab, show a visible focus at every stop and
work with Enter and Space; the skip link leads past the navigation. The trial journey runs top-level and
inside the studio's iframe (Tab walks from the studio's page into the frame)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.support import Portal, focused_outline, settle, tab_to

pytestmark = pytest.mark.browser


def type_into(page, ui, label: str, text: str) -> None:
    tab_to(page, ui, ui.get_by_label(label, exact=True))
    page.keyboard.type(text)


def test_trial_journey_by_keyboard(portal):
    page = portal.page
    ui = portal.open("trial")
    if not portal.embedded:
        page.keyboard.press("Tab")
        skip = ui.get_by_role("link", name="Zum Inhalt springen")
        assert skip.evaluate("el => el === document.activeElement") and skip.is_visible()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")  # the first control after the skip target: past header and navigation
        assert ui.evaluate("document.activeElement.closest('main') !== null")

    tab_to(page, ui, ui.get_by_role("link", name="Yoga", exact=True))
    page.keyboard.press("Enter")
    ui.locator(".chips a[aria-current='true']", has_text="Yoga").wait_for()
    settle(ui)
    assert focused_outline(ui)["text"] == "Yoga"  # focus stays where it was after the list changed
    tab_to(page, ui, ui.get_by_role("link", name="Termin wählen: Hatha Yoga"))
    page.keyboard.press("Enter")
    ui.get_by_role("heading", name="Hatha Yoga", level=1).wait_for()
    tab_to(page, ui, ui.locator(".slot-list a.button").first)
    page.keyboard.press("Enter")

    ui.get_by_role("heading", name="Ihre Daten", level=1).wait_for()
    type_into(page, ui, "Vorname", "Kim")
    type_into(page, ui, "Nachname", "Tastatur")
    type_into(page, ui, "E-Mail", "kim.tastatur@example.org")
    consent = ui.get_by_label(re.compile("^Ich bin einverstanden"))
    tab_to(page, ui, consent)
    page.keyboard.press("Space")
    assert consent.is_checked()
    settle(ui)
    tab_to(page, ui, ui.get_by_role("button", name="Jetzt buchen"))
    page.keyboard.press("Enter")
    ui.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    assert len(mail.outbox) == 1
    portal.page.problems.assert_none()


def test_member_cancels_a_contract_by_keyboard(page, live_demo):
    portal = Portal(page, live_demo.url)
    ui = portal.open("account")
    type_into(page, ui, "E-Mail-Adresse", "mia@example.com")
    page.keyboard.press("Enter")  # Enter in the field sends the form
    ui.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    page.goto(re.search(r"http://\S+/s/demo/account/sign-in/\S+", mail.outbox[-1].body).group(0))
    tab_to(page, ui, ui.get_by_role("button", name="Anmelden"))
    page.keyboard.press("Space")
    page.wait_for_url("**/s/demo/account/")

    tab_to(page, ui, ui.get_by_role("link", name="Vertrag kündigen Premium 12 Monate"))
    page.keyboard.press("Enter")
    ui.get_by_role("heading", name="Vertrag kündigen").wait_for()
    tab_to(page, ui, ui.get_by_role("radio").first)
    page.keyboard.press("ArrowDown")  # the second date: arrow keys move through a radio group
    assert ui.get_by_role("radio").nth(1).is_checked()
    tab_to(page, ui, ui.get_by_label("Grund"))
    page.keyboard.press("ArrowDown")
    assert ui.get_by_label("Grund").input_value() != ""
    tab_to(page, ui, ui.get_by_role("button", name="Weiter zur Übersicht"))
    page.keyboard.press("Enter")
    review = ui.get_by_role("heading", name="Bitte prüfen Sie Ihre Kündigung")
    review.wait_for()
    settle(ui)
    assert review.evaluate("el => el === document.activeElement")
    tab_to(page, ui, ui.get_by_role("button", name="Kündigung bestätigen"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/account/confirmations/.*"))
    assert "Ihre Kündigung ist eingegangen" in ui.locator("main").inner_text()
    page.problems.assert_none()
