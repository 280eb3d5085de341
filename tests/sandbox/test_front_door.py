"""The sandbox's front door: keys, languages, error shape, rate limit and fault injection."""

from __future__ import annotations

import pytest
import requests

from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.upstream import client_for
from sandbox import faults
from sandbox.adapter import SandboxAdapter
from sandbox.views import WRONG_KEYS_PER_MINUTE

KEY = {"HTTP_X_API_KEY": "demo-api-key"}


@pytest.fixture
def other_sandbox_studio(db) -> Studio:
    studio = Studio.objects.create(name="Other Gym", slug="other", mode=Studio.Mode.SANDBOX)
    studio.set_api_key("other-key")
    studio.save()
    return studio


def test_answers_over_http_with_the_demo_key(client, demo_studio):
    response = client.get("/sandbox/demo/v1/studios/information", **KEY)
    assert response.status_code == 200
    assert response.json()["name"] == "Demo Fitness Berlin"


def test_wrong_key_is_401_in_the_documented_shape(client, demo_studio):
    response = client.get("/sandbox/demo/v1/classes", HTTP_X_API_KEY="nope", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 401
    body = response.json()
    assert body["errorMessage"] == "Ungültiger API-Schlüssel"
    assert body["errorCode"] == "errormessage.unauthorized"
    assert body["traceId"]


def test_key_of_another_studio_is_answered_like_an_unknown_key(client, demo_studio, other_sandbox_studio):
    # A different answer would tell a guesser that the key exists (for another studio).
    other = client.get("/sandbox/demo/v1/classes", HTTP_X_API_KEY="other-key")
    unknown = client.get("/sandbox/demo/v1/classes", HTTP_X_API_KEY="made-up-key")
    assert other.status_code == unknown.status_code == 401
    assert other.json()["errorCode"] == unknown.json()["errorCode"] == "errormessage.unauthorized"
    assert client.head("/sandbox/demo/v1/classes", HTTP_X_API_KEY="other-key").status_code == 401


def test_wrong_keys_are_throttled_per_client_address(client, demo_studio):
    def get(key: str, address: str = "198.51.100.1"):
        return client.get("/sandbox/demo/v1/classes", HTTP_X_API_KEY=key, REMOTE_ADDR=address)

    assert [get(f"guess-{n}").status_code for n in range(WRONG_KEYS_PER_MINUTE)] == [401] * WRONG_KEYS_PER_MINUTE
    limited = get("guess-21")
    assert limited.status_code == 429
    assert limited.json()["errorCode"] == "errormessage.rate.limit" and limited["Retry-After"]
    # Not even the right key is checked from that address for the rest of the minute.
    assert get("demo-api-key").status_code == 429
    assert get("demo-api-key", address="198.51.100.2").status_code == 200


def test_right_keys_are_not_counted_as_wrong(client, demo_studio):
    for _ in range(WRONG_KEYS_PER_MINUTE + 5):
        assert client.get("/sandbox/demo/v1/studios/information", **KEY).status_code == 200


def test_head_checks_a_key(client, demo_studio):
    assert client.head("/sandbox/demo/v1/classes", **KEY).status_code == 200
    assert client.head("/sandbox/demo/v1/classes", HTTP_X_API_KEY="nope").status_code == 401


def test_unknown_path_is_404_with_error_body(client, demo_studio):
    response = client.get("/sandbox/demo/v1/no/such/thing", **KEY)
    assert response.status_code == 404
    assert response.json()["errorMessage"]


def test_live_studios_are_never_served(client, db):
    live = Studio.objects.create(
        name="Live Gym", slug="live", mode=Studio.Mode.LIVE, api_base_url="https://tenant.example"
    )
    live.set_api_key("secret")
    live.save()
    assert client.get("/sandbox/live/v1/classes", HTTP_X_API_KEY="secret").status_code == 404


def test_in_process_adapter_answers_404_for_a_studio_that_is_not_a_sandbox(db):
    session = requests.Session()
    session.mount("http://sandbox.internal/", SandboxAdapter())
    assert session.get("http://sandbox.internal/sandbox/nowhere/v1/classes").status_code == 404


def test_http_endpoint_can_be_switched_off(client, demo_studio, settings):
    settings.SANDBOX_HTTP_ENABLED = False
    assert client.get("/sandbox/demo/v1/classes", **KEY).status_code == 404


def test_rate_limit_per_endpoint_per_minute(client, demo_studio, settings):
    settings.SANDBOX_RATE_LIMIT_PER_MINUTE = 3
    statuses = [client.get("/sandbox/demo/v1/classes", **KEY).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another endpoint has its own budget.
    assert client.get("/sandbox/demo/v1/studios/information", **KEY).status_code == 200


@pytest.mark.parametrize("status", [500, 503, 429])
def test_injected_error_rates(client, demo_studio, status):
    faults.configure(demo_studio, error_rates={str(status): 1.0})
    response = client.get("/sandbox/demo/v1/classes", **KEY)
    assert response.status_code == status
    assert response.json()["errorMessage"]


def test_injected_errors_by_environment(client, demo_studio, settings):
    settings.SANDBOX_ERROR_RATES = {503: 1.0}
    assert client.get("/sandbox/demo/v1/classes", **KEY).status_code == 503


def test_injected_latency_sleeps(client, demo_studio, monkeypatch):
    slept = []
    monkeypatch.setattr("sandbox.views.time.sleep", slept.append)
    faults.configure(demo_studio, latency_ms=80)
    assert client.get("/sandbox/demo/v1/classes", **KEY).status_code == 200
    assert slept == [0.08]


def test_client_retries_reads_through_injected_503s_then_gives_up(demo_studio):
    faults.configure(demo_studio, error_rates={"503": 1.0})
    with pytest.raises(errors.Unavailable):
        client_for(demo_studio).get_active_classes()


def test_injected_timeout_on_a_write_still_writes(demo_studio):
    """The worst case for a portal: the booking happened but the answer never came."""
    client = client_for(demo_studio)
    mia = client.search_customers(m.CustomerSearchRequest(email="mia@example.com"))[0]
    before = len(client.get_appointment_bookings(mia.id))
    appointment = client.all_bookable_appointments()[0]
    from datetime import timedelta

    from django.utils import timezone

    slots = []
    for week in range(4):
        slots = client.get_bookable_appointment_slots(
            appointment.id,
            days_ahead=6,
            slot_window_start_date=timezone.localdate() + timedelta(days=1, weeks=week),
        )
        if slots:
            break
    faults.configure(demo_studio, timeout_rate=1.0)
    with pytest.raises(errors.OutcomeUnknown):
        client.book_appointment_booking(
            slots[0].booking_request(customer_id=mia.id, bookable_appointment_id=appointment.id)
        )
    with pytest.raises(errors.Unavailable):
        client.get_appointment_bookings(mia.id)
    faults.configure(demo_studio, timeout_rate=0)
    assert len(client.get_appointment_bookings(mia.id)) == before + 1
