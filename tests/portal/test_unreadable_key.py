"""A stored API key that no longer decrypts (SECRET_KEY changed without PORTAL_ENCRYPTION_KEY).

Visitors see a plain "not available" page in the studio's layout, never a server error; staff
see the reason in admin and are asked to enter the key again.
"""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet

from portal.lib import crypto
from portal.models import Studio

PAGES = [
    "/s/demo/",
    "/s/demo/trial/",
    "/s/demo/classes/",
    "/s/demo/appointments/",
]


@pytest.fixture
def unreadable_key(demo_studio) -> Studio:
    # Encrypted with a key the portal does not have: what a changed SECRET_KEY leaves behind.
    stranger = Fernet(Fernet.generate_key()).encrypt(b"demo-api-key").decode()
    Studio.objects.filter(pk=demo_studio.pk).update(api_key_encrypted=stranger)
    demo_studio.refresh_from_db()
    with pytest.raises(crypto.DecryptionError):
        _ = demo_studio.api_key
    return demo_studio


@pytest.mark.parametrize("path", PAGES)
def test_visitors_see_not_available_in_the_studio_layout(client, unreadable_key, path, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    page = response.content.decode()
    assert "Not available right now" in page
    assert "Demo Fitness" in page  # the studio's own header, not the bare server-error page
    assert not [record for record in caplog.records if record.exc_info]  # no traceback logged


def test_the_page_is_translated(client, unreadable_key):
    response = client.get("/s/demo/classes/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 503
    assert "Gerade nicht verfügbar" in response.content.decode()


def test_other_studios_are_not_affected(client, unreadable_key):
    assert client.get("/healthz").status_code == 200


def test_admin_list_flags_the_key(admin_client, unreadable_key):
    listing = admin_client.get("/admin/portal/studio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "cannot be decrypted: enter it again" in listing


def test_admin_change_page_says_to_enter_it_again(admin_client, unreadable_key):
    page = admin_client.get(f"/admin/portal/studio/{unreadable_key.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "The stored API key cannot be decrypted" in page.content.decode()
    assert "enter the key again" in page.content.decode()


def test_entering_the_key_again_clears_the_flag(unreadable_key):
    assert not unreadable_key.api_key_is_readable
    unreadable_key.set_api_key("demo-api-key")
    assert unreadable_key.api_key_is_readable
