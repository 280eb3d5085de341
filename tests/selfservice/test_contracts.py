"""Contracts: what a member sees, cancelation (choose, review, confirm) and its withdrawal."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from portal.models import AuditEntry, Write
from tests.selfservice.conftest import field_values, form_key, main_text

ACCOUNT = "/s/demo/account/"


def cancel_url(member) -> str:
    return f"/s/demo/account/contracts/{member.contract_id}/cancel/"


def withdraw_url(member) -> str:
    return f"/s/demo/account/contracts/{member.contract_id}/withdraw-cancelation/"


def choose(client, member):
    page = client.get(cancel_url(member))
    assert page.status_code == 200, main_text(page)
    return {
        "key": form_key(page),
        "end_date": field_values(page, "end_date")[0],
        "reason": field_values(page, "reason")[0],
    }


def test_account_shows_each_contract_in_plain_german(client, sign_in_as, mia):
    sign_in_as(mia)
    text = main_text(client.get(ACCOUNT))
    assert "Premium 12 Monate" in text
    assert f"Vertragsnummer {mia.contract_id}" in text
    assert "Status Aktiv" in text
    assert "Preis 39,90 € pro Monat" in text
    assert "Kündigungsfrist 1 Monat" in text
    assert "Kündigung Nicht gekündigt" in text
    assert "Letzter Tag für die Kündigung" in text
    start = mia.contract.start_date
    assert f"Beginn {start.day}. " in text and str(start.year) in text
    assert "Vertrag kündigen" in text and "Kündigung zurücknehmen" not in text
    assert "Meine Buchungen" in text and 'href="/s/demo/account/bookings/"' in client.get(ACCOUNT).content.decode()


def test_account_in_english(client, sign_in_as, mia):
    sign_in_as(mia)
    text = main_text(client.get(ACCOUNT + "?lang=en"))
    assert "Price €39.90 per month" in text and "Cancelation Not canceled" in text and "Status Active" in text


def test_pending_cancelation_is_explained_and_can_be_withdrawn(client, sign_in_as, jonas):
    sign_in_as(jonas)
    text = main_text(client.get(ACCOUNT))
    assert "Kündigung eingegangen, das Studio prüft sie" in text
    assert "Kündigung zurücknehmen" in text and "Vertrag kündigen" not in text


def test_studio_cancelation_cannot_be_withdrawn(client, sign_in_as, paul):
    sign_in_as(paul)
    text = main_text(client.get(ACCOUNT))
    assert "Gekündigt" in text and "Nicht aktiv" in text
    assert "Kündigung zurücknehmen" not in text
    page = client.get(withdraw_url(paul))
    assert "keine Kündigung, die Sie online zurücknehmen können" in main_text(page)


def test_cancel_offers_only_the_available_dates_and_the_studios_reasons(client, sign_in_as, mia, demo_client):
    sign_in_as(mia)
    page = client.get(cancel_url(mia))
    assert field_values(page, "end_date") == [d.isoformat() for d in mia.contract.available_cancelation_dates]
    reasons = demo_client.get_contract_cancelation_reason_data()
    assert field_values(page, "reason") == [str(r.cancelation_reason_id) for r in reasons]
    assert "Umzug" in main_text(page)


def test_cancel_review_then_confirm_files_it_once_with_confirmation_page_and_email(
    client, sign_in_as, mia, store, upstream_calls
):
    sign_in_as(mia)
    data = choose(client, mia)
    review = client.post(cancel_url(mia), {**data, "step": "review"})
    text = main_text(review)
    assert "Bitte prüfen Sie Ihre Kündigung" in text and "Kündigung bestätigen" in text
    assert "createContractCancelationAmendment" not in upstream_calls  # nothing sent before confirming

    confirmed = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == f"/s/demo/account/confirmations/{data['key']}/"
    receipt = main_text(client.get(confirmed["Location"]))
    assert "Ihre Kündigung ist eingegangen" in receipt and "Ihr Vertrag ist gekündigt." in receipt
    assert "Premium 12 Monate" in receipt and "Eingegangen" in receipt and "Umzug" in receipt
    assert re.search(r"Eingegangen \d{1,2}\. \w+ \d{4}, \d{2}:\d{2}", receipt)

    contract = store.get("contract", mia.contract_id)
    assert contract["cancelationStatus"] == "CANCELED" and contract["cancelationDate"] == data["end_date"]

    # A double click / reload / resubmission: the same confirmation, nothing sent again.
    again = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert again.status_code == 302 and again["Location"] == confirmed["Location"]
    assert upstream_calls.count("createContractCancelationAmendment") == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mia@example.com"] and message.subject == "Ihre Kündigung ist eingegangen"
    assert "Premium 12 Monate" in message.body and "Vertragsende:" in message.body and "Eingegangen:" in message.body
    entry = AuditEntry.objects.get(action="cancelation")
    assert entry.outcome == "done" and entry.actor == f"customer:{mia.id}"
    assert entry.details["contract_id"] == mia.contract_id and entry.details["end_date"] == data["end_date"]


def test_back_from_review_keeps_the_choices(client, sign_in_as, mia):
    sign_in_as(mia)
    data = choose(client, mia)
    data["end_date"] = field_values(client.get(cancel_url(mia)), "end_date")[1]
    back = client.post(cancel_url(mia), {**data, "step": "edit"})
    body = back.content.decode()
    assert back.status_code == 200
    assert f'value="{data["end_date"]}" id="id_end_date_1" required checked' in body
    assert f'<option value="{data["reason"]}" selected>' in body
    assert "error-summary" not in body


def test_cancel_needs_date_and_reason(client, sign_in_as, mia, upstream_calls):
    sign_in_as(mia)
    key = form_key(client.get(cancel_url(mia)))
    response = client.post(cancel_url(mia), {"key": key, "step": "review"})
    assert response.status_code == 422
    text = main_text(response)
    assert "Bitte wählen Sie, wann Ihr Vertrag enden soll." in text and "Bitte wählen Sie einen Grund." in text


def test_a_date_that_is_not_offered_is_refused_before_sending(client, sign_in_as, mia, upstream_calls):
    sign_in_as(mia)
    data = {**choose(client, mia), "end_date": "2020-01-31", "step": "confirm"}
    response = client.post(cancel_url(mia), data)
    assert response.status_code == 422
    assert "createContractCancelationAmendment" not in upstream_calls


def test_upstream_refusal_is_a_sentence_and_a_new_try_is_possible(client, sign_in_as, mia, store, monkeypatch):
    sign_in_as(mia)
    data = choose(client, mia)
    # Someone at the counter canceled the contract meanwhile: the API refuses.
    contract = store.get("contract", mia.contract_id)
    from portal.perfectgym.client import PerfectGymClient

    original = PerfectGymClient.create_contract_cancelation_amendment

    def counter_first(self, customer_id, request):
        contract.update(cancelationStatus="CANCELED", cancelationDate=data["end_date"], cancelationOrigin="STUDIO")
        store.save("contract", contract)
        return original(self, customer_id, request)

    monkeypatch.setattr(PerfectGymClient, "create_contract_cancelation_amendment", counter_first)
    response = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert response.status_code == 422
    text = main_text(response)
    assert "Dieser Vertrag ist bereits gekündigt." in text
    assert "already" not in text and "bereits gekündigt." in text
    assert form_key(response) != data["key"]  # a refused request can be sent again as a new one
    assert Write.objects.get(key=data["key"]).state == "refused"
    assert AuditEntry.objects.get(action="cancelation").outcome == "refused"


def test_upstream_down_while_confirming_says_so(client, sign_in_as, mia, upstream_fails, monkeypatch):
    sign_in_as(mia)
    data = choose(client, mia)
    from portal.perfectgym import errors
    from portal.perfectgym.client import PerfectGymClient

    def down(self, *args, **kwargs):
        raise errors.Unavailable("createContractCancelationAmendment", status=503, trace_id="t-503")

    monkeypatch.setattr(PerfectGymClient, "create_contract_cancelation_amendment", down)
    response = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert response.status_code == 422
    assert "nicht erreichbar" in main_text(response)
    entry = AuditEntry.objects.get(action="cancelation")
    assert entry.outcome == "failed" and entry.trace_id == "t-503" and entry.upstream_status == 503


def _lost_answer(monkeypatch, *, written: bool):
    """The cancelation is sent (and happens when ``written``) but its answer never arrives."""
    from portal.perfectgym import errors
    from portal.perfectgym.client import PerfectGymClient

    original = PerfectGymClient.create_contract_cancelation_amendment

    def lost(self, customer_id, request):
        if written:
            original(self, customer_id, request)
        raise errors.OutcomeUnknown("createContractCancelationAmendment", error_message="ReadTimeout")

    monkeypatch.setattr(PerfectGymClient, "create_contract_cancelation_amendment", lost)


def test_lost_answer_is_reconciled_by_reading(client, sign_in_as, mia, store, monkeypatch, upstream_calls):
    sign_in_as(mia)
    data = choose(client, mia)
    _lost_answer(monkeypatch, written=True)
    response = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert response.status_code == 302  # reading showed it arrived
    assert "Ihr Vertrag ist gekündigt." in main_text(client.get(response["Location"]))
    assert upstream_calls.count("createContractCancelationAmendment") == 1
    assert AuditEntry.objects.get(action="cancelation").outcome == "done"
    assert len(mail.outbox) == 1


def test_lost_answer_of_a_write_that_did_not_happen_asks_to_send_again(client, sign_in_as, mia, store, monkeypatch):
    sign_in_as(mia)
    data = choose(client, mia)
    _lost_answer(monkeypatch, written=False)
    response = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert response.status_code == 422
    assert "hat das System des Studios nicht erreicht. Bitte senden Sie sie erneut." in main_text(response)
    assert form_key(response) != data["key"]
    assert "cancelationStatus" not in store.get("contract", mia.contract_id)


def test_lost_answer_and_failing_reads_wait_then_reconcile_before_writing_again(
    client, sign_in_as, mia, store, monkeypatch, upstream_calls
):
    from portal.perfectgym import errors
    from selfservice.services import contracts as services

    sign_in_as(mia)
    data = choose(client, mia)
    _lost_answer(monkeypatch, written=True)
    original_find = services._find_contract

    def unreadable(*args):
        raise errors.Unavailable("getContractData", status=503)

    monkeypatch.setattr(services, "_find_contract", unreadable)
    response = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert response.status_code == 422
    text = main_text(response)
    assert "Wir prüfen, ob Ihre Anfrage angekommen ist" in text or "nicht rechtzeitig geantwortet" in text
    assert form_key(response) == data["key"]  # the same request: sending it again reconciles first
    assert Write.objects.get(key=data["key"]).state == "unknown"
    assert AuditEntry.objects.get(action="cancelation").outcome == "unknown"

    monkeypatch.setattr(services, "_find_contract", original_find)
    again = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert again.status_code == 302
    assert upstream_calls.count("createContractCancelationAmendment") == 1  # read, not written again
    assert store.get("contract", mia.contract_id)["cancelationStatus"] == "CANCELED"
    assert len(mail.outbox) == 1


def test_reads_failing_show_a_page_not_an_error(client, sign_in_as, mia, upstream_fails):
    sign_in_as(mia)
    upstream_fails(503)
    for url in (ACCOUNT, cancel_url(mia), withdraw_url(mia)):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "nicht erreichbar" in main_text(response)


def test_with_the_studios_system_down_the_last_known_account_is_shown_labelled(
    client, sign_in_as, mia, upstream_fails, monkeypatch
):
    from portal.lib import cache as swr

    sign_in_as(mia)
    assert "Premium 12 Monate" in main_text(client.get(ACCOUNT))
    assert client.get(cancel_url(mia)).status_code == 200
    upstream_fails(503)
    monkeypatch.setattr(swr, "clock", lambda: __import__("time").time() + 300)  # five minutes later
    for url in (ACCOUNT, cancel_url(mia)):
        response = client.get(url)
        assert response.status_code == 200, url
    page = main_text(client.get(ACCOUNT))
    assert "Premium 12 Monate" in page and "möglicherweise nicht aktuell" in page


def test_withdraw_a_pending_cancelation(client, sign_in_as, jonas, store, upstream_calls):
    sign_in_as(jonas)
    page = client.get(withdraw_url(jonas))
    assert "Kündigung zurücknehmen" in main_text(page)
    key = form_key(page)
    response = client.post(withdraw_url(jonas), {"key": key})
    assert response.status_code == 302
    receipt = main_text(client.get(response["Location"]))
    assert "Ihre Kündigung ist zurückgenommen: Ihr Vertrag läuft weiter." in receipt
    assert "Bisheriges Vertragsende" in receipt
    assert "cancelationStatus" not in store.get("contract", jonas.contract_id)
    assert client.post(withdraw_url(jonas), {"key": key})["Location"] == response["Location"]
    assert upstream_calls.count("withdrawContractCancelation") == 1
    assert mail.outbox[0].subject == "Ihre Kündigung ist zurückgenommen"
    assert AuditEntry.objects.get(action="cancelation_withdrawal").outcome == "done"


def test_cancel_then_withdraw_when_the_studio_verifies(client, sign_in_as, mia, store):
    """With verification the withdrawal of a CANCELED contract waits for the studio: the page says so."""
    contract = store.get("contract", mia.contract_id)
    contract["_cancelationRequiresVerification"] = True
    store.save("contract", contract)
    sign_in_as(mia)
    data = choose(client, mia)
    done = client.post(cancel_url(mia), {**data, "step": "confirm"})
    assert "Das Studio hat Ihre Kündigung erhalten und prüft sie." in main_text(client.get(done["Location"]))
    contract = store.get("contract", mia.contract_id)
    contract["cancelationStatus"] = "CANCELED"  # the studio verified it
    store.save("contract", contract)
    key = form_key(client.get(withdraw_url(mia)))
    withdrawn = client.post(withdraw_url(mia), {"key": key})
    text = main_text(client.get(withdrawn["Location"]))
    assert "Das Studio hat die Rücknahme Ihrer Kündigung erhalten und prüft sie." in text


def test_confirmation_of_an_unknown_key_is_404(client, sign_in_as, mia):
    sign_in_as(mia)
    assert client.get("/s/demo/account/confirmations/3f2b1a90-0000-4000-8000-000000000000/").status_code == 404


def test_htmx_confirm_redirects_the_browser(client, sign_in_as, mia):
    sign_in_as(mia)
    data = choose(client, mia)
    response = client.post(cancel_url(mia), {**data, "step": "confirm"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/s/demo/account/confirmations/")


@pytest.mark.parametrize("step", ["review", "confirm"])
def test_htmx_errors_are_fragments_with_422(client, sign_in_as, mia, step):
    sign_in_as(mia)
    key = form_key(client.get(cancel_url(mia)))
    response = client.post(cancel_url(mia), {"key": key, "step": step}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "<html" not in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_a_second_submit_while_the_first_is_sending_is_answered_at_once_and_polls(
    client, sign_in_as, mia, demo_studio, store, upstream_calls
):
    import time
    import uuid

    sign_in_as(mia)
    data = choose(client, mia)
    first = Write.objects.create(  # the first click, still sending
        studio=demo_studio,
        key=uuid.UUID(data["key"]),
        actor=f"customer:{mia.id}",
        action="cancelation",
        target={"contract_id": mia.contract_id},
    )
    upstream_calls.clear()
    started = time.monotonic()
    response = client.post(cancel_url(mia), {**data, "step": "confirm"}, HTTP_HX_REQUEST="true")
    assert time.monotonic() - started < 2  # no worker waiting for the first request
    assert response.status_code == 202
    body = response.content.decode()
    assert 'hx-trigger="load delay:1s"' in body and f"?sent={data['key']}" in body
    assert "createContractCancelationAmendment" not in upstream_calls
    assert "cancelationStatus" not in store.get("contract", mia.contract_id)

    poll = f"{cancel_url(mia)}?sent={data['key']}"
    still = client.get(poll, HTTP_HX_REQUEST="true")
    assert still.status_code == 202 and "load delay:1s" in still.content.decode()
    without_js = client.get(poll)
    assert without_js.status_code == 202 and '<meta http-equiv="refresh"' in without_js.content.decode()

    first.finish(
        Write.State.DONE,
        {
            "kind": "cancelation",
            "contract_id": mia.contract_id,
            "rate_name": "Basic",
            "end_date": data["end_date"],
            "status": "CANCELED",
            "received_at": "2026-11-20T10:00:00+00:00",
        },
    )
    done = client.get(poll, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == f"/s/demo/account/confirmations/{data['key']}/"
