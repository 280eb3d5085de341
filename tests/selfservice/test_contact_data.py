"""Contact and address data: current data, pending amendments, applies now or waits, read-only, withdrawal."""

from __future__ import annotations

import pytest

from portal.models import AuditEntry
from tests.selfservice.conftest import form_key, main_text

CONTACT = "/s/demo/account/contact/"
ADDRESS = "/s/demo/account/address/"


def contact_form(client, **changes):
    page = client.get(CONTACT)
    data = {
        "key": form_key(page),
        "email": "mia@example.com",
        "phone_private_mobile": "+49 151 23456701",
        "phone_private": "",
        "phone_business": "",
        "phone_business_mobile": "",
    }
    data.update(changes)
    return data


def test_contact_page_shows_current_data_and_that_changes_apply_at_once(client, sign_in_as, mia):
    sign_in_as(mia)
    text = main_text(client.get(CONTACT))
    assert "E-Mail-Adresse mia@example.com" in text
    assert "Mobiltelefon +49 151 23456701" in text
    assert "Änderungen gelten sofort." in text and "Änderungen speichern" in text


def test_contact_change_applies_at_once(client, sign_in_as, mia, store, upstream_calls):
    sign_in_as(mia)
    data = contact_form(client, phone_private_mobile="+49 160 1112223", phone_business="030 987654")
    response = client.post(CONTACT, data)
    assert response.status_code == 302 and response["Location"] == CONTACT
    text = main_text(client.get(CONTACT))
    assert "Ihre Änderung ist gespeichert." in text
    assert "Mobiltelefon +49 160 1112223" in text and "Telefon (geschäftlich) 030 987654" in text
    customer = store.get("customer", mia.id)
    assert customer["phonePrivateMobile"] == "+49 160 1112223"
    assert client.post(CONTACT, data).status_code == 302
    assert upstream_calls.count("createCustomerContactDataAmendment") == 1
    entry = AuditEntry.objects.get(action="contact_amendment")
    assert entry.outcome == "done" and entry.details["applied"] is True
    assert "+49" not in str(entry.details)  # no personal data in the audit trail


def test_contact_change_waiting_for_verification_says_so_and_can_be_withdrawn(client, sign_in_as, tom, store):
    sign_in_as(tom)
    page = client.get(CONTACT)
    text = main_text(page)
    assert "Änderung wartet auf das Studio" in text and "+49 160 98765404" in text
    assert "Änderungen prüft das Studio, bevor sie gelten." in text
    assert 'name="phone_private_mobile"' not in page.content.decode()  # one pending change at a time
    pending = store.all("amendment", customerId=tom.id, status="PENDING")[0]
    key = form_key(page)
    response = client.post(f"/s/demo/account/amendments/{pending['id']}/withdraw/", {"key": key})
    assert response.status_code == 302 and response["Location"] == CONTACT
    text = main_text(client.get(CONTACT))
    assert "Ihre beantragte Änderung ist zurückgezogen." in text
    assert store.get("amendment", pending["id"]) is None
    assert AuditEntry.objects.get(action="amendment_withdrawal").outcome == "done"

    # Now a new change waits for the studio, and the page says so in plain words.
    data = contact_form(client, email="tom@example.com", phone_private_mobile="+49 170 5554443")
    response = client.post(CONTACT, data)
    assert response.status_code == 302
    text = main_text(client.get(CONTACT))
    assert "Ihre Änderung ist gesendet. Sie gilt, sobald das Studio sie geprüft hat." in text
    assert "+49 170 5554443" in text


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("email", "mia@", "Geben Sie eine E-Mail-Adresse wie name@example.com ein."),
        ("email", "", "Dieses Feld ist zwingend erforderlich."),
        ("phone_private_mobile", "call me", "Geben Sie eine Telefonnummer nur mit Ziffern ein"),
        ("phone_private", "12", "Geben Sie eine Telefonnummer nur mit Ziffern ein"),
        ("phone_business", "+49 30 123 <b>", "Geben Sie eine Telefonnummer nur mit Ziffern ein"),
    ],
)
def test_formats_are_checked_before_sending(client, sign_in_as, mia, upstream_calls, field, value, sentence):
    sign_in_as(mia)
    response = client.post(CONTACT, contact_form(client, **{field: value}))
    assert response.status_code == 422
    assert sentence in main_text(response)
    body = response.content.decode()
    assert f'aria-describedby="id_{field}_error"' in body and 'aria-invalid="true"' in body
    assert "createCustomerContactDataAmendment" not in upstream_calls


def test_a_failed_form_keeps_what_was_typed(client, sign_in_as, mia):
    sign_in_as(mia)
    response = client.post(CONTACT, contact_form(client, email="neu@", phone_business="030 1234567"))
    body = response.content.decode()
    assert 'value="neu@"' in body and 'value="030 1234567"' in body


def test_address_change_waits_for_the_studio(client, sign_in_as, lea, store):
    sign_in_as(lea)
    page = client.get(ADDRESS)
    text = main_text(page)
    assert "Straße Bergmannstraße" in text and "Änderungen prüft das Studio, bevor sie gelten." in text
    data = {
        "key": form_key(page),
        "street": "Oranienstraße",
        "house_number": "7",
        "zip_code": "10997",
        "city": "Berlin",
        "country_code": "de",
    }
    response = client.post(ADDRESS, data)
    assert response.status_code == 302
    text = main_text(client.get(ADDRESS))
    assert "Ihre Änderung ist gesendet. Sie gilt, sobald das Studio sie geprüft hat." in text
    assert "Änderung wartet auf das Studio" in text and "Oranienstraße" in text
    (pending,) = store.all("amendment", customerId=lea.id, status="PENDING")
    assert pending["data"]["countryCode"] == "DE" and pending["data"]["street"] == "Oranienstraße"
    assert store.get("customer", lea.id)["street"] == "Bergmannstraße"  # not applied yet


def test_read_only_address_shows_no_form(client, sign_in_as, sara, upstream_calls):
    sign_in_as(sara)
    page = client.get(ADDRESS)
    text = main_text(page)
    assert "Diese Angaben können nicht online geändert werden." in text
    assert 'name="street"' not in page.content.decode()
    response = client.post(ADDRESS, {"key": "6d3f3c1e-5b1a-4f4e-9a53-5d1f4f0c7b21", "street": "X"})
    assert response.status_code == 422
    assert "createCustomerAddressDataAmendment" not in upstream_calls


def test_address_formats_are_checked(client, sign_in_as, mia, upstream_calls):
    sign_in_as(mia)
    data = {"key": form_key(client.get(ADDRESS)), "street": "", "zip_code": "!", "city": "Berlin", "country_code": "D"}
    response = client.post(ADDRESS, data)
    assert response.status_code == 422
    text = main_text(response)
    assert "Geben Sie eine Postleitzahl wie 10115 ein." in text and "Geben Sie zwei Buchstaben ein" in text
    assert "createCustomerAddressDataAmendment" not in upstream_calls


def test_a_change_that_started_waiting_meanwhile_is_not_sent(client, sign_in_as, mia, store, upstream_calls):
    sign_in_as(mia)
    data = contact_form(client, phone_business="030 7654321")
    # Between loading the form and sending it, a change started waiting (e.g. made at the counter).
    store.create("amendment", {"customerId": mia.id, "type": "CONTACT", "status": "PENDING", "data": {}})
    response = client.post(CONTACT, data)
    assert response.status_code == 422
    assert "Eine Änderung wartet bereits auf das Studio." in main_text(response)
    assert "createCustomerContactDataAmendment" not in upstream_calls


def test_upstream_error_code_sentences(client, sign_in_as, mia, monkeypatch):
    from portal.perfectgym import errors
    from portal.perfectgym.client import PerfectGymClient

    def refuse(self, customer_id, request):
        raise errors.BadRequest(
            "createCustomerContactDataAmendment",
            status=400,
            error_code="errormessage.amendment.already.pending",
            error_message="raw",
        )

    monkeypatch.setattr(PerfectGymClient, "create_customer_contact_data_amendment", refuse)
    sign_in_as(mia)
    response = client.post(CONTACT, contact_form(client, phone_business="030 7654321"))
    assert response.status_code == 422
    text = main_text(response)
    assert "Eine Änderung dieser Angaben wartet bereits auf das Studio." in text and "raw" not in text
    assert AuditEntry.objects.get(action="contact_amendment").outcome == "refused"


def test_reads_failing_show_a_sentence(client, sign_in_as, mia, upstream_fails):
    sign_in_as(mia)
    upstream_fails(503)
    for page in (CONTACT, ADDRESS):
        response = client.get(page)
        assert response.status_code == 503 and "nicht erreichbar" in main_text(response)
