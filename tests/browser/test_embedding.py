"""The portal on a studio's website, in Chromium: /embed.js makes the iframe, sizes it to its content, names
it, scrolls to its top after each step and passes the language; only listed sites may frame it; the admin
shows a live preview. Browsers that block third-party cookies (Safari) get "Continue in a new tab" or the
Storage Access API on a click, never a sign-in loop or a blank frame; a CSRF failure shows the same help."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from portal.models import Studio
from tests.browser.support import Portal, StudioSite, assert_accessible, settle

pytestmark = pytest.mark.browser


def iframe_height(page, index: int = 0) -> float:
    return page.locator("[data-studio-portal] iframe").nth(index).evaluate("el => el.getBoundingClientRect().height")


def test_the_frame_fits_its_content_follows_the_journey_and_is_named(page, embedded_site, screenshot):
    portal = Portal(page, embedded_site.portal_url, embedded_site)
    ui = portal.open("trial", lang="en", above_px=500, below_px=800)
    portal.assert_frame_fits("all offers")
    all_offers = iframe_height(page)
    iframe = page.locator("[data-studio-portal] iframe")
    assert iframe.get_attribute("title") == "Trial training · Demo Fitness Berlin"
    assert page.evaluate("window.scrollY") == 0  # the first load does not scroll the studio's page

    # The list shrinks (htmx filter): the frame follows.
    ui.get_by_role("link", name="Yoga", exact=True).click()
    ui.locator(".chips a[aria-current='true']", has_text="Yoga").wait_for()
    portal.assert_frame_fits("only yoga")
    assert iframe_height(page) < all_offers

    # A step further down the page: the studio's page scrolls back to the top of the frame.
    page.evaluate("window.scrollTo(0, 900)")  # the visitor scrolled down the studio's page
    ui.get_by_role("link", name="Choose a time: Vinyasa Flow").click()
    ui.get_by_role("heading", name="Vinyasa Flow", level=1).wait_for()
    portal.assert_frame_top_in_view("offer page")
    portal.assert_frame_fits("offer page")
    assert iframe.get_attribute("title").startswith("Vinyasa Flow · ")
    settle(ui)
    screenshot(page, "embedded-trial-offer-desktop", full_page=False)
    page.problems.assert_none()


def test_only_the_portal_frame_itself_can_resize_it(page, embedded_site):
    portal = Portal(page, embedded_site.portal_url, embedded_site)
    page.goto(embedded_site.page({"page": "trial"}, {"page": "cancel"}))
    portal.ui = portal.frame(0)
    second = portal.frame(1)
    second.get_by_role("heading", name="Verträge hier kündigen").wait_for()
    portal.assert_frame_fits("first frame", 0)
    portal.assert_frame_fits("second frame", 1)
    heights = iframe_height(page, 0), iframe_height(page, 1)
    assert heights[0] != heights[1]

    # The studio's page itself, a script of another origin, and the second portal frame all try.
    page.evaluate("window.postMessage({source: 'studio-portal', type: 'resize', height: 77}, '*')")
    page.evaluate(
        """() => { const f = document.createElement('iframe');
        f.srcdoc = "<p>ad</p>"; document.body.appendChild(f);
        f.contentWindow.parent.postMessage({source: 'studio-portal', type: 'resize', height: 88}, '*'); }"""
    )
    second.evaluate("window.parent.postMessage({source: 'studio-portal', type: 'resize', height: 5000}, '*')")
    page.wait_for_timeout(200)
    assert iframe_height(page, 0) == heights[0]  # a message from the other frame sizes only that frame
    assert iframe_height(page, 1) == 5000
    page.problems.assert_none()


def test_language_deep_links_and_bad_snippets(page, embedded_site, live_demo):
    portal = Portal(page, live_demo.url, embedded_site)
    ui = portal.open("classes", lang="en")
    assert ui.locator("html").get_attribute("lang") == "en"
    assert ui.get_by_role("heading", level=1).inner_text() == "Class schedule"

    # Without data-lang the frame speaks the language of the studio's page.
    page.goto(embedded_site.page({"page": "appointments"}, lang="en"))
    ui = portal.frame()
    assert ui.locator("html").get_attribute("lang") == "en"
    page.goto(embedded_site.page({"page": "appointments"}, lang="de"))
    assert portal.frame().get_by_role("heading", level=1).inner_text() == "Termine"

    # A deep link to one trial offer.
    page.goto(f"{live_demo.url}/s/demo/trial/?lang=de")
    href = page.get_by_role("link", name="Termin wählen: Hatha Yoga").get_attribute("href")
    path = re.search(r"/s/demo/(trial/class/\d+/)", href).group(1)
    ui = portal.open(path=path)
    assert ui.get_by_role("heading", level=1).inner_text() == "Hatha Yoga"

    # A snippet naming an address outside the portal, or no studio, makes no frame at all.
    page.goto(embedded_site.page({"path": "../../admin/"}, {"studio": "", "page": "trial"}, {"path": "//evil/"}))
    page.wait_for_timeout(300)
    assert page.locator("iframe").count() == 0

    # An address that does not exist shows our "not found" page inside the frame, not a blank frame.
    ui = portal.open(path="no-such-page/")
    assert ui.get_by_role("heading", level=1).inner_text() == "Seite nicht gefunden"
    portal.assert_frame_fits("not found")
    page.problems.ignore("404")
    page.problems.assert_none()


def test_a_site_that_is_not_listed_cannot_frame_the_portal(page, embedded_site, live_demo):
    copycat = StudioSite(live_demo.url)  # another port: another origin, not in the studio's list
    try:
        refused = []
        page.on("console", lambda msg: "frame-ancestors" in msg.text and refused.append(msg.text))
        page.goto(copycat.page({"page": "account"}))
        frame = page.locator("iframe").element_handle().content_frame()
        page.wait_for_timeout(500)
        assert refused, "Chromium did not report the refusal"
        assert frame.locator("#main").count() == 0  # none of the portal's page is shown
    finally:
        copycat.close()


def test_admin_shows_the_snippet_and_a_live_preview(page, embedded_site, live_demo):
    User.objects.create_superuser("staff", "staff@example.org", "staff-password")
    studio = Studio.objects.get(slug="demo")
    page.goto(f"{live_demo.url}/admin/login/?next=/admin/portal/studio/{studio.pk}/embed/")
    page.get_by_label("Benutzername").fill("staff")
    page.get_by_label("Passwort").fill("staff-password")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_label("Seite", exact=True).select_option("classes")
    page.get_by_role("button", name="Anzeigen").click()
    snippet = page.locator("#embed-snippet").input_value()
    assert f'<script src="{live_demo.url}/embed.js" async></script>' in snippet
    assert 'data-page="classes"' in snippet
    preview = page.locator(".embed-preview iframe")
    preview.wait_for()
    frame = preview.element_handle().content_frame()
    frame.get_by_role("heading", level=1, name="Kursplan").wait_for()
    assert preview.evaluate("el => el.getBoundingClientRect().height") > 400  # sized to its content
    page.problems.ignore("404")  # Django's admin has no favicon
    page.problems.assert_none()


# --- Browsers that give the frame no cookies (Safari; Chrome with third-party cookies blocked) -------------
def test_member_area_in_a_frame_without_cookies_offers_a_new_tab(strict_page, embedded_site, live_demo, screenshot):
    page = strict_page
    portal = Portal(page, live_demo.url, embedded_site)
    ui = portal.open("account")
    help_box = ui.locator("#frame-cookie-help")
    help_box.wait_for()
    assert help_box.get_by_role("heading").inner_text() == "Ihr Browser verhindert die Anmeldung in diesem Rahmen"
    portal.assert_frame_fits("cookie help")
    assert_accessible(ui, "Mitgliederbereich im Rahmen ohne Cookies")
    screenshot(page, "embedded-member-area-without-cookies", full_page=False)

    # Trying anyway ends in the same help (the CSRF cookie never arrives), not in a loop or a blank frame.
    ui.get_by_label("E-Mail-Adresse").fill("mia@example.com")
    ui.get_by_role("button", name="Anmeldelink senden").click()
    ui.locator("#request-error").filter(has_text="Cookies").wait_for()
    assert help_box.is_visible()
    assert mail.outbox == []

    # Without JavaScript's help (a plain form post) the CSRF failure page says the same.
    ui.evaluate("document.querySelector('#sign-in form').submit()")
    ui.get_by_role("heading", level=1, name="Bitte versuchen Sie es erneut").wait_for()
    assert ui.locator("#frame-cookie-help").is_visible()
    portal.assert_frame_fits("CSRF failure")
    assert_accessible(ui, "CSRF-Fehler im Rahmen")

    # The new tab is first-party: signing in works there and stays.
    with page.expect_popup() as popup:
        ui.get_by_role("link", name="In neuem Tab fortfahren").click()
    tab = popup.value
    tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == "de"
    tab.get_by_label("E-Mail-Adresse").fill("mia@example.com")
    tab.get_by_role("button", name="Anmeldelink senden").click()
    tab.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    tab.goto(re.search(r"http://\S+/s/demo/account/sign-in/\S+", mail.outbox[-1].body).group(0))
    tab.get_by_role("button", name="Anmelden").click()
    tab.wait_for_url("**/s/demo/account/")
    assert "Angemeldet als Mia Schneider" in tab.locator("main").inner_text()
    assert not tab.locator("#frame-cookie-help").is_visible()
    page.problems.ignore("403")  # the two refused sign-in forms
    page.problems.assert_none()


def test_storage_access_on_a_click_lets_the_frame_use_the_session(strict_page, embedded_site, live_demo):
    page = strict_page
    portal = Portal(page, live_demo.url, embedded_site)
    # The member signed in on the portal itself before (first-party), e.g. through "Continue in a new tab".
    tab = page.context.new_page()
    tab.goto(portal.url("account/"))
    tab.get_by_label("E-Mail-Adresse").fill("mia@example.com")
    tab.get_by_role("button", name="Anmeldelink senden").click()
    tab.get_by_role("heading", name="Bitte sehen Sie in Ihre E-Mails").wait_for()
    tab.goto(re.search(r"http://\S+/s/demo/account/sign-in/\S+", mail.outbox[-1].body).group(0))
    tab.get_by_role("button", name="Anmelden").click()
    tab.wait_for_url("**/s/demo/account/")
    tab.close()

    ui = portal.open("account")
    allow = ui.get_by_role("button", name="Zugriff erlauben")
    allow.wait_for()
    assert ui.get_by_role("button", name="Anmeldelink senden").is_visible()  # no cookie: not signed in here
    page.context.grant_permissions(["storage-access"])  # the visitor says yes to the browser's question
    allow.click()
    ui.get_by_role("button", name="Abmelden").wait_for()  # the frame loaded again, with the session
    assert "Angemeldet als Mia Schneider" in ui.locator("main").inner_text()
    assert not ui.locator("#frame-cookie-help").is_visible()
    portal.assert_frame_fits("signed in through storage access")

    # The next visit to the studio's page uses the access granted before, without another click.
    ui = portal.open("account")
    ui.get_by_role("button", name="Abmelden").wait_for()
    page.problems.assert_none()


def test_the_frame_keeps_its_language_without_cookies(strict_page, embedded_site, live_demo):
    """The language cookie is lost too: links, forms and htmx requests inside the frame carry the language."""
    portal = Portal(strict_page, live_demo.url, embedded_site)
    ui = portal.open("classes", lang="en")  # an English page of the studio's website, a German browser
    ui.get_by_label("Category").select_option("Pilates")
    ui.get_by_role("status").filter(has_text="classes found").wait_for(state="attached")
    studio_nav = ui.get_by_role("navigation", name="Studio")
    studio_nav.get_by_role("link", name="Appointments").click()
    ui.get_by_role("heading", level=1, name="Appointments").wait_for()
    ui.get_by_role("link", name="See free times: Körperanalyse (InBody)").click()
    ui.get_by_role("navigation", name="Choose a day").wait_for()
    assert ui.locator("html").get_attribute("lang") == "en"
    studio_nav.get_by_role("link", name="My account").click()
    ui.get_by_role("button", name="Send sign-in link").wait_for()
    assert ui.get_by_role("link", name="Continue in a new tab").get_attribute("href").endswith("?lang=en")
    strict_page.problems.assert_none()
