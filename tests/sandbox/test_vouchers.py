"""Check-in vouchers in the sandbox: redeemed once, for their own online offer, before they expire."""

from __future__ import annotations

import pytest

from sandbox.demo.trialoffers import DEMO_ONLINE_OFFER_ID, OTHER_ONLINE_OFFER_ID
from sandbox.store import Store
from tests.sandbox import ScheduleApi

REDEEM = "/v1/checkin-vouchers/redeem"


@pytest.fixture
def api(client, demo_studio) -> ScheduleApi:
    return ScheduleApi(client)


def redeem(api: ScheduleApi, code: str, offer: int = DEMO_ONLINE_OFFER_ID, email: str = "guest@example.org"):
    body = {"voucherCode": code, "firstname": "Gina", "lastname": "Gast", "email": email, "onlineOfferId": offer}
    return api.post(REDEEM, body)


def test_voucher_is_redeemed_once_for_an_access_code(api, demo_studio):
    first = redeem(api, "DEMO-VOUCHER-2026")
    assert first.status_code == 200
    code = first.json()["studioAccessCode"]
    assert len(code) == 8 and code.isalnum()
    again = redeem(api, "DEMO-VOUCHER-2026")
    assert again.status_code == 400
    assert again.json()["errorCode"] == "errormessage.checkinvoucher.already.redeemed"
    (guest,) = [c for c in Store(demo_studio).all("customer") if c.get("email") == "guest@example.org"]
    assert guest["status"] == "PROSPECT"


def test_code_is_case_insensitive_and_an_existing_customer_is_reused(api, demo_studio):
    store = Store(demo_studio)
    before = len(store.all("customer"))
    assert redeem(api, "daypass-0001", email="g@example.org").status_code == 200
    assert redeem(api, "DAYPASS-0002", email="G@example.org").status_code == 200
    assert len(store.all("customer")) == before + 1


def test_refusals(api):
    used = redeem(api, "USED-VOUCHER")
    assert used.status_code == 400 and used.json()["errorCode"] == "errormessage.checkinvoucher.already.redeemed"
    assert redeem(api, "NO-SUCH-CODE").status_code == 404
    wrong_offer = redeem(api, "WEEKPASS-0001", offer=DEMO_ONLINE_OFFER_ID)
    assert wrong_offer.status_code == 400
    assert wrong_offer.json()["errorCode"] == "errormessage.checkinvoucher.online.offer.mismatch"
    assert redeem(api, "WEEKPASS-0001", offer=OTHER_ONLINE_OFFER_ID).status_code == 200
    expired = redeem(api, "EXPIRED-VOUCHER")
    assert expired.status_code == 400 and expired.json()["errorCode"] == "errormessage.checkinvoucher.expired"


def test_missing_fields_are_a_validation_error(api):
    response = api.post(REDEEM, {"voucherCode": "DEMO-VOUCHER-2026", "firstname": "Gina", "lastname": "Gast"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.validation"
    assert redeem(api, "DEMO-VOUCHER-2026", email="not-an-address").status_code == 400
    assert redeem(api, "DEMO-VOUCHER-2026").status_code == 200  # nothing was used up by the bad requests
