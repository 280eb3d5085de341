"""The pieces under the pages: write-once requests, in-memory uploads, sign-in tokens."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadhandler import SkipFile
from django.http.multipartparser import MultiPartParser
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from portal.lib.filetypes import sniff_document_type
from portal.models import Write
from portal.perfectgym import errors
from portal.writes import run_once
from selfservice.models import SignInToken
from selfservice.uploads import MemoryOnlyUploadHandler, safe_filename


def once(studio, key, write, reconcile=lambda: None, *, customer_id=1, target=None):
    actor, target = f"customer:{customer_id}", target or {"contract_id": 1}
    return run_once(studio, actor, key, write, reconcile, action="test", target=target)


def test_a_key_writes_once_and_answers_again_from_the_record(demo_studio):
    key = uuid.uuid4()
    writes = []
    first = once(demo_studio, key, lambda: writes.append(1) or {"ok": 1})
    second = once(demo_studio, key, lambda: writes.append(2) or {"ok": 2})
    assert first.ok and first.fresh and second.ok and not second.fresh
    assert writes == [1] and second.result == {"ok": 1}


def test_a_refusal_is_remembered(demo_studio):
    key = uuid.uuid4()

    def refuse():
        raise errors.BadRequest("op", status=400, error_code="errormessage.contract.already.canceled")

    first = once(demo_studio, key, refuse)
    again = once(demo_studio, key, lambda: {"ok": 1})
    assert not first.ok and not again.ok and not again.fresh
    assert again.error.error_code == first.error.error_code == "errormessage.contract.already.canceled"
    assert Write.objects.get(key=key).state == "refused"


def test_unknown_outcome_then_reading_decides(demo_studio):
    key = uuid.uuid4()

    def lost():
        raise errors.OutcomeUnknown("op")

    def unreadable():
        raise errors.Unavailable("read")

    pending = once(demo_studio, key, lost, unreadable)
    assert not pending.ok and Write.objects.get(key=key).state == "unknown"
    writes = []
    # Reading now shows it did NOT happen: then (and only then) it is written again.
    retried = once(demo_studio, key, lambda: writes.append(1) or {"ok": 1}, lambda: None)
    assert retried.ok and writes == [1]


def test_unknown_outcome_that_happened_is_not_written_again(demo_studio):
    key = uuid.uuid4()
    once(
        demo_studio,
        key,
        lambda: (_ for _ in ()).throw(errors.OutcomeUnknown("op")),
        lambda: (_ for _ in ()).throw(errors.Unavailable("r")),
    )
    writes = []
    done = once(demo_studio, key, lambda: writes.append(1) or {}, lambda: {"found": True})
    assert done.ok and done.result == {"found": True} and writes == []


def test_a_request_in_flight_is_not_sent_twice(demo_studio):
    key = uuid.uuid4()
    Write.objects.create(studio=demo_studio, key=key, actor="customer:1", action="test", target={"contract_id": 1})
    writes = []
    busy = once(demo_studio, key, lambda: writes.append(1) or {})
    assert busy.in_progress and writes == []
    Write.objects.filter(key=key).update(updated_at=timezone.now() - timedelta(minutes=5))
    taken_over = once(demo_studio, key, lambda: writes.append(1) or {}, lambda: None)
    assert taken_over.ok and writes == [1]


def test_another_members_or_another_targets_key_is_refused(demo_studio):
    key = uuid.uuid4()
    once(demo_studio, key, lambda: {})
    assert once(demo_studio, key, lambda: {}, customer_id=2).expired
    assert once(demo_studio, key, lambda: {}, target={"contract_id": 2}).expired


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe1", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"%PDF-1.4", "application/pdf"),
        (b"\x00\x00\x00\x18ftypmif1", "image/heic"),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_documents_are_recognised_by_their_first_bytes(head, kind):
    assert sniff_document_type(head + b"\x00" * 8) == kind


def test_file_names_lose_their_path_and_get_the_right_extension():
    assert safe_filename("C:\\Users\\mia\\Attest März.PDF", "application/pdf") == "Attest März.pdf"
    assert safe_filename("../../x.exe", "image/png") == "x.png"
    assert safe_filename("", "image/jpeg") == "document.jpg"


def parse(payload: dict, max_bytes: int):
    body = encode_multipart(BOUNDARY, payload)
    handler = MemoryOnlyUploadHandler(max_bytes=max_bytes)
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    post, files = MultiPartParser(meta, BytesIO(body), [handler]).parse()
    return handler, post, files


def test_memory_handler_keeps_small_files_in_memory():
    from django.core.files.uploadedfile import SimpleUploadedFile

    handler, post, files = parse({"a": "1", "document": SimpleUploadedFile("x.pdf", b"%PDF-" + b"1" * 100)}, 1000)
    assert post["a"] == "1"
    upload = files["document"]
    assert upload.read() == b"%PDF-" + b"1" * 100
    assert not hasattr(upload, "temporary_file_path")
    assert handler.too_large == set()


def test_memory_handler_drops_large_files_and_says_so():
    from django.core.files.uploadedfile import SimpleUploadedFile

    handler, post, files = parse({"a": "1", "document": SimpleUploadedFile("x.pdf", b"0" * 200_000)}, 1000)
    assert "document" not in files and handler.too_large == {"document"} and post["a"] == "1"


def test_skipfile_is_how_it_stops():
    handler = MemoryOnlyUploadHandler(max_bytes=3)
    handler.new_file("document", "x", "application/pdf", 10)
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"0123", 0)


def test_sign_in_tokens_are_single_use_and_expire(demo_studio):
    raw = SignInToken.issue(demo_studio, 42)
    assert SignInToken.redeem(demo_studio, raw) == 42
    assert SignInToken.redeem(demo_studio, raw) is None
    raw = SignInToken.issue(demo_studio, 42)
    SignInToken.objects.filter(used_at__isnull=True).update(expires_at=timezone.now())
    assert SignInToken.redeem(demo_studio, raw) is None


def test_the_services_the_views_call_raise_only_the_apps_own_errors():
    """Upstream errors become ``Unavailable`` (with the member's sentence) or ``NotOwned``, never ApiError."""
    from selfservice import services
    from selfservice.services.common import translated

    def failing(error: errors.ApiError):
        def service():
            raise error

        return translated(service)

    with pytest.raises(services.Unavailable) as unavailable:
        failing(errors.Unavailable("getContractData", status=503))()
    assert unavailable.value.message and "503" not in unavailable.value.message
    with pytest.raises(services.NotOwned):
        failing(errors.NotFound("getContractData", status=404))()


def test_a_studio_that_cannot_be_reached_is_unavailable_not_an_api_error(demo_studio, mia, upstream_fails):
    from selfservice import services

    upstream_fails(503)
    with pytest.raises(services.Unavailable):
        services.contract_page(demo_studio, mia.id, mia.contract_id, action=services.CANCELATION, raw_key=None)
