"""Member self-service in Chromium, each run top-level and inside an iframe on the studio's website (another
origin, third-party cookies allowed as in Chrome): sign-in by emailed link, cancel and withdraw, an idle
period with a document, contact and address changes, and the §312k cancelation page without login or
cookies. axe checks every state top-level (errors, swapped fragments, receipts); the frame fits each one.

Browsers that give the frame no cookies at all are in test_embedding.py."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.browser.support import assert_accessible, scroll_width, settle
from tests.selfservice import documents

pytestmark = pytest.mark.browser

PDF = documents.pdf()  # a real one: documents are opened, not only recognised by their first bytes


def has_focus(locator, timeout: float = 3.0) -> bool:
    """True once the element has focus; htmx moves focus after the swap settles, so poll briefly."""
    import time

    deadline = time.monotonic() + timeout
    while not locator.evaluate("el => el === document.activeElement"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def emailed_link() -> str:
    return re.search(r"http://\S+/s/demo/account/sign-in/\S+", mail.outbox[-1].body).group(0)


def sign_in(portal, email: str, *, check: bool = False):
    """The member's way in: ask for a link, open it from the email (in a tab of its own when the portal is
    embedded: that is where email links open), press the button. Returns where the account now shows."""
    ui = portal.open("account")
    if check:
        portal.check("Anmeldung")
    ui.get_by_label("E-Mail-Adresse").fill(email)
    ui.get_by_role("button", name="Anmeldelink senden").click()
    ui.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    if check:
        settle(ui)
        assert has_focus(ui.locator("#sign-in .message"))
        assert email in ui.locator("#sign-in").inner_text()
        portal.check("Anmeldung: Link gesendet", step=True)
    link = emailed_link()
    tab = portal.page if not portal.embedded else portal.page.context.new_page()
    tab.goto(link)  # opening it (as a mail scanner would) does not sign in yet
    assert tab.get_by_role("button", name="Anmelden").is_visible()
    if check and not portal.embedded:
        assert_accessible(tab, "Anmeldelink")
    tab.get_by_role("button", name="Anmelden").click()
    tab.wait_for_url("**/s/demo/account/")
    if not portal.embedded:
        return tab
    tab.close()
    # Back on the studio's website: the frame shares the session (SameSite=None cookies).
    ui.get_by_role("navigation", name="Studio").get_by_role("link", name="Mein Konto").click()
    ui.get_by_role("button", name="Abmelden").wait_for()
    assert not ui.locator("#frame-cookie-help").is_visible()  # cookies work here: no help needed
    return ui


def test_sign_in_and_out(portal, screenshot):
    ui = portal.open("account")
    ui.get_by_role("button", name="Anmeldelink senden").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    settle(ui)
    assert has_focus(summary) and ui.get_by_label("E-Mail-Adresse").get_attribute("aria-invalid") == "true"
    portal.check("Anmeldung: ohne E-Mail-Adresse")
    portal.assert_in_view(summary, "Anmeldung: ohne E-Mail-Adresse")

    ui = sign_in(portal, "mia@example.com", check=True)
    assert "Angemeldet als Mia Schneider" in ui.locator("main").inner_text()
    assert ui.get_by_role("heading", name="Premium 12 Monate").is_visible()
    portal.check("Mein Konto", step=True)
    if not portal.embedded:
        screenshot(ui, "member-account")
        ui.goto(emailed_link())  # used up
        assert "abgelaufen oder wurde schon benutzt" in ui.locator("main").inner_text()
        assert_accessible(ui, "Anmeldelink: schon benutzt")
        ui.goto(portal.url("account/"))

    ui.get_by_role("button", name="Abmelden").click()
    ui.get_by_role("button", name="Anmeldelink senden").wait_for()
    assert "Sie sind abgemeldet." in ui.locator("main").inner_text()
    portal.check("Abgemeldet", step=True)
    portal.page.problems.ignore("422", "410")
    portal.page.problems.assert_none()


def test_cancel_and_withdraw(portal, screenshot):
    ui = sign_in(portal, "mia@example.com")
    ui.get_by_role("link", name="Vertrag kündigen Premium 12 Monate").click()
    ui.get_by_role("heading", name="Vertrag kündigen").wait_for()
    portal.check("Kündigen: Datum wählen", step=True)
    ui.get_by_role("button", name="Weiter zur Übersicht").click()  # no date chosen
    ui.locator(".error-summary").wait_for()
    settle(ui)
    assert has_focus(ui.locator(".error-summary"))
    portal.check("Kündigen: kein Datum gewählt")
    portal.assert_in_view(ui.locator(".error-summary"), "Kündigen: kein Datum gewählt")

    second_label = ui.locator("label[for='id_end_date_1']").inner_text()
    ui.get_by_role("radio").nth(1).check()
    ui.get_by_label("Grund").select_option(label="Umzug")
    if not portal.embedded:
        screenshot(ui, "member-cancel-choose")
    ui.get_by_role("button", name="Weiter zur Übersicht").click()
    review = ui.get_by_role("heading", name="Bitte prüfen Sie Ihre Kündigung")
    review.wait_for()
    settle(ui)
    assert has_focus(review)  # focus moved for keyboard and screen reader users
    assert second_label in ui.locator("#flow").inner_text()
    portal.check("Kündigen: Übersicht", step=True)
    ui.get_by_role("button", name="Kündigung bestätigen").click()
    ui.wait_for_url(re.compile(r".*/account/confirmations/.*"))
    receipt = ui.locator("main").inner_text()
    assert "Ihre Kündigung ist eingegangen" in receipt and "Ihr Vertrag ist gekündigt." in receipt
    assert second_label in receipt and "Eingegangen" in receipt
    portal.check("Kündigen: Bestätigung", step=True)
    if not portal.embedded:
        screenshot(ui, "member-cancel-confirmation")
    assert mail.outbox[-1].subject == "Ihre Kündigung ist eingegangen"

    ui.get_by_role("link", name="Zurück zu meinem Konto").click()
    ui.get_by_role("link", name="Kündigung zurücknehmen Premium 12 Monate").click()
    ui.get_by_role("heading", name="Kündigung zurücknehmen").wait_for()
    portal.check("Kündigung zurücknehmen", step=True)
    ui.get_by_role("button", name="Kündigung zurücknehmen").click()
    ui.wait_for_url(re.compile(r".*/account/confirmations/.*"))
    assert "Ihr Vertrag läuft weiter." in ui.locator("main").inner_text()
    portal.check("Kündigung zurückgenommen: Bestätigung", step=True)
    portal.page.problems.ignore("422")
    portal.page.problems.assert_none()


def test_idle_period_with_a_document(portal, screenshot):
    ui = sign_in(portal, "mia@example.com")
    ui.get_by_role("link", name="Ruhezeiten Premium 12 Monate").click()
    ui.get_by_role("heading", name="Ruhezeit beantragen").first.wait_for()
    portal.check("Ruhezeiten", step=True)

    # Illness needs a document: without one, the form says so and keeps the choices.
    ui.get_by_label("Dauer").select_option("2")
    ui.get_by_label("Grund").select_option(label="Krankheit (Nachweis nötig)")
    ui.get_by_role("button", name="Ruhezeit beantragen").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    settle(ui)
    assert "fügen Sie bitte einen Nachweis bei" in summary.inner_text()
    assert has_focus(summary)
    assert ui.get_by_label("Nachweis").get_attribute("aria-invalid") == "true"
    assert ui.get_by_label("Dauer").input_value() == "2"
    portal.check("Ruhezeit: Nachweis fehlt")
    portal.assert_in_view(summary, "Ruhezeit: Nachweis fehlt")

    ui.get_by_label("Nachweis").set_input_files(
        files=[{"name": "attest.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    ui.get_by_role("button", name="Ruhezeit beantragen").click()
    ui.get_by_text("Ihre Ruhezeit ist eingetragen.").wait_for()
    listed = ui.locator("#periods-heading + .card-list").inner_text()
    assert "Krankheit" in listed and "Genehmigt" in listed and "10,00\u00a0€" in listed
    portal.check("Ruhezeit eingetragen", step=True)
    if not portal.embedded:
        screenshot(ui, "member-idle-period-listed")
    portal.page.problems.ignore("422")
    portal.page.problems.assert_none()


def test_contact_and_address_changes(portal, screenshot):
    ui = sign_in(portal, "mia@example.com")
    ui.get_by_role("link", name="Kontaktdaten").click()
    ui.get_by_role("heading", name="Kontaktdaten", level=1).wait_for()
    portal.check("Kontaktdaten", step=True)
    ui.get_by_label("Telefon (geschäftlich) (optional)", exact=True).fill("030 987654")
    ui.get_by_role("button", name="Änderungen speichern").click()
    ui.get_by_text("Ihre Änderung ist gespeichert.").wait_for()
    assert "030 987654" in ui.locator("#current-heading + .facts").inner_text()
    portal.check("Kontaktdaten gespeichert", step=True)

    ui.get_by_label("E-Mail-Adresse").fill("mia@")
    ui.get_by_role("button", name="Änderungen speichern").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    assert "name@example.com" in summary.inner_text()
    assert ui.get_by_label("E-Mail-Adresse").input_value() == "mia@"  # what was typed is kept
    portal.check("Kontaktdaten: E-Mail-Adresse ungültig")
    portal.assert_in_view(summary, "Kontaktdaten: E-Mail-Adresse ungültig")
    if not portal.embedded:
        screenshot(ui, "member-contact-error")

    ui.get_by_role("link", name="Zurück zu meinem Konto").click()
    ui.get_by_role("link", name=re.compile("^Adresse")).click()
    ui.get_by_role("heading", name="Adresse", level=1).wait_for()
    portal.check("Adresse", step=True)
    ui.get_by_label("Postleitzahl").fill("")
    ui.get_by_role("button", name="Änderungen speichern").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    assert ui.get_by_label("Postleitzahl").get_attribute("aria-invalid") == "true"
    portal.check("Adresse: PLZ fehlt")
    portal.assert_in_view(summary, "Adresse: PLZ fehlt")
    portal.page.problems.ignore("422")
    portal.page.problems.assert_none()


def test_cancelation_page_without_login_or_cookies(portal, screenshot):
    ui = portal.open("home")
    portal.page.context.clear_cookies()  # the home page may set a CSRF cookie; the cancelation page needs none
    ui.get_by_role("contentinfo").get_by_role("link", name="Verträge hier kündigen").click()
    ui.get_by_role("heading", name="Verträge hier kündigen").wait_for()
    portal.check("§312k: Formular", step=True)
    ui.get_by_role("button", name="jetzt kündigen").click()
    summary = ui.locator(".error-summary")
    summary.wait_for()
    settle(ui)
    assert has_focus(summary)
    portal.check("§312k: Angaben fehlen", step=True)
    portal.assert_in_view(summary, "§312k: Angaben fehlen")

    ui.get_by_label("Vorname").fill("Mia")
    ui.get_by_label("Nachname").fill("Schneider")
    ui.get_by_label("Geburtsdatum").fill("1994-05-17")
    ui.get_by_label("E-Mail-Adresse für die Bestätigung").fill("mia@example.com")
    ui.get_by_label("Kundennummer oder Vertragsnummer").fill("1001")
    if not portal.embedded:
        screenshot(ui, "member-online-cancelation-form")
    ui.get_by_role("button", name="jetzt kündigen").click()
    ui.get_by_role("heading", name="Bestätigung Ihrer Kündigung").wait_for()
    text = ui.locator("main").inner_text()
    assert "Ihr Vertrag ist zum" in text and "eingegangen" in text
    portal.check("§312k: Eingangsbestätigung", step=True)
    if not portal.embedded:
        screenshot(ui, "member-online-cancelation-receipt")
    # No session or CSRF cookie was ever set on the way; in the frame, links carry ?lang= and may set the
    # language preference (as the language switch does).
    allowed = {"django_language"} if portal.embedded else set()
    assert {c["name"] for c in portal.page.context.cookies()} <= allowed
    portal.page.problems.ignore("422")
    portal.page.problems.assert_none()


def test_account_at_320px(page, live_demo, screenshot):
    from tests.browser.support import Portal

    page.set_viewport_size({"width": 320, "height": 640})
    ui = sign_in(Portal(page, live_demo.url), "lea@example.com")
    for path in ("", "contact/", "address/"):
        ui.goto(f"{live_demo.url}/s/demo/account/{path}")
        width = scroll_width(ui)
        assert width <= 320, f"{path or 'account'} is {width}px wide"
    screenshot(page, "member-address-320px")
