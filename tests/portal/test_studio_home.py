"""The studio home page and the shell every page shares (language, footer, CSP, no third parties)."""

from __future__ import annotations

import re

import pytest

from portal.models import Studio
from sandbox import faults


def page(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_the_studio_from_the_api(client, demo_studio):
    html = page(client, "/s/demo/?lang=en")
    assert "<h1>Demo Fitness Berlin</h1>" in html
    assert "Ein freundliches Studio mit Kursen" in html
    assert "Torstraße 101<br>10119 Berlin" in html
    assert '<a href="tel:+49301234567">+49 30 1234567</a>' in html
    assert 'href="mailto:hallo@demo-fitness.example"' in html
    assert 'href="https://demo-fitness.example"' in html


def test_opening_hours_are_localized(client, demo_studio):
    german = page(client, "/s/demo/")
    assert '<th scope="row">Montag – Freitag</th><td>07:00 – 22:00</td>' in german
    assert "Samstag – Sonntag" in german
    english = page(client, "/s/demo/?lang=en")
    assert "Monday – Friday" in english
    assert "7 a.m. – 10 p.m." in english


def test_home_links_to_every_area(client, demo_studio):
    html = page(client, "/s/demo/")
    for area in ("trial", "classes", "appointments", "account"):
        assert f'href="/s/demo/{area}/"' in html


def test_home_survives_a_failing_api(client, demo_studio):
    faults.configure(demo_studio, error_rates={"500": 1.0})
    response = client.get("/s/demo/?lang=en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The studio&#x27;s system is not reachable right now" in html
    assert "<h1>Demo Fitness Berlin</h1>" in html  # the portal's own name
    assert 'href="/s/demo/classes/"' in html
    assert "hallo@demo-fitness.example" in html  # contact from the portal's own settings


def test_german_by_default_and_english_on_request(client, demo_studio):
    german = page(client, "/s/demo/")
    assert '<html lang="de">' in german
    assert "Öffnungszeiten" in german
    assert ">Verträge hier kündigen</a>" in german
    assert "Zum Inhalt springen" in german

    response = client.get("/s/demo/?lang=en")
    english = response.content.decode()
    assert '<html lang="en">' in english
    assert "Opening hours" in english
    assert "(Cancel contracts here)</span></a>" in english
    assert response.cookies["django_language"].value == "en"
    # The choice sticks through the cookie.
    assert '<html lang="en">' in page(client, "/s/demo/")


def test_browser_language_is_used_without_a_choice(client, demo_studio):
    assert '<html lang="en">' in page(client, "/s/demo/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")


def test_studio_default_language_applies(client, demo_studio):
    demo_studio.default_language = "en"
    demo_studio.save()
    assert '<html lang="en">' in page(client, "/s/demo/")


def test_footer_has_the_cancel_link_and_privacy_policy(client, demo_studio):
    html = page(client, "/s/demo/")
    assert '<a class="cancel-link" href="/s/demo/cancel/">Verträge hier kündigen</a>' in html
    assert 'href="https://demo-fitness.example/datenschutz"' in html


def test_language_switch_marks_the_current_language_and_keeps_the_query(client, demo_studio):
    html = page(client, "/s/demo/?lang=en&day=2026-11-23")
    assert 'href="?lang=de&amp;day=2026-11-23" hreflang="de" lang="de">Deutsch</a>' in html
    assert 'href="?lang=en&amp;day=2026-11-23" hreflang="en" lang="en" aria-current="true">English</a>' in html


def test_landmarks_and_skip_link(client, demo_studio):
    html = page(client, "/s/demo/")
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert html.count("<h1") == 1


def test_pages_carry_a_strict_csp(client, demo_studio):
    response = client.get("/s/demo/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_no_inline_styles_scripts_or_third_party_requests(client, demo_studio):
    for url in ("/s/demo/", "/s/demo/?lang=en", "/s/nope/"):
        html = client.get(url).content.decode()
        assert "style=" not in html
        # The only inline style is the theme, allowed by its CSP hash (see test_theme.py).
        assert html.count("<style") <= 1
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"
        # Everything the page loads by itself (scripts, styles, images) comes from this site.
        for match in re.finditer(r'<(?:script|img|link)[^>]*(?:src|href)="([^"]+)"', html):
            assert match.group(1).startswith("/"), match.group(1)


def test_logo_shows_when_uploaded(client, demo_studio):
    demo_studio.logo, demo_studio.logo_content_type = b"\x89PNG\r\n\x1a\nfake", "image/png"
    demo_studio.save()
    html = page(client, "/s/demo/")
    assert re.search(r'<img src="/s/demo/logo\?v=\d+" alt="" class="brand-logo"', html)


def test_unsafe_website_from_upstream_is_not_linked(client, demo_studio):
    from sandbox.store import Store

    store = Store(demo_studio)
    info = store.all("studio_info")[0]
    info["website"] = "javascript:alert(1)"
    store.save("studio_info", info)
    html = page(client, "/s/demo/")
    assert "javascript:" not in html


def test_studio_list_redirects_to_the_only_studio(client, demo_studio):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/s/demo/"


def test_studio_list_lists_studios(client, demo_studio):
    Studio.objects.create(name="Second Studio", slug="second")
    html = page(client, "/?lang=en")
    assert 'href="/s/demo/"' in html and "Second Studio" in html


@pytest.mark.parametrize("url", ["/s/nope/", "/s/nope/theme.css"])
def test_unknown_studio_is_404_in_the_portal_look(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_upcoming_closures_are_shown_in_studio_time(client, demo_studio):
    import datetime
    import zoneinfo

    from portal.perfectgym.datetimes import format_api_datetime
    from sandbox.store import Store

    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    day = datetime.date(2030, 3, 4)
    store = Store(demo_studio)
    info = store.all("studio_info")[0]
    info["closingHours"] = [
        {
            "reason": "Grundreinigung",
            "dateTimeFrom": format_api_datetime(datetime.datetime.combine(day, datetime.time(8), berlin)),
            "dateTimeTo": format_api_datetime(datetime.datetime.combine(day, datetime.time(14), berlin)),
        },
        {  # over: not shown
            "reason": "Vergangen",
            "dateTimeFrom": "2020-01-01T00:00:00.000+01:00[Europe/Berlin]",
            "dateTimeTo": "2020-01-02T00:00:00.000+01:00[Europe/Berlin]",
        },
    ]
    store.save("studio_info", info)
    german = page(client, "/s/demo/")
    assert "Sonderschließzeiten" in german
    assert "4. März 2030, 08:00 – 14:00" in german
    assert "Grundreinigung" in german
    assert "Vergangen" not in german
    assert "March 4, 2030, 8 a.m. – 2 p.m." in page(client, "/s/demo/?lang=en")


def test_home_shows_current_occupancy(client, demo_studio):
    html = client.get("/s/demo/?lang=en").content.decode()
    assert "In the studio right now" in html
    assert "people" in html


def test_home_reads_studio_information_from_the_cache_when_warm(client, demo_studio):
    client.get("/s/demo/?lang=en")
    warm = client.get("/s/demo/?lang=en")
    assert warm.status_code == 200
    assert 'desc="0 calls"' in warm["Server-Timing"]
