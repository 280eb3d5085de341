"""createIdlePeriodAmendment: a multipart body with a JSON part `data` and an optional `document`."""

from __future__ import annotations

import io
import json
from datetime import date
from email.message import Message
from email.parser import BytesParser

import pytest

from portal.perfectgym import errors
from portal.perfectgym import models as m
from tests.perfectgym.conftest import BASE

URL = f"{BASE}/v1/memberships/12/self-service/idle-periods"
IDLE_PERIOD = {
    "id": 90,
    "startDate": "2026-12-01",
    "endDate": "2026-12-31",
    "reason": "Illness",
    "fee": {"amount": 0, "currency": "EUR"},
    "state": "PENDING_VERIFICATION",
    "idlePeriodReason": {"id": 4, "name": "Illness", "documentRequired": True},
}
REQUEST = m.IdlePeriodCreateRequest(start_date=date(2026, 12, 1), temporal_unit="MONTH", term_value=1, reason_id=4)


def parts(request) -> dict[str, Message]:
    content_type = request.headers["Content-Type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    body = request.body if isinstance(request.body, bytes) else request.body.encode()
    message = BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    return {part.get_param("name", header="Content-Disposition"): part for part in message.get_payload()}


@pytest.mark.parametrize("content", [b"%PDF-1.7 proof", io.BytesIO(b"%PDF-1.7 proof")])
def test_data_part_is_json_and_document_part_is_the_file(client, api, content):
    api.post(URL, json=IDLE_PERIOD)

    result = client.create_idle_period_amendment(
        12, REQUEST, document=m.Document("certificate.pdf", content, "application/pdf")
    )

    assert result.state == "PENDING_VERIFICATION" and result.idle_period_reason.document_required
    sent = parts(api.calls[0].request)
    assert set(sent) == {"data", "document"}
    data = sent["data"]
    assert data.get_content_type() == "application/json"
    assert data.get_param("filename", header="Content-Disposition") is None
    assert json.loads(data.get_payload(decode=True)) == {
        "startDate": "2026-12-01",
        "temporalUnit": "MONTH",
        "termValue": 1,
        "reasonId": 4,
    }
    document = sent["document"]
    assert document.get_content_type() == "application/pdf"
    assert document.get_param("filename", header="Content-Disposition") == "certificate.pdf"
    assert document.get_payload(decode=True) == b"%PDF-1.7 proof"


def test_without_document_it_is_still_multipart_with_only_data(client, api):
    api.post(URL, json=IDLE_PERIOD)

    client.create_idle_period_amendment(12, REQUEST)

    sent = parts(api.calls[0].request)
    assert set(sent) == {"data"}
    assert sent["data"].get_content_type() == "application/json"


def test_upload_is_never_retried(client, api, settings):
    settings.UPSTREAM_GET_RETRIES = 2
    api.post(URL, status=503)
    with pytest.raises(errors.Unavailable):
        client.create_idle_period_amendment(12, REQUEST)
    assert len(api.calls) == 1
