"""The studio home in a real browser: both languages, the CSP holds, no third-party requests, 320px wide."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_home_in_german_and_english(page, live_demo, screenshot):
    page.goto(f"{live_demo.url}/s/demo/?lang=de")
    assert page.locator("h1").inner_text() == "Demo Fitness Berlin"
    assert page.locator("html").get_attribute("lang") == "de"
    switch = page.get_by_role("navigation", name="Sprache")
    assert switch.get_by_role("link", name="Deutsch").get_attribute("aria-current") == "true"
    footer_link = page.get_by_role("contentinfo").get_by_role("link", name="Verträge hier kündigen")
    assert footer_link.get_attribute("href") == "/s/demo/cancel/"
    assert page.get_by_role("heading", name="Öffnungszeiten").is_visible()
    assert page.get_by_role("row", name="Montag – Freitag").inner_text().endswith("07:00 – 22:00")
    screenshot(page, "home-de")

    # The language switch itself, as a visitor would use it.
    switch.get_by_role("link", name="English").click()
    page.wait_for_url("**/s/demo/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Demo Fitness Berlin"
    assert (
        page.get_by_role("navigation", name="Language")
        .get_by_role("link", name="English")
        .get_attribute("aria-current")
        == "true"
    )
    assert page.get_by_role("contentinfo").get_by_role("link", name="Cancel contracts here").is_visible()
    assert page.get_by_role("heading", name="Opening hours").is_visible()
    screenshot(page, "home-en")

    # The theme stylesheet applied (the header is the brand colour, not the browser default).
    header_bg = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_bg == "rgb(10, 125, 90)"
    page.problems.assert_none()


def test_skip_link_and_narrow_screen(page, live_demo, screenshot):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_demo.url}/s/demo/?lang=de")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # shown when focused
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"page is {scroll_width}px wide at a 320px viewport"
    screenshot(page, "home-de-320px")
    page.problems.assert_none()
