"""Idle periods (Ruhezeiten) in the sandbox: configuration, validation, requests, withdrawal."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.lib.filetypes import sniff_document_type
from sandbox.ops.idleperiods import error_code
from sandbox.ops.memberships import add_months
from sandbox.store import Store
from tests.sandbox.test_members import SandboxApi, studio_today

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 32


@pytest.fixture
def api(client, demo_studio) -> SandboxApi:
    return SandboxApi(client)


class Contract:
    """One demo member's contract, seen through the idle period operations."""

    def __init__(self, api: SandboxApi, email: str) -> None:
        self.api = api
        self.customer = api.member(email)
        self.id = api.contract(email)["id"]
        self.base = f"/v1/memberships/{self.id}/self-service/idle-periods"

    @property
    def config(self) -> dict:
        return self.api.get(f"{self.base}/config").json()

    @property
    def first(self) -> date:
        return date.fromisoformat(self.config["firstPossibleStartDate"])

    def reason(self, name: str) -> int:
        return next(r["id"] for r in self.config["idlePeriodReasons"] if r["name"] == name)

    def validate(self, start: date, **fields) -> str:
        response = self.api.post(f"{self.base}/validate", {"startDate": start.isoformat(), **fields})
        assert response.status_code == 200, response.content
        return response.json()["validationStatus"]

    def create(self, start: date, reason: str, *, document=None, language: str | None = None, **fields):
        data = {"startDate": start.isoformat(), "reasonId": self.reason(reason), **fields}
        files = {"document": document} if document else {}
        return self.api.post(self.base, data, files=files, language=language)

    def periods(self) -> dict:
        return self.api.get(self.base).json()

    def customer_idle_periods(self) -> list[dict]:
        return self.api.get(f"/v1/customers/{self.customer['id']}").json()["idlePeriods"]


def _months(n: int) -> dict:
    return {"temporalUnit": "MONTH", "termValue": n}


def test_config_of_a_monthly_contract(api):
    mia = Contract(api, "mia@example.com")
    config = mia.config
    first = date.fromisoformat(config["firstPossibleStartDate"])
    assert first.day == 1
    assert studio_today() + timedelta(days=14) <= first <= studio_today() + timedelta(days=14 + 31)
    assert config["temporalUnit"] == "MONTH"
    assert config["maxTerms"] == 3
    assert config["idlePeriodCreationStatus"] == "CHANGES_WITHOUT_VERIFICATION"
    assert config["idlePeriodFee"] == {"amount": 5.0, "currency": "EUR"}
    reasons = {r["name"]: r["documentRequired"] for r in config["idlePeriodReasons"]}
    assert reasons == {"Urlaub": False, "Krankheit": True, "Schwangerschaft": True}
    assert not [key for key in config if key.startswith("_")]


def test_config_of_a_weekly_contract_starts_on_a_monday(api):
    tom = Contract(api, "tom@example.com")
    assert tom.first.weekday() == 0
    assert tom.config["nextPossibleStartDateOnly"] is True


def test_unknown_contract_is_404(api):
    for response in (
        api.get("/v1/memberships/999999/self-service/idle-periods/config"),
        api.get("/v1/memberships/999999/self-service/idle-periods"),
        api.post("/v1/memberships/999999/self-service/idle-periods/validate", {"startDate": "2030-01-01"}),
        api.delete("/v1/memberships/999999/self-service/idle-periods/1"),
    ):
        assert response.status_code == 404


def test_creatable(api):
    mia = Contract(api, "mia@example.com")
    assert mia.validate(mia.first, **_months(1)) == "IDLEPERIOD_CREATABLE"
    assert mia.validate(add_months(mia.first, 2), temporalUnit="MONTH", termValue=3) == "IDLEPERIOD_CREATABLE"


@pytest.mark.parametrize("email", ["jonas@example.com", "paul@example.com"])
def test_deactivated_for_read_only_or_inactive_contracts(api, email):
    contract = Contract(api, email)
    assert contract.validate(contract.first, **_months(1)) == "IDLEPERIOD_DEACTIVATED_FOR_CONTRACT"


def test_pending_verification_blocks_a_new_request(api):
    lea = Contract(api, "lea@example.com")
    assert lea.validate(add_months(lea.first, 6), **_months(1)) == "IDLEPERIOD_PENDING_VERIFICATION"


def test_date_not_first_day_of_month(api):
    mia = Contract(api, "mia@example.com")
    status = mia.validate(mia.first + timedelta(days=1), **_months(1))
    assert status == "IDLEPERIOD_DATE_NOT_FIRSTDAY_OF_TEMPORALUNIT"


def test_deadline_violated(api):
    mia = Contract(api, "mia@example.com")
    assert mia.validate(add_months(mia.first, -1), **_months(1)) == "IDLEPERIOD_DEADLINE_VIOLATED"
    assert mia.validate(studio_today(), **_months(1)) == "IDLEPERIOD_DEADLINE_VIOLATED"


def test_expected_start_date_mismatch(api):
    tom = Contract(api, "tom@example.com")
    week = {"temporalUnit": "WEEK", "termValue": 2}
    assert tom.validate(tom.first, **week) == "IDLEPERIOD_CREATABLE"
    assert tom.validate(tom.first + timedelta(weeks=1), **week) == "IDLEPERIOD_EXPECTED_STARTDATE_MISMATCH"


def test_maximum_terms_violated(api, demo_studio):
    mia = Contract(api, "mia@example.com")
    assert mia.validate(mia.first, **_months(4)) == "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED"
    assert mia.validate(mia.first, unlimited=True) == "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED"  # unlimited not allowed
    # The limit per reference period counts too.
    store = Store(demo_studio)
    contract = store.get("contract", mia.id)
    contract["_idleConfig"]["maxTermPerReferencePeriod"] = 1
    store.save("contract", contract)
    assert mia.validate(mia.first, **_months(2)) == "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED"


def test_maximum_years_violated(api):
    sara = Contract(api, "sara@example.com")
    assert sara.validate(sara.first, temporalUnit="DAY", termValue=2000) == "IDLEPERIOD_MAXIMUM_YEARS_VIOLATED"


def test_overlapping(api):
    mia = Contract(api, "mia@example.com")
    assert mia.create(mia.first, "Urlaub", **_months(2)).status_code == 200
    assert mia.validate(add_months(mia.first, 1), **_months(1)) == "IDLEPERIOD_OVERLAPPING"
    assert mia.validate(add_months(mia.first, 2), **_months(1)) == "IDLEPERIOD_CREATABLE"


def test_temporal_unit_invalid(api):
    mia = Contract(api, "mia@example.com")
    assert mia.validate(mia.first, temporalUnit="DAY", termValue=10) == "IDLEPERIOD_TEMPORALUNIT_INVALID"


@pytest.mark.parametrize("fields", [{"temporalUnit": "MONTH"}, {"termValue": 0}, {"unlimited": False}])
def test_term_value_missing(api, fields):
    mia = Contract(api, "mia@example.com")
    assert mia.validate(mia.first, **fields) == "IDLEPERIOD_TERMVALUE_MISSING"


def test_unlimited_parameter_missing(api):
    mia = Contract(api, "mia@example.com")
    assert mia.validate(mia.first) == "IDLEPERIOD_UNLIMITED_PARAMETER_IS_MISSING"


def test_a_term_without_a_unit_uses_the_configured_unit(api):
    mia = Contract(api, "mia@example.com")
    assert mia.validate(mia.first, termValue=1) == "IDLEPERIOD_CREATABLE"


def test_malformed_requests_are_400(api):
    mia = Contract(api, "mia@example.com")
    for body in (
        {"startDate": "1.1.2030", "termValue": 1},
        {"startDate": mia.first.isoformat(), "temporalUnit": "YEAR", "termValue": 1},
        {"startDate": mia.first.isoformat(), "termValue": "2"},
    ):
        response = api.post(f"{mia.base}/validate", body)
        assert response.status_code == 400
        assert response.json()["errorCode"] == "errormessage.validation"


def test_request_without_verification_is_accepted_at_once(api):
    mia = Contract(api, "mia@example.com")
    response = mia.create(mia.first, "Urlaub", **_months(2))
    assert response.status_code == 200
    period = response.json()
    assert period["state"] == "ACCEPTED"
    assert period["startDate"] == mia.first.isoformat()
    assert period["endDate"] == (add_months(mia.first, 2) - timedelta(days=1)).isoformat()
    assert period["reason"] == "Urlaub"
    assert period["idlePeriodReason"]["documentRequired"] is False
    assert period["fee"] == {"amount": 10.0, "currency": "EUR"}
    assert "documentUrl" not in period

    assert mia.periods()["currentAndUpcomingIdlePeriods"] == [period]
    assert api.get(f"{mia.base}/{period['id']}").json() == period
    # The customer's idle periods follow (the class booking checks read them for CUSTOMER_IDLE).
    (listed,) = mia.customer_idle_periods()
    assert (listed["id"], listed["startDate"], listed["endDate"]) == (
        period["id"],
        period["startDate"],
        period["endDate"],
    )
    assert listed["contract"] == {"id": mia.id, "rateName": "Premium 12 Monate"}


def test_request_needing_verification_stays_pending(api):
    lea = Contract(api, "lea@example.com")
    pending = next(p for p in lea.periods()["currentAndUpcomingIdlePeriods"] if p["state"] == "PENDING_VERIFICATION")
    assert api.delete(f"{lea.base}/{pending['id']}").status_code == 200

    start = add_months(lea.first, 3)
    response = lea.create(start, "Urlaub", **_months(1))
    assert response.status_code == 200
    assert response.json()["state"] == "PENDING_VERIFICATION"
    # Only the accepted illness is an idle period of the customer; the request is not (yet).
    assert [p["reason"] for p in lea.customer_idle_periods()] == ["Krankheit"]


def test_reason_with_required_document_needs_one(api, demo_studio):
    mia = Contract(api, "mia@example.com")
    response = mia.create(mia.first, "Krankheit", **_months(1))
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.idleperiod.document.required"
    assert mia.periods()["currentAndUpcomingIdlePeriods"] == []

    document = SimpleUploadedFile("../../attest scan.pdf", PDF, content_type="application/pdf")
    response = mia.create(mia.first, "Krankheit", document=document, **_months(1))
    assert response.status_code == 200
    stored = Store(demo_studio).get("idle_period", response.json()["id"])
    # Only what describes the document is kept, never its content.
    assert stored["_document"] == {"name": "attest scan.pdf", "size": len(PDF), "contentType": "application/pdf"}
    assert PDF.decode() not in json.dumps(stored)


@pytest.mark.parametrize(
    ("name", "content"),
    [("attest.pdf", b"just some text, not a PDF"), ("photo.png", b"GIF89a" + b"\x00" * 20), ("x.heic", b"")],
)
def test_document_type_is_checked_by_content(api, name, content):
    mia = Contract(api, "mia@example.com")
    document = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = mia.create(mia.first, "Krankheit", document=document, **_months(1))
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.idleperiod.document.type.invalid"
    assert response.json()["reference"] == "document"


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (HEIC, "image/heic"), (b"<svg/>", None)],
)
def test_sniff_document_type(content, kind):
    assert sniff_document_type(content[:16]) == kind


def test_png_document_is_accepted(api):
    mia = Contract(api, "mia@example.com")
    document = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    assert mia.create(mia.first, "Schwangerschaft", document=document, **_months(3)).status_code == 200


def test_request_that_is_not_creatable_is_refused_with_its_status(api):
    mia = Contract(api, "mia@example.com")
    response = mia.create(mia.first + timedelta(days=3), "Urlaub", **_months(1), language="de")
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "errormessage.idleperiod.date.not.firstday.of.temporalunit"
    assert body["errorMessage"] == "Die Ruhezeit muss am Ersten eines Monats beginnen."
    assert error_code("IDLEPERIOD_OVERLAPPING") == "errormessage.idleperiod.overlapping"


def test_create_checks_its_data_part(api):
    mia = Contract(api, "mia@example.com")
    no_data = api.post(mia.base, files={"document": SimpleUploadedFile("a.pdf", PDF)})
    assert no_data.status_code == 400
    assert no_data.json()["reference"] == "data"
    unknown_reason = api.post(mia.base, {"startDate": mia.first.isoformat(), "reasonId": 999999}, files={})
    assert unknown_reason.status_code == 400
    assert unknown_reason.json()["errorCode"] == "errormessage.idleperiod.reason.invalid"


def test_withdraw_a_future_accepted_idle_period(api):
    mia = Contract(api, "mia@example.com")
    period = mia.create(mia.first, "Urlaub", **_months(1)).json()
    assert len(mia.customer_idle_periods()) == 1

    response = api.delete(f"{mia.base}/{period['id']}")
    assert response.status_code == 200
    assert mia.periods()["currentAndUpcomingIdlePeriods"] == []
    assert mia.customer_idle_periods() == []
    assert api.get(f"{mia.base}/{period['id']}").status_code == 404


def test_withdraw_a_pending_request(api):
    lea = Contract(api, "lea@example.com")
    pending = next(p for p in lea.periods()["currentAndUpcomingIdlePeriods"] if p["state"] == "PENDING_VERIFICATION")
    assert api.delete(f"{lea.base}/{pending['id']}").status_code == 200
    assert [p["state"] for p in lea.periods()["currentAndUpcomingIdlePeriods"]] == ["ACCEPTED"]
    assert lea.validate(add_months(lea.first, 3), **_months(1)) == "IDLEPERIOD_CREATABLE"


def test_a_running_idle_period_cannot_be_withdrawn(api):
    lea = Contract(api, "lea@example.com")
    running = next(p for p in lea.periods()["currentAndUpcomingIdlePeriods"] if p["state"] == "ACCEPTED")
    response = api.delete(f"{lea.base}/{running['id']}")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.idleperiod.withdraw.not.possible"
    assert len(lea.customer_idle_periods()) == 1


def test_idle_period_of_another_contract_is_404(api):
    lea = Contract(api, "lea@example.com")
    mia = Contract(api, "mia@example.com")
    running = lea.periods()["currentAndUpcomingIdlePeriods"][0]
    assert api.get(f"{mia.base}/{running['id']}").status_code == 404
    assert api.delete(f"{mia.base}/{running['id']}").status_code == 404
