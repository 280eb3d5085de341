"""The staff's connection test against the sandbox: each upstream answer becomes a plain sentence."""

from __future__ import annotations

from django.utils import translation

from portal.models import Studio
from portal.services import ConnectionStatus, test_connection


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


def test_key_of_another_studio_is_forbidden(demo_studio):
    other = Studio.objects.create(name="Other", slug="other", mode=Studio.Mode.SANDBOX)
    other.set_api_key("other-studio-key")
    other.save()
    # Staff pasted the other studio's key into the demo studio's form.
    demo_studio.set_api_key("other-studio-key")
    result = run(demo_studio)
    assert result.status is ConnectionStatus.FORBIDDEN
    assert "403" in result.message
    assert "another studio" in result.message


def test_failing_upstream_is_unavailable(demo_studio):
    demo_studio.sandbox_error_rates = {"503": 1.0}
    demo_studio.save()
    result = run(demo_studio)
    assert result.status is ConnectionStatus.UNAVAILABLE
    assert not result.ok


def test_timeout_is_unavailable(demo_studio):
    demo_studio.sandbox_timeout_rate = 1.0
    demo_studio.save()
    assert run(demo_studio).status is ConnectionStatus.UNAVAILABLE


def test_no_key_is_said_without_asking_the_api(db):
    studio = Studio.objects.create(name="Keyless", slug="keyless")
    result = run(studio)
    assert result.status is ConnectionStatus.NO_KEY
    assert "No API key" in result.message


def test_messages_are_translated(demo_studio):
    with translation.override("de"):
        assert "Die Verbindung funktioniert" in test_connection(demo_studio).message
