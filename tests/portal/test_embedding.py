"""Framing rules and the embed script: studio pages fit into the studio's own website only."""

from __future__ import annotations

import pytest


@pytest.fixture
def embeddable_studio(demo_studio):
    demo_studio.allowed_embed_origins = "https://www.demo-fitness.example\nhttps://shop.demo-fitness.example"
    demo_studio.save()
    return demo_studio


def test_studio_pages_may_be_framed_by_the_studios_origins(client, embeddable_studio):
    response = client.get("/s/demo/")
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.demo-fitness.example https://shop.demo-fitness.example" in policy
    assert "X-Frame-Options" not in response
    assert "'unsafe-inline'" not in policy


def test_studio_without_origins_is_framed_only_by_the_portal(client, demo_studio):
    assert "frame-ancestors 'self'" in client.get("/s/demo/")["Content-Security-Policy"]


def test_other_pages_stay_unframable(client, demo_studio):
    assert "frame-ancestors 'none'" in client.get("/healthz")["Content-Security-Policy"]
    response = client.get("/s/no-such-studio/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert client.get("/admin/login/")["X-Frame-Options"] == "DENY"


def test_embed_script_is_served_for_other_sites(client, db):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    body = response.content.decode()
    assert "event.origin !== portalOrigin" in body
    assert "event.source !== frame.contentWindow" in body


def test_cookies_are_samesite_none_and_secure_in_production():
    """Inside an iframe the portal is third-party: without SameSite=None browsers drop its cookies."""
    from tests.portal.test_settings import _manage

    show = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SAMESITE)"
    )
    production = _manage("shell", "-c", show, SECRET_KEY="k" * 50)
    assert production.stdout.split()[-3:] == ["None", "True", "None"]
    development = _manage("shell", "-c", show, DEBUG="1")
    assert development.stdout.split()[-3:] == ["Lax", "False", "Lax"]


def test_admin_shows_a_snippet_ready_to_copy_and_a_live_preview(admin_client, embeddable_studio):
    url = f"/admin/portal/studio/{embeddable_studio.pk}/embed/?page=classes&lang=en"
    html = admin_client.get(url).content.decode()
    assert "&lt;script src=&quot;http://testserver/embed.js&quot; async&gt;&lt;/script&gt;" in html
    assert 'data-studio="demo" data-page="classes" data-lang="en"' in html
    assert '<div data-studio-portal data-studio="demo" data-page="classes" data-lang="en"></div>' in html
    assert "https://www.demo-fitness.example" in html
    change = admin_client.get(f"/admin/portal/studio/{embeddable_studio.pk}/change/").content.decode()
    assert f"/admin/portal/studio/{embeddable_studio.pk}/embed/" in change


def test_csrf_failure_offers_a_new_tab_instead_of_a_bare_403(demo_studio):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/s/demo/?lang=en", {"anything": "1"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Continue in a new tab" in html
    assert 'target="_blank"' in html
    assert (
        'id="frame-cookie-help"' in html
        and 'id="frame-cookie-help" class="notice frame-cookie-help" aria-labelledby="frame-cookie-help-title" hidden'
        not in html
    )


def test_member_pages_ask_for_cookies_and_carry_the_hidden_help(client, demo_studio):
    html = client.get("/s/demo/?lang=en").content.decode()
    assert "data-needs-cookies" not in html
    assert 'aria-labelledby="frame-cookie-help-title" hidden' in html


# --- Allowed embed origins: scheme://host[:port] and nothing that could change the CSP -------------------
BAD_ORIGINS = [
    "https://x; script-src * 'unsafe-inline'",
    "https://*.demo-fitness.example",
    "*",
    "https://www.demo-fitness.example https://other.example",
    "https://www.demo-fitness.example/embed",
    "https://www.demo-fitness.example?x=1",
    "javascript://x",
    "www.demo-fitness.example",
    "https://www.demo-fitness.example:99999",
]


@pytest.mark.parametrize("origin", BAD_ORIGINS)
def test_anything_but_an_origin_is_refused(demo_studio, origin):
    from django.core.exceptions import ValidationError

    demo_studio.allowed_embed_origins = f"https://ok.example\n{origin}"
    with pytest.raises(ValidationError) as refused:
        demo_studio.full_clean()
    assert "allowed_embed_origins" in refused.value.message_dict


@pytest.mark.parametrize("origin", ["https://www.demo-fitness.example", "http://localhost:8000", "https://[::1]:8443"])
def test_origins_with_and_without_a_port_are_accepted(demo_studio, origin):
    demo_studio.allowed_embed_origins = f"{origin}/"
    demo_studio.full_clean()
    assert demo_studio.embed_origins == [origin]


def test_admin_explains_what_an_origin_is(admin_client, demo_studio):
    from tests.portal.test_admin import change_url, form_data

    data = form_data(demo_studio, allowed_embed_origins="https://x; script-src * 'unsafe-inline'")
    response = admin_client.post(change_url(demo_studio), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form again, with the error
    assert "is not an origin" in response.content.decode()
    demo_studio.refresh_from_db()
    assert "script-src" not in demo_studio.allowed_embed_origins


def test_rows_saved_before_never_reach_the_header(client, demo_studio):
    from portal.models import Studio

    Studio.objects.filter(pk=demo_studio.pk).update(
        allowed_embed_origins="https://x; script-src * 'unsafe-inline'\nhttps://www.demo-fitness.example\n*"
    )
    policy = client.get("/s/demo/")["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors 'self' https://www.demo-fitness.example")
    assert "'unsafe-inline'" not in policy and "*" not in policy and policy.count("script-src") == 1
