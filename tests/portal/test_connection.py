"""The staff's connection test against the sandbox: each upstream answer becomes a plain sentence."""

from __future__ import annotations

import pytest
import responses
from django.utils import translation

from portal.models import Studio
from portal.services import ConnectionStatus, test_connection
from sandbox import faults

TENANT = "https://tenant.example"


def run(studio: Studio):
    with translation.override("en"):
        return test_connection(studio)


def test_ok_names_the_studio_the_api_returned(demo_studio):
    result = run(demo_studio)
    assert result.status is ConnectionStatus.OK
    assert result.ok
    assert "Demo Fitness Berlin" in result.message


def test_wrong_key_is_unauthorized(demo_studio):
    demo_studio.set_api_key("not-the-key")
    result = run(demo_studio)
    assert result.status is ConnectionStatus.UNAUTHORIZED
    assert "401" in result.message


def test_key_of_another_studio_is_unauthorized(demo_studio):
    other = Studio.objects.create(name="Other", slug="other", mode=Studio.Mode.SANDBOX)
    other.set_api_key("other-studio-key")
    other.save()
    # Staff pasted the other studio's key into the demo studio's form: the sandbox, like any
    # server that does not tell which keys exist, answers as for a wrong key.
    demo_studio.set_api_key("other-studio-key")
    result = run(demo_studio)
    assert result.status is ConnectionStatus.UNAUTHORIZED
    assert "401" in result.message


@pytest.fixture
def live_studio(db) -> Studio:
    studio = Studio.objects.create(name="Live", slug="live", mode=Studio.Mode.LIVE, api_base_url=TENANT)
    studio.set_api_key("live-key")
    studio.save()
    return studio


def test_only_the_documented_get_is_sent(live_studio):
    # The API documents no HEAD: a validating mock of the description answers it with 405.
    with responses.RequestsMock(assert_all_requests_are_fired=True) as api:
        api.get(
            f"{TENANT}/v1/studios/information", json={"studioId": 7, "name": "Live Gym", "accessCodeConfiguration": {}}
        )
        result = run(live_studio)
        sent = [(call.request.method, call.request.headers["X-API-KEY"]) for call in api.calls]
    assert result.status is ConnectionStatus.OK and "Live Gym" in result.message
    assert sent == [("GET", "live-key")]


def test_key_without_the_scope_is_forbidden(live_studio):
    with responses.RequestsMock() as api:
        api.get(f"{TENANT}/v1/studios/information", status=403, json={"errorCode": "errormessage.permission.denied"})
        result = run(live_studio)
    assert result.status is ConnectionStatus.FORBIDDEN
    assert "403" in result.message and "another studio" in result.message


def test_failing_upstream_is_unavailable(demo_studio):
    faults.configure(demo_studio, error_rates={"503": 1.0})
    result = run(demo_studio)
    assert result.status is ConnectionStatus.UNAVAILABLE
    assert not result.ok


def test_timeout_is_unavailable(demo_studio):
    faults.configure(demo_studio, timeout_rate=1.0)
    assert run(demo_studio).status is ConnectionStatus.UNAVAILABLE


def test_no_key_is_said_without_asking_the_api(db):
    studio = Studio.objects.create(name="Keyless", slug="keyless")
    result = run(studio)
    assert result.status is ConnectionStatus.NO_KEY
    assert "No API key" in result.message


def test_messages_are_translated(demo_studio):
    with translation.override("de"):
        assert "Die Verbindung funktioniert" in test_connection(demo_studio).message
