"""Member self-service in Chromium: sign-in by emailed link, cancel and withdraw, an idle period with a
document, a contact data change, and the cancelation page without login or cookies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def screenshot():
    """Like the shared fixture, but leaves the caret alone: hiding it puts empty style attributes on inputs,
    which htmx then copies while settling a swap (a CSP report that no member would ever cause)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return save


def sign_in(page, base: str, email: str) -> None:
    """The member's way in: ask for a link, open it from the email, press the button."""
    page.goto(f"{base}/s/demo/account/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_role("button", name="Anmeldelink senden").click()
    page.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    link = re.search(r"http://\S+/s/demo/account/sign-in/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base}/s/demo/account/")


def test_sign_in_through_the_emailed_link(page, live_demo, screenshot):
    base = live_demo.url
    page.goto(f"{base}/s/demo/account/")
    page.get_by_label("E-Mail-Adresse").fill("mia@example.com")
    page.get_by_role("button", name="Anmeldelink senden").click()
    notice = page.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails")
    notice.wait_for()
    assert "mia@example.com" in page.locator("#sign-in").inner_text()
    screenshot(page, "member-sign-in-sent")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mia@example.com"]
    link = re.search(r"http://\S+/s/demo/account/sign-in/\S+", mail.outbox[0].body).group(0)

    page.goto(link)  # opening it (as a mail scanner would) does not sign in yet
    assert page.get_by_role("button", name="Anmelden").is_visible()
    screenshot(page, "member-sign-in-link")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base}/s/demo/account/")
    assert "Angemeldet als Mia Schneider" in page.locator("main").inner_text()
    assert page.get_by_role("heading", name="Premium 12 Monate").is_visible()
    screenshot(page, "member-account")

    page.goto(link)  # used up
    assert "abgelaufen oder wurde schon benutzt" in page.locator("main").inner_text()

    page.goto(f"{base}/s/demo/account/")
    page.get_by_role("button", name="Abmelden").click()
    page.get_by_role("button", name="Anmeldelink senden").wait_for()
    assert "Sie sind abgemeldet." in page.locator("main").inner_text()


def test_cancel_and_withdraw(page, live_demo, screenshot):
    base = live_demo.url
    sign_in(page, base, "mia@example.com")
    page.get_by_role("link", name="Vertrag kündigen Premium 12 Monate").click()
    page.get_by_role("heading", name="Vertrag kündigen").wait_for()
    second_date = page.get_by_role("radio").nth(1)
    second_label = page.locator("label[for='id_end_date_1']").inner_text()
    second_date.check()
    page.get_by_label("Grund").select_option(label="Umzug")
    screenshot(page, "member-cancel-choose")
    page.get_by_role("button", name="Weiter zur Übersicht").click()
    review = page.get_by_role("heading", name="Bitte prüfen Sie Ihre Kündigung")
    review.wait_for()
    assert review.evaluate("el => el === document.activeElement")  # focus moved for keyboard users
    assert second_label in page.locator("#flow").inner_text()
    screenshot(page, "member-cancel-review")
    page.get_by_role("button", name="Kündigung bestätigen").click()
    page.wait_for_url(re.compile(r".*/account/confirmations/.*"))
    receipt = page.locator("main").inner_text()
    assert "Ihre Kündigung ist eingegangen" in receipt and "Ihr Vertrag ist gekündigt." in receipt
    assert second_label in receipt and "Eingegangen" in receipt
    screenshot(page, "member-cancel-confirmation")
    assert mail.outbox[-1].subject == "Ihre Kündigung ist eingegangen"

    page.get_by_role("link", name="Zurück zu meinem Konto").click()
    assert "Gekündigt" in page.locator("main").inner_text()
    page.get_by_role("link", name="Kündigung zurücknehmen Premium 12 Monate").click()
    page.get_by_role("button", name="Kündigung zurücknehmen").click()
    page.wait_for_url(re.compile(r".*/account/confirmations/.*"))
    assert "Ihr Vertrag läuft weiter." in page.locator("main").inner_text()
    screenshot(page, "member-withdrawal-confirmation")
    page.problems.assert_none()


def test_idle_period_with_a_document(page, live_demo, screenshot):
    base = live_demo.url
    sign_in(page, base, "mia@example.com")
    page.get_by_role("link", name="Ruhezeiten Premium 12 Monate").click()
    page.get_by_role("heading", name="Ruhezeit beantragen").first.wait_for()
    page.get_by_label("Dauer").select_option("2")
    page.get_by_label("Grund").select_option(label="Krankheit (Nachweis nötig)")
    page.get_by_label("Nachweis").set_input_files(
        files=[{"name": "attest.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(page, "member-idle-period-form")
    page.get_by_role("button", name="Ruhezeit beantragen").click()
    page.get_by_text("Ihre Ruhezeit ist eingetragen.").wait_for()
    listed = page.locator("#periods-heading + .card-list").inner_text()
    assert "Krankheit" in listed and "Genehmigt" in listed and "10,00\u00a0€" in listed
    screenshot(page, "member-idle-period-listed")
    page.problems.assert_none()


def test_idle_period_without_the_needed_document_explains_it(page, live_demo):
    sign_in(page, live_demo.url, "mia@example.com")
    page.goto(f"{live_demo.url}/s/demo/account/")
    page.get_by_role("link", name="Ruhezeiten Premium 12 Monate").click()
    page.get_by_label("Dauer").select_option("1")
    page.get_by_label("Grund").select_option(label="Krankheit (Nachweis nötig)")
    page.get_by_role("button", name="Ruhezeit beantragen").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "fügen Sie bitte einen Nachweis bei" in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")
    assert page.get_by_label("Nachweis").get_attribute("aria-invalid") == "true"


def test_contact_data_change(page, live_demo, screenshot):
    base = live_demo.url
    sign_in(page, base, "mia@example.com")
    page.get_by_role("link", name="Kontaktdaten").click()
    page.get_by_label("Telefon (geschäftlich) (optional)", exact=True).fill("030 987654")
    page.get_by_role("button", name="Änderungen speichern").click()
    page.get_by_text("Ihre Änderung ist gespeichert.").wait_for()
    assert "030 987654" in page.locator("#current-heading + .facts").inner_text()
    screenshot(page, "member-contact-saved")
    page.problems.assert_none()

    page.get_by_label("E-Mail-Adresse").fill("mia@")
    page.get_by_role("button", name="Änderungen speichern").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "name@example.com" in summary.inner_text()
    assert page.get_by_label("E-Mail-Adresse").input_value() == "mia@"  # what was typed is kept
    screenshot(page, "member-contact-error")


def test_cancelation_page_without_login_or_cookies(page, live_demo, screenshot):
    base = live_demo.url
    page.goto(f"{base}/s/demo/")
    page.context.clear_cookies()  # the home page may set a CSRF cookie; the cancelation page must need none
    page.get_by_role("contentinfo").get_by_role("link", name="Verträge hier kündigen").click()
    page.get_by_role("heading", name="Verträge hier kündigen").wait_for()
    page.get_by_label("Vorname").fill("Mia")
    page.get_by_label("Nachname").fill("Schneider")
    page.get_by_label("Geburtsdatum").fill("1994-05-17")
    page.get_by_label("E-Mail-Adresse für die Bestätigung").fill("mia@example.com")
    page.get_by_label("Kundennummer oder Vertragsnummer").fill("1001")
    screenshot(page, "member-online-cancelation-form")
    page.get_by_role("button", name="jetzt kündigen").click()
    page.get_by_role("heading", name="Bestätigung Ihrer Kündigung").wait_for()
    text = page.locator("main").inner_text()
    assert "Ihr Vertrag ist zum" in text and "eingegangen" in text
    screenshot(page, "member-online-cancelation-receipt")
    assert page.context.cookies() == []  # no cookie was ever set on the way
    page.problems.assert_none()


def test_account_at_320px(page, live_demo, screenshot):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_demo.url, "lea@example.com")
    for path in ("", "contact/", "address/"):
        page.goto(f"{live_demo.url}/s/demo/account/{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path or 'account'} is {width}px wide"
    screenshot(page, "member-address-320px")
