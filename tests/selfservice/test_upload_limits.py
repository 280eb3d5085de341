"""Idle period uploads: strangers' bodies are never read, bodies and file counts are capped, documents are opened."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portal.members import SESSION_KEY
from tests.selfservice import documents
from tests.selfservice.conftest import main_text
from tests.selfservice.test_idle_periods import request_form, url

BOUNDARY = "----upload-limits"


class UnreadableBody:
    """A wsgi.input that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.touched = False

    def read(self, *args, **kwargs):
        self.touched = True
        raise AssertionError("the request body was read")

    readline = read


def post_unread(client, path: str, *, length: int, **extra):
    """A multipart POST announcing ``length`` bytes whose body cannot be read."""
    body = UnreadableBody()
    response = client.generic(
        "POST",
        path,
        data=b"-",
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **{"CONTENT_LENGTH": str(length), "wsgi.input": body, **extra},
    )
    return response, body


@pytest.fixture
def browser():
    """Checks CSRF tokens as production does, and holds a CSRF cookie as any visitor can (one GET is enough)."""
    browser = Client(enforce_csrf_checks=True)
    browser.cookies["csrftoken"] = "k" * 32
    return browser


# --- strangers ---------------------------------------------------------------------------------
def test_an_anonymous_upload_is_sent_to_sign_in_before_its_body_is_read(browser, mia):
    response, body = post_unread(browser, url(mia), length=5 * 1024 * 1024)
    assert response.status_code == 302
    assert response["Location"].startswith("/s/demo/account/?next=")
    assert not body.touched


def test_an_upload_signed_in_to_another_studio_is_not_read_either(browser, mia, demo_studio):
    session = browser.session
    session[SESSION_KEY] = {"studio": demo_studio.pk + 1000, "customer": mia.id}
    session.save()
    response, body = post_unread(browser, url(mia), length=1024)
    assert response.status_code == 302 and "/s/demo/account/" in response["Location"]
    assert not body.touched


# --- size and count ------------------------------------------------------------------------------
def test_forty_documents_of_4_9_mb_are_refused_unread_with_a_page_that_says_so(browser, mia):
    response, body = post_unread(browser, url(mia), length=40 * 4_900_000, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "What you sent is larger than 6 MB. Please go back and send a smaller file." in main_text(response)
    assert not body.touched
    assert "csrftoken" not in response.cookies


def test_a_member_body_over_the_limit_is_refused_unread(client, sign_in_as, mia, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2 * 1024 * 1024
    sign_in_as(mia)
    response, body = post_unread(client, url(mia), length=2 * 1024 * 1024 + 1, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "larger than 2 MB" in main_text(response)
    assert not body.touched


def test_a_body_at_the_limit_is_read(client, sign_in_as, mia, demo_client, store):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = SimpleUploadedFile("scan.pdf", documents.pdf(padding=4_900_000), content_type="application/pdf")
    response = client.post(url(mia), data)
    assert response.status_code == 302, main_text(response)
    assert store.all("idle_period", contractId=mia.contract_id)


def test_too_many_files_get_a_sentence_not_an_error(client, sign_in_as, mia, demo_client, upstream_calls):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = [
        SimpleUploadedFile(f"scan{n}.png", documents.image("PNG"), content_type="image/png") for n in range(3)
    ]
    response = client.post(url(mia), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Too many files were sent at once. Please go back and send fewer files." in main_text(response)
    assert "createIdlePeriodAmendment" not in upstream_calls


# --- documents are opened, not only sniffed ---------------------------------------------------------
HTML_PDF = b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n"


@pytest.mark.parametrize(
    "content",
    [
        HTML_PDF,
        documents.pdf() + b"<html><script>alert(1)</script></html>",  # a real PDF with HTML appended
        b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
        documents.image("JPEG")[:200],  # cut off
        documents.heic()[:24] + b"<html><script>alert(1)</script></html>",
    ],
    ids=["pdf-head-html", "pdf-then-html", "png-head-html", "truncated-jpeg", "heic-head-html"],
)
def test_a_file_that_only_starts_like_a_document_is_refused_and_the_form_keeps_its_values(
    client, sign_in_as, mia, demo_client, upstream_calls, content
):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit", term="2")
    data["document"] = SimpleUploadedFile("attest.pdf", content, content_type="application/pdf")
    response = client.post(url(mia), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert (
        "The document could not be opened: it may be damaged, or it is not really a JPEG, PNG, PDF or HEIC file."
        in main_text(response)
    )
    assert "createIdlePeriodAmendment" not in upstream_calls
    body = response.content.decode()
    assert f'<option value="{data["reason"]}" selected>' in body
    assert '<option value="2" selected>' in body
    assert f'value="{data["key"]}"' in body


def test_a_pdf_locked_with_a_password_is_refused_with_a_sentence(client, sign_in_as, mia, demo_client, upstream_calls):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = SimpleUploadedFile("attest.pdf", documents.pdf(password="secret"))
    response = client.post(url(mia), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "The PDF is protected by a password. Please send it without a password." in main_text(response)
    assert "createIdlePeriodAmendment" not in upstream_calls


@pytest.mark.parametrize(
    ("content", "sent_type"),
    [
        (documents.pdf(), "application/pdf"),
        (documents.pdf(password=""), "application/pdf"),  # encrypted, but opens without a password
        (documents.image("PNG"), "image/png"),
        (documents.image("JPEG"), "image/jpeg"),
        (documents.heic(), "image/heic"),
    ],
    ids=["pdf", "pdf-no-password", "png", "jpeg", "heic"],
)
def test_real_documents_are_sent(client, sign_in_as, mia, demo_client, store, content, sent_type):
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = SimpleUploadedFile("attest", content, content_type="application/octet-stream")
    response = client.post(url(mia), data)
    assert response.status_code == 302, main_text(response)
    (period,) = store.all("idle_period", contractId=mia.contract_id)
    assert period["_document"]["contentType"] == sent_type and period["_document"]["size"] == len(content)


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(
    client, sign_in_as, mia, demo_client, upstream_calls, monkeypatch
):
    from PIL import Image

    from portal.lib import filetypes

    content = documents.image("PNG")  # 60 x 40 = 2400 pixels
    monkeypatch.setattr(filetypes, "MAX_PIXELS", 1000)
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("a too-large image was decoded"))
    sign_in_as(mia)
    data = request_form(client, mia, demo_client, reason="Krankheit")
    data["document"] = SimpleUploadedFile("scan.png", content)
    response = client.post(url(mia), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "The image has too many pixels. Please send a smaller photo or scan." in main_text(response)
    assert "createIdlePeriodAmendment" not in upstream_calls


@pytest.mark.parametrize(
    "path",
    [
        "/s/demo/account/contracts/1/cancel/",
        "/s/demo/account/contact/",
        "/s/demo/account/address/",
        "/s/demo/account/bookings/feed/",
        "/s/demo/classes/1/book/",
        "/s/demo/appointments/1/book/",
    ],
)
def test_no_member_page_reads_a_strangers_body(browser, demo_studio, path):
    """Every page behind the member check answers a stranger's POST before its body is read."""
    response, body = post_unread(browser, path, length=1024 * 1024)
    assert not body.touched
    assert response.status_code in (302, 403, 404)
