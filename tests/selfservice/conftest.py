"""Self-service fixtures: the demo members by name, signing in, counting upstream calls, fault injection."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest

from portal.members import SESSION_KEY
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from sandbox import faults
from sandbox.store import Store

DEMO_EMAILS = {
    "mia": "mia@example.com",  # active contract, cancelable; idle periods by month accepted at once
    "jonas": "jonas@example.com",  # cancelation pending verification
    "lea": "lea@example.com",  # idle period running, one pending; address changes need verification
    "tom": "tom@example.com",  # contact change pending; idle periods by week from the next start only
    "sara": "sara@example.com",  # read-only address; idle periods by day
    "paul": "paul@example.com",  # former member, canceled by the studio
}


@dataclass(frozen=True)
class Member:
    name: str
    customer: m.Customer
    contract: m.ContractData

    @property
    def id(self) -> int:
        return self.customer.id

    @property
    def email(self) -> str:
        return self.customer.email or ""

    @property
    def contract_id(self) -> int:
        return self.contract.id


def _member(demo_client, name: str) -> Member:
    customer = demo_client.search_customers(m.CustomerSearchRequest(email=DEMO_EMAILS[name]))[0]
    contract = demo_client.get_contract_data(customer.id)[0]
    return Member(name, customer, contract)


@pytest.fixture
def mia(demo_client) -> Member:
    return _member(demo_client, "mia")


@pytest.fixture
def jonas(demo_client) -> Member:
    return _member(demo_client, "jonas")


@pytest.fixture
def lea(demo_client) -> Member:
    return _member(demo_client, "lea")


@pytest.fixture
def tom(demo_client) -> Member:
    return _member(demo_client, "tom")


@pytest.fixture
def sara(demo_client) -> Member:
    return _member(demo_client, "sara")


@pytest.fixture
def paul(demo_client) -> Member:
    return _member(demo_client, "paul")


@pytest.fixture
def store(demo_studio) -> Store:
    return Store(demo_studio)


@pytest.fixture
def sign_in_as(client, demo_studio):
    """``sign_in_as(mia)``: the test client's session holds the studio and the member's id, as after sign-in."""

    def sign_in(member: Member):
        session = client.session
        session[SESSION_KEY] = {"studio": demo_studio.pk, "customer": member.id}
        session.save()
        return client

    return sign_in


@pytest.fixture
def upstream_calls(monkeypatch) -> list[str]:
    """The operation names the portal sends upstream, in order (the fixture's own setup calls excluded)."""
    calls: list[str] = []
    original = PerfectGymClient._call

    def spy(self, operation, *args, **kwargs):
        calls.append(operation)
        return original(self, operation, *args, **kwargs)

    monkeypatch.setattr(PerfectGymClient, "_call", spy)
    return calls


@pytest.fixture
def upstream_fails(demo_studio):
    """``upstream_fails(503)`` / ``upstream_fails(timeout=True)``: every later sandbox call fails that way."""

    def fail(status: int | None = None, *, timeout: bool = False):
        faults.configure(
            demo_studio, error_rates={str(status): 1.0} if status else {}, timeout_rate=1.0 if timeout else 0.0
        )

    yield fail
    faults.configure(demo_studio, error_rates={}, timeout_rate=0.0)


def page_text(response) -> str:
    """What a reader sees: the page's text without tags, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def main_text(response) -> str:
    body = response.content.decode()
    start, end = body.find("<main"), body.find("</main>")
    return page_text(type("R", (), {"content": body[start:end].encode()})())


def form_key(response) -> str:
    found = re.search(r'name="key" value="([0-9a-f-]{36})"', response.content.decode())
    assert found, "no idempotency key in the form"
    return found.group(1)


def field_values(response, name: str) -> list[str]:
    """The values a radio group or select offers."""
    body = response.content.decode()
    radios = re.findall(rf'name="{name}" value="([^"]*)"', body)
    if radios:
        return radios
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, flags=re.S)
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v] if select else []
