"""Contact and address data amendments in the sandbox, in each amendmentConfigurationStatus."""

from __future__ import annotations

import pytest

from tests.sandbox.test_members import SandboxApi

ADDRESS = {"street": "Oranienstraße", "houseNumber": "25", "zipCode": "10999", "city": "Berlin", "countryCode": "DE"}


@pytest.fixture
def api(client, demo_studio) -> SandboxApi:
    return SandboxApi(client)


def _contact(api: SandboxApi, customer_id: int) -> dict:
    return api.get(f"/v1/customers/{customer_id}/self-service/contact-data").json()


def _address(api: SandboxApi, customer_id: int) -> dict:
    return api.get(f"/v1/customers/{customer_id}/self-service/address-data").json()


def test_contact_change_without_verification_applies_at_once(api):
    mia = api.member("mia@example.com")
    before = _contact(api, mia["id"])
    assert before["amendmentConfigurationStatus"] == "CHANGES_WITHOUT_VERIFICATION"
    assert "pendingAmendment" not in before

    response = api.post(f"/v1/customers/{mia['id']}/self-service/contact-data", {"phonePrivate": "+49 30 1112223"})
    assert response.status_code == 200
    amendment = response.json()
    assert amendment["phonePrivate"] == "+49 30 1112223"
    assert amendment["email"] == "mia@example.com"  # fields left out keep their value
    assert isinstance(amendment["id"], int)

    after = _contact(api, mia["id"])
    assert after["phonePrivate"] == "+49 30 1112223"
    assert "pendingAmendment" not in after
    assert api.get(f"/v1/customers/{mia['id']}").json()["phonePrivate"] == "+49 30 1112223"
    # An applied change is nothing to withdraw.
    assert api.delete(f"/v1/customers/{mia['id']}/self-service/amendment/{amendment['id']}").status_code == 404


def test_changed_email_is_found_by_search(api):
    mia = api.member("mia@example.com")
    api.post(f"/v1/customers/{mia['id']}/self-service/contact-data", {"email": "mia.schneider@example.com"})
    assert api.post("/v1/customers/search", {"email": "mia@example.com"}).json() == []
    assert api.member("mia.schneider@example.com")["id"] == mia["id"]


def test_contact_change_needing_verification_waits(api):
    tom = api.member("tom@example.com")
    data = _contact(api, tom["id"])
    assert data["amendmentConfigurationStatus"] == "CHANGES_REQUIRE_VERIFICATION"
    pending = data["pendingAmendment"]
    assert pending["phonePrivateMobile"] == "+49 160 98765404"
    assert data["phonePrivateMobile"] == "+49 151 23456704"

    second = api.post(f"/v1/customers/{tom['id']}/self-service/contact-data", {"phonePrivate": "+49 30 999"})
    assert second.status_code == 400
    assert second.json()["errorCode"] == "errormessage.amendment.already.pending"

    assert api.delete(f"/v1/customers/{tom['id']}/self-service/amendment/{pending['id']}").status_code == 200
    assert "pendingAmendment" not in _contact(api, tom["id"])

    third = api.post(f"/v1/customers/{tom['id']}/self-service/contact-data", {"phonePrivate": "+49 30 999"})
    assert third.status_code == 200
    waiting = _contact(api, tom["id"])
    assert waiting["pendingAmendment"] == third.json()
    assert waiting["phonePrivate"] == "+49 30 5550104"  # unchanged until verified
    assert api.get(f"/v1/customers/{tom['id']}").json()["phonePrivate"] == "+49 30 5550104"


def test_withdrawing_another_customers_amendment_is_404(api):
    tom = api.member("tom@example.com")
    mia = api.member("mia@example.com")
    pending = _contact(api, tom["id"])["pendingAmendment"]
    response = api.delete(f"/v1/customers/{mia['id']}/self-service/amendment/{pending['id']}")
    assert response.status_code == 404
    assert _contact(api, tom["id"])["pendingAmendment"] == pending
    assert api.delete(f"/v1/customers/{tom['id']}/self-service/amendment/999999").status_code == 404


def test_read_only_address_cannot_be_changed(api):
    sara = api.member("sara@example.com")
    data = _address(api, sara["id"])
    assert data["amendmentConfigurationStatus"] == "READ"
    assert (data["street"], data["countryCode"]) == ("Karl-Marx-Straße", "DE")

    response = api.post(f"/v1/customers/{sara['id']}/self-service/address-data", ADDRESS, language="de")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "errormessage.amendment.read.only"
    assert response.json()["errorMessage"] == "Diese Daten können online nicht geändert werden."
    assert _address(api, sara["id"])["street"] == "Karl-Marx-Straße"


def test_address_change_needing_verification_waits(api):
    lea = api.member("lea@example.com")
    assert _address(api, lea["id"])["amendmentConfigurationStatus"] == "CHANGES_REQUIRE_VERIFICATION"
    response = api.post(f"/v1/customers/{lea['id']}/self-service/address-data", ADDRESS)
    assert response.status_code == 200
    data = _address(api, lea["id"])
    assert data["pendingAmendment"] == {**ADDRESS, "id": response.json()["id"]}
    assert data["street"] == "Bergmannstraße"
    again = api.post(f"/v1/customers/{lea['id']}/self-service/address-data", ADDRESS)
    assert again.status_code == 400
    assert again.json()["errorCode"] == "errormessage.amendment.already.pending"


def test_address_change_without_verification_replaces_the_address(api):
    mia = api.member("mia@example.com")
    response = api.post(f"/v1/customers/{mia['id']}/self-service/address-data", {**ADDRESS, "countryCode": "at"})
    assert response.status_code == 200
    assert response.json()["countryCode"] == "AT"
    customer = api.get(f"/v1/customers/{mia['id']}").json()
    assert (customer["street"], customer["zipCode"], customer["country"]) == ("Oranienstraße", "10999", "AT")
    assert _address(api, mia["id"])["houseNumber"] == "25"


@pytest.mark.parametrize("missing", ["street", "zipCode", "city", "countryCode"])
def test_address_needs_street_zip_city_and_country(api, missing):
    mia = api.member("mia@example.com")
    body = {key: value for key, value in ADDRESS.items() if key != missing}
    response = api.post(f"/v1/customers/{mia['id']}/self-service/address-data", body)
    assert response.status_code == 400
    assert response.json()["reference"] == missing


def test_bad_country_code_or_email_is_refused(api):
    mia = api.member("mia@example.com")
    country = api.post(f"/v1/customers/{mia['id']}/self-service/address-data", {**ADDRESS, "countryCode": "DEU"})
    assert country.status_code == 400
    assert country.json()["reference"] == "countryCode"
    email = api.post(f"/v1/customers/{mia['id']}/self-service/contact-data", {"email": "not-an-address"})
    assert email.status_code == 400
    assert email.json()["reference"] == "email"


def test_unknown_customer_is_404(api):
    assert api.get("/v1/customers/999999/self-service/contact-data").status_code == 404
    assert api.post("/v1/customers/999999/self-service/address-data", ADDRESS).status_code == 404
    assert api.delete("/v1/customers/999999/self-service/amendment/1").status_code == 404
