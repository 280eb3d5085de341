"""The class trial journey once in every language the portal speaks, on a 320px phone: a lead books the
Hatha Yoga trial from the offer list to "please check your e-mail". Labels are translated, so the journey
finds fields by their ``name`` and buttons by their place, never by English text.

At every state: ``<html lang>`` is the language, nothing is wider than the phone, no button cuts its
(translated, often longer) text off, axe finds nothing, and the page does not fall back to English."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from tests.browser.support import assert_accessible, settle
from trialoffers.models import BookingStatus, TrialBooking

pytestmark = pytest.mark.browser

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PHONE_320 = {"width": 320, "height": 640}

# Each step's English text: in another language it means a msgid was left untranslated.
ENGLISH = {
    "offers": ["Try us out", "Choose a time"],
    "offer": ["Pick a time", "Choose"],
    "form": ["Your details", "Book now"],
    "form with errors": ["Please check your entries", "Book now"],
    "sent": ["Please check your e-mail"],
}

# Every visible button (and link styled as one) whose text does not fit in its box.
CLIPPED_BUTTONS = """() => [...document.querySelectorAll('button, a.button')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .filter(el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
    .map(el => `${el.innerText.trim()}: ${el.scrollWidth}x${el.scrollHeight}`
        + ` in ${el.clientWidth}x${el.clientHeight}`)"""

# Text a template or a translation left unfilled: "%(name)s", "{name}", "{{ name }}".
RAW_PLACEHOLDERS = r"/%\(\w+\)[sd]|\{\{|\{\w+\}/"


def check_state(page, lang: str, step: str) -> None:
    """Everything a visitor in ``lang`` must get at each state of the journey, at 320px."""
    label = f"{lang}: {step}"
    settle(page)
    assert page.evaluate("document.documentElement.lang") == lang, f"{label}: <html lang> is not {lang}"
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{label}: the page is {widths[0]}px wide in a {widths[1]}px window"
    clipped = page.evaluate(CLIPPED_BUTTONS)
    assert not clipped, f"{label}: button text cut off: {clipped}"
    raw = page.evaluate(f"() => document.body.innerText.match({RAW_PLACEHOLDERS})")
    assert raw is None, f"{label}: a placeholder is shown raw: {raw}"
    if lang != "en":
        texts = page.locator("h1, h2, button, a.button").all_inner_texts()
        left = [english for english in ENGLISH[step] if english in {text.strip() for text in texts}]
        assert not left, f"{label}: still in English: {left}"
    assert_accessible(page, label)


def assert_language_switch(page, lang: str) -> None:
    """Seven links, one per language, each marked with its own language (so a reader says its name right)."""
    links = page.locator("nav.language-switch a")
    marks = [(links.nth(i).get_attribute("lang"), links.nth(i).get_attribute("hreflang")) for i in range(links.count())]
    assert [mark for mark, _hreflang in marks] == LANGUAGES, marks
    assert all(mark == hreflang for mark, hreflang in marks), marks
    current = page.locator("nav.language-switch a[aria-current='true']")
    assert current.count() == 1 and current.get_attribute("lang") == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_class_trial_in_every_language_at_320px(page, live_demo, screenshot, lang):
    page.set_viewport_size(PHONE_320)
    page.goto(f"{live_demo.url}/s/demo/trial/?lang={lang}")
    page.locator("h1").wait_for()
    assert_language_switch(page, lang)
    check_state(page, lang, "offers")

    # 1. The Hatha Yoga card's button (its name is the studio's, not translated).
    page.locator(".offer-card", has=page.locator("h2", has_text="Hatha Yoga")).locator("a.button").click()
    page.locator("h1", has_text="Hatha Yoga").wait_for()
    check_state(page, lang, "offer")

    # 2. The first free time.
    page.locator(".slot-list a.button").first.click()
    page.locator("input[name='first_name']").wait_for()
    check_state(page, lang, "form")
    screenshot(page, f"trial-form-320px-{lang}")

    # 3. Sent empty, the form explains every field (the longest texts of the journey).
    page.locator("#journey-form button[type='submit']").click()
    page.locator(".error-summary").wait_for()
    check_state(page, lang, "form with errors")

    #    This offer asks only for a name, an e-mail address and the consent.
    page.locator("input[name='first_name']").fill("Lea")
    page.locator("input[name='last_name']").fill("Sprache")
    page.locator("input[name='email']").fill(f"lea.{lang}@example.org")
    page.locator("input[name='privacy_consent']").check()
    assert page.locator("input[name='street']").count() == 0
    settle(page)  # the inline checks of the fields just left
    page.locator("#journey-form button[type='submit']").click()

    # 4. The page every lead gets after the form: the e-mail says how to go on.
    page.locator("main [role=status][data-autofocus]").wait_for()
    check_state(page, lang, "sent")
    assert_language_switch(page, lang)
    screenshot(page, f"trial-sent-320px-{lang}")
    booking = TrialBooking.objects.select_related("lead").get()
    assert booking.status == BookingStatus.CONFIRMATION_PENDING and booking.lead.language == lang

    # The e-mail that follows is in the lead's language too, and its link keeps the language.
    [message] = mail.outbox
    if lang != "en":
        assert message.subject != "Please confirm your trial session", f"{lang}: the e-mail subject is English"
    assert f"lang={lang}" in message.body, f"{lang}: the e-mail's link does not keep the language"
    page.problems.ignore("422")  # the form answered with its errors
    page.problems.assert_none()
