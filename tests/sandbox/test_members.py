"""The sandbox's customers and communications, through its HTTP endpoint.

``SandboxApi`` (also used by the membership and self-service tests) checks every
answer against the published OpenAPI description when it is available.
"""

from __future__ import annotations

import json
import zoneinfo
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sandbox.store import Store

API_KEY = "demo-api-key"
# The description requires contract-data's cancelationStatus but has no value for
# "not canceled"; the sandbox leaves it out for such contracts (see sandbox/ops/memberships.py).
_KNOWN_GAPS = {("/self-service/contract-data", "'cancelationStatus' is a required property")}


def studio_today() -> date:
    """Today in the demo studio's zone, the sandbox's "today"."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo("Europe/Berlin"))


class SandboxApi:
    """The demo studio's sandbox over HTTP, every answer checked against the description."""

    def __init__(self, client: Client, language: str = "en") -> None:
        self.client = client
        self.language = language

    def call(self, method: str, path: str, body: Any = None, *, files: dict | None = None, language: str | None = None):
        url = f"/sandbox/demo{path}"
        headers = {"HTTP_X_API_KEY": API_KEY, "HTTP_ACCEPT_LANGUAGE": language or self.language}
        if method == "GET":
            response = self.client.get(url, **headers)
        elif method == "DELETE":
            response = self.client.delete(url, **headers)
        elif files is not None:
            parts = {"data": json.dumps(body), **files} if body is not None else dict(files)
            response = self.client.post(url, parts, **headers)
        else:
            response = self.client.post(url, json.dumps(body), content_type="application/json", **headers)
        check_against_description(method, path, response)
        return response

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("DELETE", path, **kwargs)

    def member(self, email: str) -> dict[str, Any]:
        found = self.post("/v1/customers/search", {"email": email})
        assert found.status_code == 200, found.content
        (customer,) = found.json()
        return customer

    def contract(self, email: str) -> dict[str, Any]:
        customer = self.member(email)
        (contract,) = self.get(f"/v1/memberships/{customer['id']}/self-service/contract-data").json()
        return contract


def check_against_description(method: str, path: str, response) -> None:
    from openapi_core.testing import MockRequest, MockResponse

    from tests.contract.openapi import SPEC_SERVER, openapi, spec_available

    if not spec_available():
        return
    content_type = response.get("Content-Type", "application/json").split(";")[0]
    try:
        openapi().validate_response(
            MockRequest(SPEC_SERVER, method.lower(), path),
            MockResponse(response.content, status_code=response.status_code, content_type=content_type),
        )
    except Exception as exc:  # noqa: BLE001 (any failure is reported with its schema errors)
        errors = [str(getattr(error, "message", error)) for error in _schema_errors(exc)]
        known = [e for e in errors if any(part in path and message == e for part, message in _KNOWN_GAPS)]
        if not errors or len(known) != len(errors):
            raise AssertionError(f"{method} {path} -> {response.status_code}: {exc!r} {errors}") from exc


def _schema_errors(exc: BaseException) -> list:
    while exc is not None:
        if getattr(exc, "schema_errors", None):
            return list(exc.schema_errors)
        exc = exc.__cause__
    return []


@pytest.fixture
def api(client, demo_studio) -> SandboxApi:
    return SandboxApi(client)


def test_search_by_email_ignores_case(api):
    found = api.post("/v1/customers/search", {"email": "  MIA@Example.COM "}).json()
    assert [(c["firstName"], c["customerNumber"], c["status"]) for c in found] == [("Mia", "1001", "MEMBER")]
    assert not [key for key in found[0] if key.startswith("_")]


def test_search_by_name_and_birth_date_finds_the_member(api):
    found = api.post("/v1/customers/search", {"firstName": "jonas", "lastName": "BECKER", "dateOfBirth": "1988-11-03"})
    assert [c["email"] for c in found.json()] == ["jonas@example.com"]


def test_search_needs_every_criterion_to_match(api):
    assert api.post("/v1/customers/search", {"firstName": "Mia", "lastName": "Becker"}).json() == []
    assert api.post("/v1/customers/search", {"email": "mia@example.com", "dateOfBirth": "1990-01-01"}).json() == []


def test_search_without_criteria_or_with_a_bad_date_is_refused(api):
    assert api.post("/v1/customers/search", {}).status_code == 400
    response = api.post("/v1/customers/search", {"lastName": "Becker", "dateOfBirth": "3.11.1988"})
    assert response.status_code == 400
    assert response.json()["reference"] == "dateOfBirth"


def test_get_customer_by_id(api):
    mia = api.member("mia@example.com")
    customer = api.get(f"/v1/customers/{mia['id']}").json()
    assert customer["lastName"] == "Schneider"
    assert customer["accessRefusal"] is False
    assert customer["idlePeriods"] == []
    assert customer["preferredLanguage"] == {"languageCode": "de", "countryCode": "DE"}


def test_unknown_customer_is_404(api):
    response = api.get("/v1/customers/999999")
    assert response.status_code == 404
    assert response.json()["errorCode"] == "errormessage.entity.not.found"


def test_customer_lists_only_accepted_idle_periods_and_is_refused_access_during_one(api):
    lea = api.member("lea@example.com")
    assert [period["reason"] for period in lea["idlePeriods"]] == ["Krankheit"]
    assert lea["idlePeriods"][0]["contract"]["rateName"] == "Premium Flex"
    assert lea["accessRefusal"] is True


def test_demo_members_cover_every_state(api):
    statuses = {}
    for name in ("mia", "jonas", "lea", "tom", "sara", "paul"):
        customer = api.member(f"{name}@example.com")
        contract = api.get(f"/v1/memberships/{customer['id']}/self-service/contract-data").json()[0]
        statuses[name] = (customer["status"], contract["contractStatus"], contract.get("cancelationStatus"))
    assert statuses == {
        "mia": ("MEMBER", "ACTIVE", None),
        "jonas": ("MEMBER", "ACTIVE", "PENDING_VERIFICATION"),
        "lea": ("MEMBER", "ACTIVE", None),
        "tom": ("MEMBER", "ACTIVE", None),
        "sara": ("MEMBER", "ACTIVE", None),
        "paul": ("FORMER_MEMBER", "INACTIVE", "CANCELED"),
    }


THREAD = {
    "communicationThreadStatus": "CREATED",
    "subject": "Außerordentliche Kündigung",
    "content": "Ich kündige meinen Vertrag außerordentlich wegen Umzugs ins Ausland.",
    "communicationDirection": "INCOMING",
    "communicationChannel": "OTHER",
    "communicationDateTime": "2026-03-02T10:15:00.000+01:00[Europe/Berlin]",
}


def test_communication_thread_is_created_and_kept(api, demo_studio):
    mia = api.member("mia@example.com")
    response = api.post(f"/v1/communications/{mia['id']}/threads", {**THREAD, "ticketNumber": "W-1"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["customerId"] == mia["id"]
    assert answer["subject"] == THREAD["subject"]
    assert answer["ticketNumber"] == "W-1"
    (stored,) = Store(demo_studio).all("communication", customerId=mia["id"])
    assert stored["id"] == answer["communicationId"]
    assert stored["threadId"] == answer["threadId"]
    assert stored["content"] == THREAD["content"]
    assert stored["_communicationDateTime"] == THREAD["communicationDateTime"]


@pytest.mark.parametrize(
    ("change", "reference"),
    [
        ({"subject": ""}, "subject"),
        ({"content": None}, "content"),
        ({"communicationChannel": "PIGEON"}, "communicationChannel"),
        ({"communicationDateTime": "yesterday"}, "communicationDateTime"),
    ],
)
def test_communication_thread_checks_its_fields(api, change, reference):
    mia = api.member("mia@example.com")
    response = api.post(f"/v1/communications/{mia['id']}/threads", {**THREAD, **change})
    assert response.status_code == 400
    assert response.json()["reference"] == reference


def test_communication_for_unknown_customer_is_404(api):
    assert api.post("/v1/communications/999999/threads", THREAD).status_code == 404
