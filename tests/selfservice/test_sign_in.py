"""Passwordless sign-in: one page says the same for any address, single-use 15-minute links, POST to sign in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.members import SESSION_KEY
from portal.models import AuditEntry
from selfservice.models import SignInToken
from tests.selfservice.conftest import main_text

ACCOUNT = "/s/demo/account/"


def link_from(message) -> str:
    return re.search(r"http://testserver(/s/demo/account/sign-in/[^\s]+)", message.body).group(1)


def ask_for_link(client, email: str, **extra):
    return client.post(ACCOUNT, {"email": email, **extra})


def test_sign_in_page_asks_for_the_email_address(client, demo_studio):
    response = client.get(ACCOUNT)
    assert response.status_code == 200
    text = main_text(response)
    assert "Mein Konto" in text and "E-Mail-Adresse" in text and "Anmeldelink senden" in text
    assert 'autocomplete="email"' in response.content.decode()


def test_known_and_unknown_addresses_get_the_same_page(client, demo_studio, mia):
    known = ask_for_link(client, "MIA@example.com")
    unknown = ask_for_link(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    same = "haben wir gerade einen Anmeldelink an diese Adresse gesendet"
    assert same in main_text(known) and same in main_text(unknown)
    assert len(mail.outbox) == 1  # only the member on file gets mail
    message = mail.outbox[0]
    assert message.to == ["mia@example.com"]
    assert message.subject == "Ihr Anmeldelink"
    assert "Guten Tag Mia," in message.body and "15 Minuten" in message.body
    outcomes = list(AuditEntry.objects.filter(action="sign_in_link").values_list("outcome", flat=True))
    assert sorted(outcomes) == ["no_match", "sent"]


def test_opening_the_link_does_not_use_it_up(client, demo_studio, mia):
    ask_for_link(client, mia.email)
    link = link_from(mail.outbox[0])
    for _ in range(3):  # a mail scanner, a preview, the member
        page = client.get(link)
        assert page.status_code == 200
        assert "Anmelden" in main_text(page)
    assert SESSION_KEY not in client.session


def test_sign_in_button_signs_in_rotates_the_session_and_shows_the_account(client, demo_studio, mia):
    client.get(ACCOUNT)
    before = client.session.session_key
    ask_for_link(client, mia.email)
    response = client.post(link_from(mail.outbox[0]))
    assert response.status_code == 302 and response["Location"] == ACCOUNT
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == {"studio": demo_studio.pk, "customer": mia.id}
    account = client.get(ACCOUNT)
    assert "Angemeldet als Mia Schneider" in main_text(account)
    assert AuditEntry.objects.filter(action="sign_in", outcome="done", actor=f"customer:{mia.id}").exists()


def test_a_link_works_only_once(client, demo_studio, mia):
    ask_for_link(client, mia.email)
    link = link_from(mail.outbox[0])
    assert client.post(link).status_code == 302
    client.logout()
    second = client.post(link)
    assert second.status_code == 410
    assert "abgelaufen oder wurde schon benutzt" in main_text(second)
    assert client.get(link).status_code == 410


def test_a_link_expires_after_15_minutes(client, demo_studio, mia):
    ask_for_link(client, mia.email)
    link = link_from(mail.outbox[0])
    SignInToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(link).status_code == 410
    assert SESSION_KEY not in client.session


def test_tokens_are_stored_hashed_and_for_15_minutes(client, demo_studio, mia):
    ask_for_link(client, mia.email)
    token = link_from(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    stored = SignInToken.objects.get()
    assert stored.token_hash != token and token not in stored.token_hash
    assert stored.customer_id == mia.id
    assert timedelta(minutes=14) < stored.expires_at - timezone.now() <= timedelta(minutes=15)


def test_a_made_up_link_is_refused(client, demo_studio):
    assert client.post("/s/demo/account/sign-in/not-a-real-token/").status_code == 410


def test_sign_out_ends_the_session(client, demo_studio, sign_in_as, mia):
    sign_in_as(mia)
    response = client.post("/s/demo/account/sign-out/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert "E-Mail-Adresse" in main_text(client.get(ACCOUNT))  # the sign-in form again
    assert AuditEntry.objects.filter(action="sign_out", actor=f"customer:{mia.id}").exists()


def test_member_pages_send_visitors_to_sign_in_and_back(client, demo_studio, mia):
    response = client.get("/s/demo/account/contact/")
    assert response.status_code == 302
    assert response["Location"] == "/s/demo/account/?next=%2Fs%2Fdemo%2Faccount%2Fcontact%2F"
    form = client.get(response["Location"])
    assert 'value="/s/demo/account/contact/"' in form.content.decode()
    ask_for_link(client, mia.email, next="/s/demo/account/contact/")
    link = link_from(mail.outbox[0])
    assert "next=%2Fs%2Fdemo%2Faccount%2Fcontact%2F" in link
    assert client.post(link)["Location"] == "/s/demo/account/contact/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/admin/", "/s/other/account/"])
def test_next_never_leaves_the_studio(client, demo_studio, mia, target):
    ask_for_link(client, mia.email, next=target)
    link = link_from(mail.outbox[0])
    assert "evil" not in link and "admin" not in link
    assert client.post(link)["Location"] == ACCOUNT


def test_requests_are_limited_per_address(client, demo_studio, mia):
    for _ in range(5):
        assert ask_for_link(client, mia.email).status_code == 200
    limited = ask_for_link(client, mia.email)
    assert limited.status_code == 429
    assert "Zu viele Anmeldeanfragen" in main_text(limited)
    assert len(mail.outbox) == 5


def test_requests_are_limited_per_ip(client, demo_studio):
    for number in range(20):
        assert ask_for_link(client, f"visitor{number}@example.com").status_code == 200
    assert ask_for_link(client, "one-more@example.com").status_code == 429


def test_redeeming_is_limited_per_ip(client, demo_studio):
    for _ in range(30):
        client.post("/s/demo/account/sign-in/guess/")
    assert client.post("/s/demo/account/sign-in/guess/").status_code == 429


def test_upstream_trouble_is_a_sentence_not_an_error_page(client, demo_studio, upstream_fails):
    upstream_fails(503)
    response = ask_for_link(client, "mia@example.com")
    assert response.status_code == 503
    assert "nicht erreichbar" in main_text(response)
    assert len(mail.outbox) == 0


def test_bad_address_keeps_what_was_typed(client, demo_studio):
    response = ask_for_link(client, "mia@")
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="mia@"' in body and 'aria-invalid="true"' in body and 'role="alert"' in body


def test_htmx_request_gets_the_fragment(client, demo_studio):
    response = client.post(ACCOUNT, {"email": "nobody@example.com"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Bitte sehen Sie in Ihre E-Mails" in body


def test_session_of_another_studio_does_not_count(client, demo_studio, mia):
    session = client.session
    session[SESSION_KEY] = {"studio": demo_studio.pk + 999, "customer": mia.id}
    session.save()
    assert client.get("/s/demo/account/contact/").status_code == 302


def test_the_link_comes_in_the_members_own_language(client, demo_studio, mia):
    """Mia's record says German: an English page still sends her a German e-mail; without a preferred language
    (or one the studio does not offer) the e-mail follows the page."""
    client.get(ACCOUNT + "?lang=en")
    ask_for_link(client, "mia@example.com")
    assert mail.outbox[-1].subject == "Ihr Anmeldelink"
    from sandbox.store import Store

    store = Store(demo_studio)
    record = store.require("customer", mia.customer.id)
    record["preferredLanguage"] = {"languageCode": "fr", "countryCode": "FR"}
    store.save("customer", record)
    ask_for_link(client, "mia@example.com")
    assert mail.outbox[-1].subject == "Votre lien de connexion"
    demo_studio.languages = ["de", "en"]
    demo_studio.save()
    ask_for_link(client, "mia@example.com")
    assert mail.outbox[-1].subject == "Your sign-in link"
