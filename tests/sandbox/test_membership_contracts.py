"""Contract data and ordinary cancelation in the sandbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sandbox.ops.customers import SETTINGS_KIND
from sandbox.store import Store
from tests.sandbox.test_members import SandboxApi, studio_today


@pytest.fixture
def api(client, demo_studio) -> SandboxApi:
    return SandboxApi(client)


def _reason_id(api: SandboxApi, name: str) -> int:
    reasons = api.get("/v1/memberships/self-service/contract-cancelation-reasons").json()
    return next(r["cancelationReasonId"] for r in reasons if r["cancelationReasonName"] == name)


def _cancel(api: SandboxApi, customer_id: int, contract_id: int, when: str, reason_id: int, **kwargs):
    body = {"contractId": contract_id, "cancelationDate": when, "cancelationReasonId": reason_id}
    return api.post(f"/v1/memberships/{customer_id}/self-service/ordinary-contract-cancelation", body, **kwargs)


def _withdraw(api: SandboxApi, customer_id: int, contract_id: int):
    return api.post(f"/v1/memberships/{customer_id}/self-service/withdraw-ordinary-contract-cancelation/{contract_id}")


def _require_verification(studio, value: bool) -> None:
    store = Store(studio)
    (settings,) = store.all(SETTINGS_KIND)
    store.save(SETTINGS_KIND, {**settings, "cancelationRequiresVerification": value})


def test_active_contract_offers_future_cancelation_dates(api):
    contract = api.contract("mia@example.com")
    today = studio_today()
    dates = [date.fromisoformat(value) for value in contract["availableCancelationDates"]]
    assert len(dates) == 3
    assert dates == sorted(dates)
    # A month's notice: the earliest end date is at least a month away, the deadline before it.
    assert dates[0] >= today + timedelta(days=28)
    assert today <= date.fromisoformat(contract["lastPossibleCancelationDate"]) < dates[0]
    assert contract["contractStatus"] == "ACTIVE"
    assert "cancelationStatus" not in contract
    assert contract["rateName"] == "Premium 12 Monate"
    assert contract["priceDetails"]["paymentFrequency"]["type"] == "RECURRING"
    assert contract["priceDetails"]["currentPrice"] == {"amount": 39.9, "currency": "EUR"}


def test_cancelation_reasons(api):
    names = [
        r["cancelationReasonName"] for r in api.get("/v1/memberships/self-service/contract-cancelation-reasons").json()
    ]
    assert names == ["Umzug", "Finanzielle Gründe", "Gesundheit", "Sonstiges"]


def test_cancel_then_withdraw(api):
    mia = api.member("mia@example.com")
    contract = api.contract("mia@example.com")
    when = contract["availableCancelationDates"][1]

    response = _cancel(api, mia["id"], contract["id"], when, _reason_id(api, "Umzug"))
    assert response.status_code == 200

    canceled = api.contract("mia@example.com")
    assert canceled["cancelationStatus"] == "CANCELED"
    assert canceled["cancelationDate"] == when
    assert canceled["endDate"] == when
    assert canceled["cancelationReason"] == "Umzug"
    assert canceled["cancelationOrigin"] == "CUSTOMER"
    assert canceled["availableCancelationDates"] == []

    again = _cancel(api, mia["id"], contract["id"], when, _reason_id(api, "Umzug"))
    assert again.status_code == 400
    assert again.json()["errorCode"] == "errormessage.contract.already.canceled"

    assert _withdraw(api, mia["id"], contract["id"]).status_code == 200
    restored = api.contract("mia@example.com")
    assert "cancelationStatus" not in restored
    assert "cancelationDate" not in restored
    assert restored["availableCancelationDates"] == contract["availableCancelationDates"]

    nothing = _withdraw(api, mia["id"], contract["id"])
    assert nothing.status_code == 400
    assert nothing.json()["errorCode"] == "errormessage.contract.cancelation.not.found"


def test_cancelation_waits_for_verification_when_the_studio_asks_for_it(api, demo_studio):
    _require_verification(demo_studio, True)
    mia = api.member("mia@example.com")
    contract = api.contract("mia@example.com")
    when = contract["availableCancelationDates"][0]
    assert _cancel(api, mia["id"], contract["id"], when, _reason_id(api, "Gesundheit")).status_code == 200
    pending = api.contract("mia@example.com")
    assert pending["cancelationStatus"] == "PENDING_VERIFICATION"
    # Withdrawing a request nobody has verified yet takes it back at once.
    assert _withdraw(api, mia["id"], contract["id"]).status_code == 200
    assert "cancelationStatus" not in api.contract("mia@example.com")


def test_withdrawing_a_confirmed_cancelation_may_need_verification(api, demo_studio):
    mia = api.member("mia@example.com")
    contract = api.contract("mia@example.com")
    _cancel(api, mia["id"], contract["id"], contract["availableCancelationDates"][0], _reason_id(api, "Sonstiges"))
    _require_verification(demo_studio, True)

    assert _withdraw(api, mia["id"], contract["id"]).status_code == 200
    assert api.contract("mia@example.com")["cancelationStatus"] == "PENDING_WITHDRAWAL_VERIFICATION"
    again = _withdraw(api, mia["id"], contract["id"])
    assert again.status_code == 400
    assert again.json()["errorCode"] == "errormessage.contract.cancelation.withdrawal.pending"


def test_pending_cancelation_of_the_demo_can_be_withdrawn(api):
    jonas = api.member("jonas@example.com")
    contract = api.contract("jonas@example.com")
    assert contract["cancelationStatus"] == "PENDING_VERIFICATION"
    assert contract["cancelationReason"] == "Umzug"
    assert contract["availableCancelationDates"] == []

    assert _withdraw(api, jonas["id"], contract["id"]).status_code == 200
    withdrawn = api.contract("jonas@example.com")
    assert "cancelationStatus" not in withdrawn
    assert contract["cancelationDate"] in withdrawn["availableCancelationDates"]


def test_studio_cancelation_of_a_former_member_cannot_be_withdrawn(api):
    paul = api.member("paul@example.com")
    contract = api.contract("paul@example.com")
    assert contract["contractStatus"] == "INACTIVE"
    assert contract["cancelationOrigin"] == "STUDIO"
    response = _withdraw(api, paul["id"], contract["id"])
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.contract.cancelation.withdraw.not.allowed"


@pytest.mark.parametrize("shift_days", [0, 1, -1])
def test_cancelation_date_must_be_one_of_the_available_dates(api, shift_days):
    mia = api.member("mia@example.com")
    contract = api.contract("mia@example.com")
    if shift_days:
        when = (date.fromisoformat(contract["availableCancelationDates"][0]) + timedelta(days=shift_days)).isoformat()
    else:
        when = studio_today().isoformat()
    response = _cancel(api, mia["id"], contract["id"], when, _reason_id(api, "Umzug"), language="de")
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "errormessage.contract.cancelation.date.invalid"
    assert body["reference"] == "cancelationDate"
    assert body["errorMessage"] == "Der Vertrag kann nicht zu diesem Datum gekündigt werden."
    assert "cancelationStatus" not in api.contract("mia@example.com")


def test_cancelation_date_must_be_a_date(api):
    mia = api.member("mia@example.com")
    contract = api.contract("mia@example.com")
    response = _cancel(api, mia["id"], contract["id"], "next month", _reason_id(api, "Umzug"))
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.validation"


def test_unknown_cancelation_reason_is_refused(api):
    mia = api.member("mia@example.com")
    contract = api.contract("mia@example.com")
    response = _cancel(api, mia["id"], contract["id"], contract["availableCancelationDates"][0], 999999)
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.contract.cancelation.reason.invalid"


def test_missing_fields_are_refused(api):
    mia = api.member("mia@example.com")
    response = api.post(f"/v1/memberships/{mia['id']}/self-service/ordinary-contract-cancelation", {"contractId": 1})
    assert response.status_code == 400
    assert response.json()["reference"] == "cancelationDate"


def test_another_customers_contract_is_unknown(api):
    mia = api.member("mia@example.com")
    jonas_contract = api.contract("jonas@example.com")
    mia_contract = api.contract("mia@example.com")
    canceled = _cancel(
        api, mia["id"], jonas_contract["id"], mia_contract["availableCancelationDates"][0], _reason_id(api, "Umzug")
    )
    assert canceled.status_code == 404
    # Jonas's pending cancelation cannot be withdrawn through Mia either.
    assert _withdraw(api, mia["id"], jonas_contract["id"]).status_code == 404
    assert api.contract("jonas@example.com")["cancelationStatus"] == "PENDING_VERIFICATION"


def test_unknown_customer_or_contract_is_404(api):
    mia = api.member("mia@example.com")
    assert api.get("/v1/memberships/999999/self-service/contract-data").status_code == 404
    assert _withdraw(api, mia["id"], 999999).status_code == 404
    assert _withdraw(api, 999999, 1).status_code == 404
