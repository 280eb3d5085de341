"""Setting a studio up on its own admin page: key, connection test, what the API says, the cancelation reason
chosen by name, the embed snippet and a checklist, without the shell."""

from __future__ import annotations

import html

import pytest
import requests
import responses
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from portal.models import Studio
from sandbox import demo, faults
from tests.portal.test_admin import form_data

TENANT = "https://tenant.example"
INFORMATION = f"{TENANT}/v1/studios/information"
REASONS = f"{TENANT}/v1/memberships/self-service/contract-cancelation-reasons"
REJECTED = "The API key was rejected (401 Unauthorized). Check that you copied the whole key for this studio."


def change_url(studio: Studio) -> str:
    return reverse("admin:portal_studio_change", args=[studio.pk])


def page(response) -> str:
    return html.unescape(response.content.decode())


def new_studio_data(**overrides) -> dict:
    """The add form as a superuser fills it in for a new tenant."""
    data = {
        "name": "Neu",
        "slug": "neu",
        "is_active": "on",
        "default_language": "de",
        "timezone": "UTC",
        "contact_email": "",
        "privacy_policy_url": "",
        "mode": Studio.Mode.SANDBOX,
        "api_base_url": "",
        "api_key": "neu-key",
        "brand_colour": "#0a7d5a",
        "allowed_embed_origins": "",
        "sandbox_faults-TOTAL_FORMS": "0",
        "sandbox_faults-INITIAL_FORMS": "0",
        "trial_what_to_bring": "",
        "checkin_voucher_online_offer_id": "",
        "lead_retention_days": 90,
        "lead_limit_per_ip_per_hour": 10,
        "lead_limit_per_email_per_day": 5,
        "default_cancelation_reason_id": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def superuser_client(admin_client) -> Client:
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


@pytest.fixture
def new_studio(superuser_client) -> Studio:
    """A studio added through the add page, on the sandbox, whose tenant has the demo's data (in Berlin)."""
    response = superuser_client.post(reverse("admin:portal_studio_add"), new_studio_data())
    assert response.status_code == 302, page(response)
    studio = Studio.objects.get(slug="neu")
    tenant = Studio.objects.get(pk=studio.pk)
    tenant.timezone = "Europe/Berlin"  # the tenant's own data is in Berlin; the portal still says UTC
    demo.load(tenant)
    return studio


@pytest.fixture
def live_studio(db) -> Studio:
    studio = Studio.objects.create(name="Live", slug="live", mode=Studio.Mode.LIVE, api_base_url=TENANT)
    studio.set_api_key("live-key")
    studio.save()
    return studio


def reason_ids(demo_client) -> dict[str, int]:
    reasons = demo_client.get_contract_cancelation_reason_data()
    return {reason.cancelation_reason_name: reason.cancelation_reason_id for reason in reasons}


# --- The connection test and what the API says --------------------------------------------------
def test_test_connection_shows_what_the_api_says_and_staff_take_name_and_time_zone(superuser_client, new_studio):
    before = page(superuser_client.get(change_url(new_studio)))
    assert "Setup checklist" in before and "Not tested yet in this session." in before

    tested = superuser_client.post(reverse("admin:portal_studio_test_connection", args=[new_studio.pk]), follow=True)

    shown = page(tested)
    assert tested.redirect_chain[-1][0] == change_url(new_studio)
    assert "Connection works: the API answered for the studio “Demo Fitness Berlin”." in shown
    assert "Europe/Berlin (the portal has UTC)" in shown
    assert "Torstraße 101" in shown and "10119 Berlin" in shown
    assert "Monday – Friday: 7 a.m. – 10 p.m." in shown
    assert "the portal does not store the address and opening hours" in shown.lower()

    taken = superuser_client.post(reverse("admin:portal_studio_settings_from_api", args=[new_studio.pk]), follow=True)

    new_studio.refresh_from_db()
    assert (new_studio.name, new_studio.timezone) == ("Demo Fitness Berlin", "Europe/Berlin")
    assert "Name and time zone taken from the API: “Demo Fitness Berlin”, Europe/Berlin." in page(taken)
    assert "Use this name and time zone" not in page(taken)  # nothing left to take over


def test_save_and_test_connection_stores_the_pasted_key_first(superuser_client, live_studio):
    # A live tenant: a sandbox studio accepts whichever key the portal stores for it.
    def tenant(request):
        if request.headers["X-API-KEY"] != "right-key":
            return 401, {}, '{"errorCode": "errormessage.unauthorized"}'
        return 200, {}, '{"studioId": 7, "name": "Live Gym", "accessCodeConfiguration": {}}'

    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.add_callback(responses.GET, INFORMATION, callback=tenant)
        api.add_callback(responses.GET, REASONS, callback=tenant)
        wrong = superuser_client.post(
            change_url(live_studio), form_data(live_studio, api_key="wrong-key", _test_connection="1"), follow=True
        )
        right = superuser_client.post(
            change_url(live_studio), form_data(live_studio, api_key="right-key", _test_connection="1"), follow=True
        )
    assert wrong.redirect_chain[-1][0] == change_url(live_studio)
    assert REJECTED in page(wrong) and "What the API says about this studio" not in page(wrong)
    assert "Connection works" in page(right) and REJECTED not in page(right)
    live_studio.refresh_from_db()
    assert live_studio.api_key == "right-key"


def test_a_live_studio_is_added_and_tested_in_one_step(superuser_client):
    data = new_studio_data(
        mode=Studio.Mode.LIVE, api_base_url=TENANT, api_key="live-key", _test_connection="1", timezone="UTC"
    )
    body = {"studioId": 7, "name": "Live Gym Wien", "countryCode": "AT", "accessCodeConfiguration": {}}
    with responses.RequestsMock() as api:
        api.get(INFORMATION, json=body)
        api.get(REASONS, json=[{"cancelationReasonId": 5, "cancelationReasonName": "Umzug"}])
        response = superuser_client.post(reverse("admin:portal_studio_add"), data, follow=True)
        information_calls = [call.request.headers["X-API-KEY"] for call in api.calls if call.request.url == INFORMATION]
    studio = Studio.objects.get(slug="neu")
    shown = page(response)
    assert response.redirect_chain[-1][0] == change_url(studio)
    assert "Connection works: the API answered for the studio “Live Gym Wien”." in shown
    assert "Europe/Vienna (the portal has UTC)" in shown  # no zone in the answer: the country has one
    assert information_calls == ["live-key"]  # one GET for the test; the setup box showed what it kept
    assert '<option value="5">Umzug</option>' in shown


@pytest.mark.parametrize(
    ("answer", "sentence"),
    [
        ({"status": 401, "json": {"errorCode": "errormessage.unauthorized"}}, REJECTED),
        (
            {"status": 403, "json": {"errorCode": "errormessage.permission.denied"}},
            "it lacks the scope, or it belongs to another studio.",
        ),
        ({"body": requests.exceptions.ConnectionError("refused")}, "The API could not be reached"),
    ],
    ids=["wrong-key", "missing-scope", "unreachable"],
)
def test_a_failed_test_says_why_in_plain_words(superuser_client, answer, sentence):
    studio = Studio.objects.create(name="Live", slug="live", mode=Studio.Mode.LIVE, api_base_url=TENANT)
    studio.set_api_key("live-key")
    studio.save()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.get(INFORMATION, **answer)
        api.get(REASONS, **answer)
        shown = page(
            superuser_client.post(reverse("admin:portal_studio_test_connection", args=[studio.pk]), follow=True)
        )
    assert sentence in shown
    assert "Connection works" not in shown and "Use this name and time zone" not in shown


def test_changing_the_key_forgets_the_last_test(superuser_client, demo_studio):
    superuser_client.post(reverse("admin:portal_studio_test_connection", args=[demo_studio.pk]))
    assert "Connection works" in page(superuser_client.get(change_url(demo_studio)))
    superuser_client.post(change_url(demo_studio), form_data(demo_studio, api_key="another-key"))
    assert "Not tested yet in this session." in page(superuser_client.get(change_url(demo_studio)))


# --- The cancelation reason, chosen by name ------------------------------------------------------
def test_reason_is_chosen_from_the_studios_list(superuser_client, demo_studio, demo_client):
    ids = reason_ids(demo_client)
    shown = page(superuser_client.get(change_url(demo_studio)))
    assert '<select name="default_cancelation_reason_id"' in shown
    for name, reason_id in ids.items():
        assert f'<option value="{reason_id}">{name}</option>' in shown

    saved = superuser_client.post(
        change_url(demo_studio), form_data(demo_studio, default_cancelation_reason_id=ids["Umzug"])
    )

    assert saved.status_code == 302
    demo_studio.refresh_from_db()
    assert demo_studio.default_cancelation_reason_id == ids["Umzug"]
    assert f'<option value="{ids["Umzug"]}" selected>Umzug</option>' in page(
        superuser_client.get(change_url(demo_studio))
    )


def test_a_reason_the_studio_removed_stays_choosable(superuser_client, demo_studio):
    demo_studio.default_cancelation_reason_id = 424242
    demo_studio.save()
    shown = page(superuser_client.get(change_url(demo_studio)))
    assert "424242 (no longer in the studio's list)" in shown
    assert superuser_client.post(change_url(demo_studio), form_data(demo_studio)).status_code == 302


def test_page_works_without_the_api(superuser_client, demo_studio):
    faults.configure(demo_studio, error_rates={"503": 1.0})
    response = superuser_client.get(change_url(demo_studio))
    shown = page(response)
    assert response.status_code == 200
    assert '<input type="number" name="default_cancelation_reason_id"' in shown
    assert "could not be read from the API right now" in shown
    saved = superuser_client.post(change_url(demo_studio), form_data(demo_studio, default_cancelation_reason_id="77"))
    assert saved.status_code == 302
    demo_studio.refresh_from_db()
    assert demo_studio.default_cancelation_reason_id == 77


def test_without_a_key_the_reason_is_a_number_and_nothing_is_asked(superuser_client, db):
    studio = Studio.objects.create(name="Keyless", slug="keyless")
    with responses.RequestsMock():  # any call would fail: none is expected
        shown = page(superuser_client.get(change_url(studio)))
    assert '<input type="number" name="default_cancelation_reason_id"' in shown
    assert "Once the API key is saved and works" in shown


# --- Checklist and embed snippet -----------------------------------------------------------------
def test_checklist_says_what_is_left(superuser_client, new_studio):
    shown = page(superuser_client.get(change_url(new_studio)))
    assert 'alt="Done:"> API key stored' in shown
    for left in (
        "Connection tested and working",
        "Cancelation reason chosen",
        "Embed origins set",
        "Contact e-mail set",
    ):
        assert f'alt="To do:"> {left}' in shown

    superuser_client.post(reverse("admin:portal_studio_test_connection", args=[new_studio.pk]))
    superuser_client.post(
        change_url(new_studio),
        form_data(
            new_studio,
            contact_email="desk@neu.example",
            allowed_embed_origins="https://www.neu.example",
            default_cancelation_reason_id=_first_reason(new_studio),
        ),
    )
    done = page(superuser_client.get(change_url(new_studio)))
    assert 'alt="To do:"' not in done


def _first_reason(studio: Studio) -> int:
    from portal.upstream import client_for

    return client_for(studio).get_contract_cancelation_reason_data()[0].cancelation_reason_id


def test_embed_snippet_is_on_the_page_after_saving(superuser_client, new_studio):
    assert "data-studio-portal" not in page(superuser_client.get(reverse("admin:portal_studio_add")))
    shown = page(superuser_client.get(change_url(new_studio)))
    assert '<div data-studio-portal data-studio="neu" data-page="trial" data-lang="de"></div>' in shown
    assert reverse("admin:portal_studio_embed", args=[new_studio.pk]) in shown


def test_add_page_says_how_to_start(superuser_client, db):
    shown = page(superuser_client.get(reverse("admin:portal_studio_add")))
    assert "Save and test connection" in shown
    assert "Setup checklist" not in shown


def test_enter_still_only_saves(superuser_client, demo_studio):
    shown = page(superuser_client.get(change_url(demo_studio)))
    # The first submit button is the one Enter presses; Delete stays apart at the end of the row.
    assert shown.index('name="_save"') < shown.index('name="_test_connection"') < shown.index('class="deletelink"')


# --- Who may --------------------------------------------------------------------------------------
def test_staff_of_another_studio_cannot_test_or_take_over(django_user_model, new_studio, demo_studio, monkeypatch):
    called = []
    monkeypatch.setattr("portal.admin.test_connection", lambda studio: called.append(studio))
    monkeypatch.setattr("portal.admin.take_settings_from_api", lambda studio: called.append(studio))
    alice = django_user_model.objects.create_user("alice", password="unused-password", is_staff=True)
    alice.user_permissions.set(Permission.objects.filter(content_type__app_label="portal"))
    demo_studio.staff.add(alice)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(alice)

    assert client.post(reverse("admin:portal_studio_test_connection", args=[new_studio.pk])).status_code == 404
    assert client.post(reverse("admin:portal_studio_settings_from_api", args=[new_studio.pk])).status_code == 404
    assert called == []
    new_studio.refresh_from_db()
    assert new_studio.name == "Neu"


def test_buttons_are_posts_with_a_csrf_token(admin_user, new_studio):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_user)
    for name in ("portal_studio_test_connection", "portal_studio_settings_from_api"):
        url = reverse(f"admin:{name}", args=[new_studio.pk])
        assert client.get(url).status_code == 405
        assert client.post(url).status_code == 403  # no token
