"""Staff admin: the API key is write-only and encrypted, the logo is checked, the connection test reports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from portal.admin import StudioAdminForm
from portal.models import Studio
from sandbox.models import SandboxObject
from tests.selfservice.documents import image

RAW_KEY = "demo-api-key"
PNG, JPEG, WEBP = image("PNG"), image("JPEG"), image("WEBP")
FAKE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the right first bytes, nothing an image decoder can read


def change_url(studio: Studio) -> str:
    return f"/admin/portal/studio/{studio.pk}/change/"


def form_data(studio: Studio, **overrides) -> dict:
    data = {
        "name": studio.name,
        "slug": studio.slug,
        "is_active": "on",
        "default_language": studio.default_language,
        "languages": studio.enabled_languages,
        "timezone": studio.timezone,
        "contact_email": studio.contact_email,
        "privacy_policy_url": studio.privacy_policy_url,
        "mode": studio.mode,
        "api_base_url": studio.api_base_url,
        "api_key": "",
        "brand_colour": studio.brand_colour,
        "allowed_embed_origins": studio.allowed_embed_origins,
        # The sandbox's fault-injection inline, left empty.
        "sandbox_faults-TOTAL_FORMS": "0",
        "sandbox_faults-INITIAL_FORMS": "0",
        "trial_what_to_bring": studio.trial_what_to_bring,
        "checkin_voucher_online_offer_id": studio.checkin_voucher_online_offer_id or "",
        "lead_retention_days": studio.lead_retention_days,
        "lead_limit_per_ip_per_hour": studio.lead_limit_per_ip_per_hour,
        "lead_limit_per_email_per_day": studio.lead_limit_per_email_per_day,
        "default_cancelation_reason_id": studio.default_cancelation_reason_id or "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def stored_column(studio: Studio) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key_encrypted FROM portal_studio WHERE id = %s", [studio.pk])
        return cursor.fetchone()[0]


# --- API key -----------------------------------------------------------------------
def test_change_form_never_renders_the_key(admin_client, demo_studio):
    response = admin_client.get(change_url(demo_studio), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert RAW_KEY not in html
    assert stored_column(demo_studio) not in html
    assert 'type="password"' in html
    assert "A key is stored" in html


def test_change_form_says_when_no_key_is_stored(admin_client, db):
    studio = Studio.objects.create(name="Keyless", slug="keyless")
    html = admin_client.get(change_url(studio), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No key stored yet" in html


def test_key_is_stored_encrypted(admin_client, demo_studio):
    response = admin_client.post(change_url(demo_studio), form_data(demo_studio, api_key="  new-secret-key  "))
    assert response.status_code == 302
    column = stored_column(demo_studio)
    assert column and "new-secret-key" not in column
    demo_studio.refresh_from_db()
    assert demo_studio.api_key == "new-secret-key"


def test_blank_key_keeps_the_stored_key(admin_client, demo_studio):
    before = stored_column(demo_studio)
    response = admin_client.post(change_url(demo_studio), form_data(demo_studio, name="Renamed"))
    assert response.status_code == 302
    demo_studio.refresh_from_db()
    assert demo_studio.name == "Renamed"
    assert stored_column(demo_studio) == before
    assert demo_studio.api_key == RAW_KEY


def test_clear_key_removes_it(admin_client, demo_studio):
    admin_client.post(change_url(demo_studio), form_data(demo_studio, clear_api_key="on"))
    demo_studio.refresh_from_db()
    assert not demo_studio.has_api_key


def test_new_key_and_clear_together_is_an_error(demo_studio):
    form = StudioAdminForm(data=form_data(demo_studio, api_key="x", clear_api_key="on"), instance=demo_studio)
    assert not form.is_valid()
    assert "clear_api_key" in form.errors


def test_changelist_shows_mode_and_whether_a_key_is_set(admin_client, demo_studio):
    Studio.objects.create(name="Keyless", slug="keyless")
    html = admin_client.get("/admin/portal/studio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "API key set" in html
    assert 'alt="True"' in html and 'alt="False"' in html
    assert RAW_KEY not in html


# --- Logo --------------------------------------------------------------------------
def logo_form(studio: Studio, content: bytes, name: str = "logo.png", **overrides) -> StudioAdminForm:
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return StudioAdminForm(data=form_data(studio, **overrides), files={"logo_upload": upload}, instance=studio)


@pytest.mark.parametrize(("content", "content_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
def test_logo_type_comes_from_the_file_itself(demo_studio, content, content_type):
    form = logo_form(demo_studio, content, name="whatever.gif")
    assert form.is_valid(), form.errors
    form.save()
    demo_studio.refresh_from_db()
    assert bytes(demo_studio.logo) == content
    assert demo_studio.logo_content_type == content_type


@pytest.mark.parametrize(
    "content",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a" + b"\x00" * 20,
        b"",
        FAKE_PNG,
    ],
)
def test_logo_rejects_other_files(demo_studio, content):
    form = logo_form(demo_studio, content, name="logo.png")
    assert not form.is_valid()
    assert "logo_upload" in form.errors


def test_logo_rejects_files_over_200_kb(demo_studio):
    form = logo_form(demo_studio, PNG + b"\x00" * (200 * 1024))
    assert not form.is_valid()
    assert "200 KB" in str(form.errors["logo_upload"])


def test_logo_upload_through_admin_is_served_and_removable(admin_client, client, demo_studio):
    data = form_data(demo_studio, logo_upload=SimpleUploadedFile("l.png", PNG, content_type="image/png"))
    assert admin_client.post(change_url(demo_studio), data).status_code == 302
    logo = client.get("/s/demo/logo")
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert logo.content == PNG

    assert admin_client.post(change_url(demo_studio), form_data(demo_studio, remove_logo="on")).status_code == 302
    demo_studio.refresh_from_db()
    assert not demo_studio.logo
    assert client.get("/s/demo/logo").status_code == 404


# --- Connection test ----------------------------------------------------------------
def test_action_reports_each_studio_in_plain_words(admin_client, demo_studio):
    keyless = Studio.objects.create(name="Keyless", slug="keyless")
    response = admin_client.post(
        "/admin/portal/studio/",
        {"action": "test_connection_action", "_selected_action": [demo_studio.pk, keyless.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = response.content.decode()
    assert "Demo Fitness Berlin: Connection works" in html
    assert "Keyless: No API key is stored" in html


def test_change_form_button_runs_the_test(admin_client, demo_studio):
    page = admin_client.get(change_url(demo_studio), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    url = f"/admin/portal/studio/{demo_studio.pk}/test-connection/"
    assert f'action="{url}"' in page
    assert admin_client.get(url).status_code == 405  # a POST with CSRF token, never a link
    response = admin_client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain[-1][0] == change_url(demo_studio)
    assert "Connection works" in response.content.decode()


def test_connection_test_needs_staff(client, demo_studio):
    response = client.post(f"/admin/portal/studio/{demo_studio.pk}/test-connection/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- Sandbox objects: read-only ---------------------------------------------------------
def test_sandbox_objects_are_read_only(admin_client, demo_studio):
    obj = SandboxObject.objects.filter(studio=demo_studio, kind="studio_info").first()
    listing = admin_client.get("/admin/sandbox/sandboxobject/?kind=studio_info")
    assert listing.status_code == 200
    assert "studio_info" in listing.content.decode()
    detail = admin_client.get(f"/admin/sandbox/sandboxobject/{obj.pk}/change/")
    assert detail.status_code == 200
    assert "Torstraße" in detail.content.decode()
    assert admin_client.get("/admin/sandbox/sandboxobject/add/").status_code == 403
    assert admin_client.post(f"/admin/sandbox/sandboxobject/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SandboxObject.objects.filter(pk=obj.pk).exists()


def test_slug_help_text_shows_the_address(admin_client, demo_studio):
    html = admin_client.get(change_url(demo_studio), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Used in the address: /s/slug/" in html
