"""What a production deployment gets without asking: health checks over HTTP, no sandbox endpoint."""

from __future__ import annotations

import pytest

from tests.portal.test_settings import _manage

PRINT_SANDBOX = "from django.conf import settings; print(settings.SANDBOX_HTTP_ENABLED)"


def test_health_check_answers_over_plain_http_when_https_is_enforced(client, db, settings):
    # Load balancers probe plain HTTP; a redirect counts as "down" for many of them.
    settings.SECURE_SSL_REDIRECT = True
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert client.get("/").status_code == 301  # everything else still goes to HTTPS


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "False"),
        ({"DEBUG": "1"}, "True"),
        ({"SANDBOX_HTTP_ENABLED": "1"}, "True"),
        ({"DEBUG": "1", "SANDBOX_HTTP_ENABLED": "0"}, "False"),
    ],
)
def test_sandbox_http_endpoint_is_off_unless_debug_or_asked_for(monkeypatch, env, expected):
    monkeypatch.delenv("SANDBOX_HTTP_ENABLED", raising=False)
    result = _manage("shell", "-c", PRINT_SANDBOX, SECRET_KEY="k" * 50, **env)
    assert result.stdout.strip().endswith(expected), result.stderr


def test_switched_off_endpoint_is_not_found(client, demo_studio, settings):
    settings.SANDBOX_HTTP_ENABLED = False
    response = client.get("/sandbox/demo/v1/classes", HTTP_X_API_KEY="demo-api-key")
    assert response.status_code == 404
