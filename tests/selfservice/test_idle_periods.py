"""Idle periods: a form built from the contract's configuration, validation sentences, documents, withdrawal."""

from __future__ import annotations

import typing
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from portal.models import AuditEntry, Write
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from selfservice.texts import IDLE_PERIOD_OK, IDLE_PERIOD_VALIDATION
from tests.selfservice import documents
from tests.selfservice.conftest import field_values, form_key, main_text

# Real files: the portal opens every document before sending it (tests/selfservice/test_upload_limits.py).
PDF = documents.pdf()
PNG = documents.image("PNG")
JPEG = documents.image("JPEG")
HEIC = documents.heic()


def url(member) -> str:
    return f"/s/demo/account/contracts/{member.contract_id}/idle-periods/"


def reason_id(demo_client, member, name: str) -> int:
    config = demo_client.get_idle_period_config(member.contract_id)
    return next(r.id for r in config.idle_period_reasons if r.name == name)


def request_form(client, member, demo_client, *, reason: str = "Urlaub", term: str = "1", **extra):
    page = client.get(url(member))
    data = {
        "key": form_key(page),
        "start_date": field_values(page, "start_date")[0] if field_values(page, "start_date") else "",
        "term_value": term,
        "reason": str(reason_id(demo_client, member, reason)),
    }
    data.update(extra)
    return data


def test_page_shows_the_configuration_and_only_valid_choices(client, sign_in_as, mia, demo_client):
    sign_in_as(mia)
    page = client.get(url(mia))
    assert page.status_code == 200
    text = main_text(page)
    config = demo_client.get_idle_period_config(mia.contract_id)
    assert "Einheit ganze Monate, jeweils ab dem 1." in text
    assert "Höchstens 3 Monate" in text
    assert "Gebühr 5,00 € pro Monat" in text
    assert "Während der Ruhezeit können Sie das Studio nicht nutzen." in text
    assert "Ihre Ruhezeit gilt, sobald Sie den Antrag senden." in text
    starts = field_values(page, "start_date")
    assert starts[0] == config.first_possible_start_date.isoformat()
    assert all(date.fromisoformat(s).day == 1 for s in starts) and len(starts) == 12
    assert field_values(page, "term_value") == ["1", "2", "3"]
    assert "Krankheit (Nachweis nötig)" in text and "Urlaub" in text
    assert 'enctype="multipart/form-data"' in page.content.decode()
    assert "Keine Ruhezeiten geplant." in text


def test_next_possible_start_only_offers_exactly_that_date(client, sign_in_as, tom, demo_client):
    sign_in_as(tom)
    page = client.get(url(tom))
    first = demo_client.get_idle_period_config(tom.contract_id).first_possible_start_date
    assert field_values(page, "start_date") == [first.isoformat()]
    assert "Das Studio prüft Ihren Antrag, bevor die Ruhezeit gilt." in main_text(page)


def test_day_based_start_is_a_date_from_the_first_possible_one(client, sign_in_as, sara, demo_client, upstream_calls):
    sign_in_as(sara)
    page = client.get(url(sara))
    first = demo_client.get_idle_period_config(sara.contract_id).first_possible_start_date
    body = page.content.decode()
    assert f'type="date" name="start_date" value="{first.isoformat()}" min="{first.isoformat()}"' in body
    assert "Während der Ruhezeit können Sie das Studio weiter nutzen." in main_text(page)
    data = request_form(client, sara, demo_client, start_date=(first - timedelta(days=1)).isoformat(), term="3")
    response = client.post(url(sara), data)
    assert response.status_code == 422
    assert "frühestens am" in main_text(response)
    assert "validateIdlePeriodRequest" not in upstream_calls


def test_read_only_configuration_offers_no_form(client, sign_in_as, jonas):
    sign_in_as(jonas)
    page = client.get(url(jonas))
    text = main_text(page)
    assert "Für diesen Vertrag können Ruhezeiten nicht online beantragt werden." in text
    assert 'name="start_date"' not in page.content.decode()


def test_request_is_validated_then_created_once(client, sign_in_as, mia, demo_client, upstream_calls, store):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, term="2")
    response = client.post(url(mia), data)
    assert response.status_code == 302 and response["Location"] == url(mia)
    assert upstream_calls.index("validateIdlePeriodRequest") < upstream_calls.index("createIdlePeriodAmendment")
    page = client.get(url(mia))
    text = main_text(page)
    assert "Ihre Ruhezeit ist eingetragen." in text
    assert "Urlaub" in text and "Genehmigt" in text and "Gebühr 10,00 €" in text
    assert client.post(url(mia), data).status_code == 302  # sent again: nothing new
    assert upstream_calls.count("createIdlePeriodAmendment") == 1
    assert len(store.all("idle_period", contractId=mia.contract_id)) == 1
    entry = AuditEntry.objects.get(action="idle_period")
    assert entry.outcome == "done" and entry.details["state"] == "ACCEPTED" and entry.details["document"] is False
    # The write keeps what identifies it (ids and dates, no personal data) for a background reconcile.
    written = Write.objects.get(action="idle_period").details
    assert written["start_date"] == data["start_date"] and written["contract_id"] == mia.contract_id


def test_request_waiting_for_the_studio_says_so(client, sign_in_as, tom, demo_client):
    sign_in_as(tom)
    response = client.post(url(tom), request_form(client, tom, demo_client, term="2"))
    assert response.status_code == 302
    text = main_text(client.get(url(tom)))
    assert "Ihr Ruhezeit-Antrag ist gesendet. Das Studio prüft ihn." in text
    assert "Beantragt, das Studio prüft sie" in text and "Zurückziehen" in text


def test_length_and_reason_are_required(client, sign_in_as, mia, demo_client, upstream_calls):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, term="", reason="Urlaub")
    data["reason"] = ""
    response = client.post(url(mia), data)
    assert response.status_code == 422
    text = main_text(response)
    assert "Bitte wählen Sie, wie lange die Ruhezeit dauern soll." in text
    assert "Grund:" in text
    assert "validateIdlePeriodRequest" not in upstream_calls


def test_a_reason_that_needs_a_document_requires_an_upload(client, sign_in_as, mia, demo_client, upstream_calls):
    sign_in_as(mia)
    response = client.post(url(mia), request_form(client, mia, demo_client, reason="Krankheit"))
    assert response.status_code == 422
    assert "Für den Grund „Krankheit“ fügen Sie bitte einen Nachweis bei." in main_text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert "createIdlePeriodAmendment" not in upstream_calls


@pytest.mark.parametrize(
    ("content", "name", "sent_type", "sent_name"),
    [
        (PDF, "attest.pdf", "application/pdf", "attest.pdf"),
        (JPEG, "IMG_0001.JPG", "image/jpeg", "IMG_0001.jpg"),
        (HEIC, "IMG_0002.heic", "image/heic", "IMG_0002.heic"),
        (PNG, "../../etc/scan.pdf", "image/png", "scan.png"),  # the content decides, the name is cleaned
    ],
)
def test_document_is_sent_as_multipart_and_checked_by_content(
    client, sign_in_as, mia, demo_client, store, content, name, sent_type, sent_name
):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = client.post(url(mia), data)
    assert response.status_code == 302, main_text(response)
    (period,) = store.all("idle_period", contractId=mia.contract_id)
    assert period["_document"] == {"name": sent_name, "size": len(content), "contentType": sent_type}
    assert AuditEntry.objects.get(action="idle_period").details["document"] is True


@pytest.mark.parametrize(
    "content", [b"just text pretending to be a pdf", b"GIF89a" + b"\x00" * 20, b"<svg xmlns='x'/>"]
)
def test_other_files_are_refused_whatever_their_name(client, sign_in_as, mia, demo_client, upstream_calls, content):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = SimpleUploadedFile("attest.pdf", content, content_type="application/pdf")
    response = client.post(url(mia), data)
    assert response.status_code == 422
    assert "Der Nachweis muss eine JPEG-, PNG-, PDF- oder HEIC-Datei sein." in main_text(response)
    assert "createIdlePeriodAmendment" not in upstream_calls


def test_a_document_over_5_mb_is_refused_and_never_written_to_disk(
    client, sign_in_as, mia, demo_client, upstream_calls, monkeypatch
):
    def no_disk(*args, **kwargs):
        raise AssertionError("an upload went to a temporary file")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", no_disk)
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = SimpleUploadedFile(
        "big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(url(mia), data)
    assert response.status_code == 422
    assert "Der Nachweis ist größer als 5 MB." in main_text(response)
    assert "createIdlePeriodAmendment" not in upstream_calls


def test_a_document_between_2_5_and_5_mb_stays_in_memory(client, sign_in_as, mia, demo_client, store, monkeypatch):
    """Larger than FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), where Django would otherwise use a temporary file.

    (The in-process sandbox, standing in for the remote API, parses what it receives with Django's
    defaults; only the portal's own request must never touch the disk.)
    """
    spilled: list[str] = []
    original = TemporaryFileUploadHandler.new_file

    def record(self, *args, **kwargs):
        spilled.append(self.request.path)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", record)
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    content = documents.pdf(padding=4 * 1024 * 1024)
    data["document"] = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
    response = client.post(url(mia), data)
    assert response.status_code == 302
    (period,) = store.all("idle_period", contractId=mia.contract_id)
    assert period["_document"]["size"] == len(content)
    assert not [path for path in spilled if path.startswith("/s/")]


NOT_OK = [status for status in typing.get_args(m.IdlePeriodValidationStatus) if status not in IDLE_PERIOD_OK]


@pytest.mark.parametrize("status", NOT_OK)
def test_every_validation_status_becomes_a_sentence(client, sign_in_as, mia, demo_client, monkeypatch, status):
    monkeypatch.setattr(
        PerfectGymClient,
        "validate_idle_period_request",
        lambda self, contract_id, request: m.IdlePeriodValidationStatusResult(validation_status=status),
    )
    created = []
    monkeypatch.setattr(PerfectGymClient, "create_idle_period_amendment", lambda *a, **k: created.append(a))
    sign_in_as(mia)
    response = client.post(url(mia), request_form(client, mia, demo_client))
    assert response.status_code == 422
    from django.utils import translation

    with translation.override("de"):
        sentence = str(IDLE_PERIOD_VALIDATION[status])
    assert sentence in main_text(response)
    assert status not in main_text(response)
    assert created == []
    assert not Write.objects.exists()  # nothing was sent, so nothing to reconcile


def test_the_sandbox_pending_rule_is_explained(client, sign_in_as, lea, demo_client):
    sign_in_as(lea)
    data = request_form(client, lea, demo_client)
    response = client.post(url(lea), data)
    assert response.status_code == 422
    assert "Sie haben bereits einen Ruhezeit-Antrag, den das Studio noch prüft." in main_text(response)


def test_list_shows_state_and_only_pending_or_future_ones_can_be_withdrawn(client, sign_in_as, lea, demo_client):
    sign_in_as(lea)
    page = client.get(url(lea))
    text = main_text(page)
    assert (
        "Krankheit" in text and "Genehmigt" in text and "Urlaub" in text and "Beantragt, das Studio prüft sie" in text
    )
    periods = demo_client.get_idle_periods(lea.contract_id).current_and_upcoming_idle_periods
    running = next(p for p in periods if p.state == "ACCEPTED")
    pending = next(p for p in periods if p.state == "PENDING_VERIFICATION")
    body = page.content.decode()
    assert f"/idle-periods/{pending.id}/withdraw/" in body
    assert f"/idle-periods/{running.id}/withdraw/" not in body


def test_withdraw_a_pending_idle_period(client, sign_in_as, lea, demo_client, store, upstream_calls):
    sign_in_as(lea)
    pending = next(
        p
        for p in demo_client.get_idle_periods(lea.contract_id).current_and_upcoming_idle_periods
        if p.state == "PENDING_VERIFICATION"
    )
    withdraw = f"{url(lea)}{pending.id}/withdraw/"
    page = client.get(withdraw)
    assert "Ruhezeit zurückziehen" in main_text(page)
    key = form_key(page)
    response = client.post(withdraw, {"key": key})
    assert response.status_code == 302 and response["Location"] == url(lea)
    assert store.get("idle_period", pending.id) is None
    assert "Ihre Ruhezeit ist zurückgezogen." in main_text(client.get(url(lea)))
    assert client.post(withdraw, {"key": key}).status_code == 302  # sent again: not a 404, nothing sent
    assert upstream_calls.count("withdrawIdlePeriod") == 1
    assert AuditEntry.objects.get(action="idle_period_withdrawal").outcome == "done"


def test_a_running_idle_period_cannot_be_withdrawn(client, sign_in_as, lea, demo_client, upstream_calls):
    sign_in_as(lea)
    running = next(
        p
        for p in demo_client.get_idle_periods(lea.contract_id).current_and_upcoming_idle_periods
        if p.state == "ACCEPTED"
    )
    withdraw = f"{url(lea)}{running.id}/withdraw/"
    response = client.post(withdraw, {"key": "6d3f3c1e-5b1a-4f4e-9a53-5d1f4f0c7b21"})
    assert response.status_code == 200
    assert "hat schon begonnen" in main_text(response)
    assert "withdrawIdlePeriod" not in upstream_calls


def test_upstream_refusal_on_create_is_a_sentence(client, sign_in_as, mia, demo_client, monkeypatch):
    from portal.perfectgym import errors

    def refuse(self, contract_id, request, document=None):
        raise errors.BadRequest(
            "createIdlePeriodAmendment",
            status=400,
            error_code="errormessage.idleperiod.overlapping",
            error_message="raw upstream text",
        )

    monkeypatch.setattr(PerfectGymClient, "create_idle_period_amendment", refuse)
    sign_in_as(mia)
    response = client.post(url(mia), request_form(client, mia, demo_client))
    assert response.status_code == 422
    text = main_text(response)
    assert "Diese Ruhezeit überschneidet sich mit einer anderen Ruhezeit von Ihnen." in text
    assert "raw upstream text" not in text


def test_configuration_read_failing_is_a_sentence(client, sign_in_as, mia, monkeypatch):
    from portal.perfectgym import errors

    def down(self, contract_id):
        raise errors.Unavailable("getIdlePeriodConfig", status=503)

    monkeypatch.setattr(PerfectGymClient, "get_idle_period_config", down)
    sign_in_as(mia)
    response = client.get(url(mia))
    assert response.status_code == 200
    assert "nicht erreichbar" in main_text(response)


def test_the_upload_form_still_needs_the_csrf_token(demo_studio, mia, demo_client):
    from django.test import Client

    from portal.members import SESSION_KEY

    browser = Client(enforce_csrf_checks=True)
    session = browser.session
    session[SESSION_KEY] = {"studio": demo_studio.pk, "customer": mia.id}
    session.save()
    data = {"key": "6d3f3c1e-5b1a-4f4e-9a53-5d1f4f0c7b21", "start_date": "2030-01-01", "term_value": "1"}
    assert browser.post(url(mia), data).status_code == 403
    page = browser.get(url(mia))
    token = page.cookies["csrftoken"].value
    data["csrfmiddlewaretoken"] = token
    assert browser.post(url(mia), data).status_code == 422  # past the CSRF check, on to the form
