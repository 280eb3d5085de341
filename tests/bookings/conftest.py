"""Named members of the demo studio, signed in the way the self-service area signs them in."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.members import SESSION_KEY
from portal.perfectgym import models as m
from sandbox import faults


def customer_id(demo_client, email: str) -> int:
    return demo_client.search_customers(m.CustomerSearchRequest(email=email))[0].id


def signed_in(studio, customer: int) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = {"studio": studio.pk, "customer": customer}
    session.save()
    return client


@pytest.fixture
def mia_id(demo_client) -> int:
    """Mia Schneider: active contract, no bookings yet."""
    return customer_id(demo_client, "mia@example.com")


@pytest.fixture
def jonas_id(demo_client) -> int:
    """Jonas Becker: another member (for ownership tests)."""
    return customer_id(demo_client, "jonas@example.com")


@pytest.fixture
def lea_id(demo_client) -> int:
    """Lea Wagner: her membership is paused right now (idle period)."""
    return customer_id(demo_client, "lea@example.com")


@pytest.fixture
def mia(demo_studio, mia_id) -> Client:
    """A browser session signed in as Mia."""
    return signed_in(demo_studio, mia_id)


@pytest.fixture
def jonas(demo_studio, jonas_id) -> Client:
    return signed_in(demo_studio, jonas_id)


@pytest.fixture
def lea(demo_studio, lea_id) -> Client:
    return signed_in(demo_studio, lea_id)


def set_faults(studio, **fields) -> None:
    """Fault injection on the demo studio's sandbox (e.g. error_rates={"503": 1.0})."""
    faults.configure(studio, **fields)


class CallCounter:
    """Counts upstream calls by operation (wraps the one client's ``_call``)."""

    def __init__(self, monkeypatch) -> None:
        from portal.perfectgym.client import PerfectGymClient

        self.calls: list[str] = []
        original = PerfectGymClient._call

        def counting(client, operation, *args, **kwargs):
            self.calls.append(operation)
            return original(client, operation, *args, **kwargs)

        monkeypatch.setattr(PerfectGymClient, "_call", counting)

    def count(self, operation: str | None = None) -> int:
        return len(self.calls) if operation is None else self.calls.count(operation)

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture
def upstream_calls(monkeypatch) -> CallCounter:
    return CallCounter(monkeypatch)


@pytest.fixture
def demo_studio_committed(transactional_db):
    """The demo studio in a committed transaction, so pool threads see it."""
    from django.core.management import call_command

    from portal.models import Studio

    call_command("load_demo", "--no-admin", verbosity=0)
    return Studio.objects.get(slug="demo")


@pytest.fixture
def upstream_latency(demo_studio_committed):
    set_faults(demo_studio_committed, latency_ms=300)
    return 0.3
