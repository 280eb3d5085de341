"""§312k BGB: the cancelation page without login or cookies, its wording, and what happens to every submission."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from portal.models import AuditEntry
from portal.perfectgym.client import PerfectGymClient
from selfservice.models import OnlineCancelation
from tests.selfservice.conftest import main_text

URL = "/s/demo/cancel/"


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def declaration(member, **changes) -> dict:
    data = {
        "kind": "ordinary",
        "extraordinary_reason": "",
        "first_name": member.customer.first_name,
        "last_name": member.customer.last_name,
        "date_of_birth": member.customer.date_of_birth.isoformat(),
        "email": member.email,
        "contract_identifier": member.customer.customer_number,
        "end": "earliest",
        "end_date": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def cookieless():
    """A browser that keeps no cookies and whose requests would fail Django's cookie CSRF check."""
    return Client(enforce_csrf_checks=True)


def submit(client, data, **headers):
    page = client.get(URL)
    return client.post(URL, {**data, "token": token_of(page)}, headers=headers or None)


def test_wording_in_german(client, demo_studio):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Verträge hier kündigen</h1>" in body
    assert re.search(r'<button type="submit"[^>]*>jetzt kündigen</button>', body)
    text = main_text(response)
    for label in (
        "Ordentliche Kündigung",
        "Außerordentliche Kündigung",
        "Grund für die außerordentliche Kündigung",
        "Vorname",
        "Nachname",
        "Geburtsdatum",
        "E-Mail-Adresse für die Bestätigung",
        "Kundennummer oder Vertragsnummer",
        "Zum nächstmöglichen Zeitpunkt",
        "Zu diesem Datum",
    ):
        assert label in text, label


def test_wording_in_english(client, demo_studio):
    response = client.get(URL + "?lang=en")
    body = response.content.decode()
    # The demo studio is in Germany: the legal German wording stays, with the English beside it.
    assert (
        '<h1><span lang="de">Verträge hier kündigen</span> <span class="legal-translation">(Cancel contracts here)'
        in body
    )
    assert re.search(
        r'<button type="submit"[^>]*><span lang="de">jetzt kündigen</span> <span[^>]*>\(Cancel now\)', body
    )
    assert "At the earliest possible date" in main_text(response)


def test_the_page_asks_only_what_the_law_asks(client, demo_studio):
    body = client.get(URL).content.decode()
    form = body[body.index('class="online-cancelation"') : body.index("</form>")]
    names = set(re.findall(r'name="([a-z_]+)"', form))
    assert names == {
        "token",
        "kind",
        "extraordinary_reason",
        "first_name",
        "last_name",
        "date_of_birth",
        "email",
        "contract_identifier",
        "end",
        "end_date",
    }


@pytest.mark.parametrize("path", ["/s/demo/", "/s/demo/account/", URL])
def test_every_studio_page_links_to_it(client, demo_studio, path):
    body = client.get(path).content.decode()
    assert '<a class="cancel-link" href="/s/demo/cancel/">Verträge hier kündigen</a>' in body


def test_works_without_login_or_cookies(cookieless, demo_studio, mia):
    page = cookieless.get(URL)
    assert page.cookies == {} and "csrftoken" not in page.headers.get("Set-Cookie", "")
    response = cookieless.post(URL, {**declaration(mia), "token": token_of(page)})
    assert response.status_code == 200
    assert response.cookies == {}
    assert "Bestätigung Ihrer Kündigung" in main_text(response)
    assert OnlineCancelation.objects.count() == 1


def test_ordinary_cancelation_of_an_identified_member_is_filed_with_the_earliest_date(
    client, demo_studio, mia, store, demo_client
):
    earliest = mia.contract.available_cancelation_dates[0]
    first_reason = demo_client.get_contract_cancelation_reason_data()[0]
    response = submit(client, declaration(mia))
    assert response.status_code == 200
    text = main_text(response)
    assert "Ihr Vertrag ist zum" in text and "gekündigt." in text
    assert re.search(r"Ihre Kündigung ist am \d{1,2}\. \w+ \d{4}, \d{2}:\d{2} eingegangen\.", text)
    for shown in (
        "Ordentliche Kündigung",
        "Mia",
        "Schneider",
        "mia@example.com",
        "1001",
        "Zum nächstmöglichen Zeitpunkt",
    ):
        assert shown in text
    contract = store.get("contract", mia.contract_id)
    assert contract["cancelationStatus"] == "CANCELED"
    assert contract["cancelationDate"] == earliest.isoformat()
    assert contract["_cancelationReasonId"] == first_reason.cancelation_reason_id

    record = OnlineCancelation.objects.get()
    assert record.outcome == "filed" and record.filed_end_date == earliest
    assert record.matched_customer_id == mia.id and record.matched_contract_id == mia.contract_id
    assert "kein Kündigungsgrund eingestellt" in record.note_for_studio.replace("ist kein", "kein")
    assert first_reason.cancelation_reason_name in record.note_for_studio

    assert len(mail.outbox) == 1  # the given address is the one on file: one receipt
    receipt = mail.outbox[0]
    assert receipt.to == ["mia@example.com"] and receipt.subject == "Bestätigung Ihrer Kündigung"
    assert "Ordentliche Kündigung" in receipt.body and "Eingegangen:" in receipt.body
    assert str(record.reference) in receipt.body
    entry = AuditEntry.objects.get(action="online_cancelation")
    assert entry.outcome == "filed" and entry.actor == "anonymous"
    assert entry.details["contract_id"] == mia.contract_id and "Schneider" not in str(entry.details)


def test_the_studios_default_reason_is_used(client, demo_studio, mia, store, demo_client):
    reason = demo_client.get_contract_cancelation_reason_data()[2]
    demo_studio.default_cancelation_reason_id = reason.cancelation_reason_id
    demo_studio.save()
    submit(client, declaration(mia))
    assert store.get("contract", mia.contract_id)["_cancelationReasonId"] == reason.cancelation_reason_id
    assert OnlineCancelation.objects.get().note_for_studio == ""


def test_contract_number_and_a_chosen_offered_date(client, demo_studio, mia, store):
    chosen = mia.contract.available_cancelation_dates[1]
    data = declaration(mia, contract_identifier=str(mia.contract_id), end="date", end_date=chosen.isoformat())
    response = submit(client, data)
    assert response.status_code == 200
    assert store.get("contract", mia.contract_id)["cancelationDate"] == chosen.isoformat()
    assert OnlineCancelation.objects.get().filed_end_date == chosen


def test_a_date_the_contract_does_not_offer_is_forwarded_to_the_studio(client, demo_studio, mia, store):
    wanted = mia.contract.available_cancelation_dates[0] - timedelta(days=10)
    response = submit(client, declaration(mia, end="date", end_date=wanted.isoformat()))
    text = main_text(response)
    assert "Ihre Kündigung wurde an das Studio weitergeleitet." in text
    assert "cancelationStatus" not in store.get("contract", mia.contract_id)
    record = OnlineCancelation.objects.get()
    assert record.outcome == "forwarded" and record.thread_id and record.studio_emailed
    (thread,) = store.all("communication", customerId=mia.id)
    assert thread["subject"] == "Kündigung ohne Anmeldung: bitte bearbeiten"
    assert "gehört nicht zu den Terminen" in thread["content"] and thread["communicationDirection"] == "INCOMING"
    studio_mail = next(m for m in mail.outbox if m.to == ["hallo@demo-fitness.example"])
    assert "gehört nicht zu den Terminen" in studio_mail.body and studio_mail.reply_to == ["mia@example.com"]
    assert "Mia" in studio_mail.body and wanted.strftime("%Y") in studio_mail.body


def test_extraordinary_cancelation_needs_a_reason_and_is_forwarded(client, demo_studio, mia, store):
    missing = submit(client, declaration(mia, kind="extraordinary"))
    assert missing.status_code == 422
    assert "Bitte geben Sie den Grund für die außerordentliche Kündigung an." in main_text(missing)
    assert 'value="Schneider"' in missing.content.decode()  # what was typed is kept
    assert OnlineCancelation.objects.count() == 0

    response = submit(client, declaration(mia, kind="extraordinary", extraordinary_reason="Umzug ins Ausland"))
    assert response.status_code == 200
    assert "Außerordentliche Kündigung" in main_text(response) and "Umzug ins Ausland" in main_text(response)
    record = OnlineCancelation.objects.get()
    assert record.outcome == "forwarded" and record.extraordinary_reason == "Umzug ins Ausland"
    assert "cancelationStatus" not in store.get("contract", mia.contract_id)
    assert store.all("communication", customerId=mia.id)
    assert any(m.to == ["hallo@demo-fitness.example"] and "Umzug ins Ausland" in m.body for m in mail.outbox)


def test_no_match_is_recorded_and_sent_to_the_studio(client, demo_studio, mia, store):
    response = submit(client, declaration(mia, date_of_birth="1990-01-01"))
    assert response.status_code == 200
    assert "Ihre Kündigung wurde an das Studio weitergeleitet." in main_text(response)
    record = OnlineCancelation.objects.get()
    assert record.outcome == "forwarded" and record.matched_customer_id is None and record.thread_id is None
    assert "Kein Kunde passt" in record.note_for_studio
    assert store.all("communication") == []
    assert sorted(tuple(m.to) for m in mail.outbox) == [("hallo@demo-fitness.example",), ("mia@example.com",)]


def test_a_different_email_still_identifies_the_member_and_the_address_on_file_gets_a_copy(client, demo_studio, mia):
    response = submit(client, declaration(mia, email="someone.else@example.org"))
    assert response.status_code == 200
    assert OnlineCancelation.objects.get().outcome == "filed"
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["mia@example.com", "someone.else@example.org"]
    copy = next(m for m in mail.outbox if m.to == ["mia@example.com"])
    assert "Wenn Sie die Kündigung nicht gesendet haben" in copy.body
    assert "someone.else@example.org" not in next(m for m in mail.outbox if m.to == ["mia@example.com"]).to


def test_a_contract_with_a_pending_cancelation_is_forwarded(client, demo_studio, jonas):
    response = submit(client, declaration(jonas))
    assert response.status_code == 200
    record = OnlineCancelation.objects.get()
    assert record.outcome == "forwarded" and "ist bereits gekündigt" in record.note_for_studio


def test_api_refusal_is_forwarded_not_dropped(client, demo_studio, mia, monkeypatch):
    from portal.perfectgym import errors

    def refuse(self, customer_id, request):
        raise errors.BadRequest("createContractCancelationAmendment", status=400, error_code="x.y", trace_id="tr-1")

    monkeypatch.setattr(PerfectGymClient, "create_contract_cancelation_amendment", refuse)
    response = submit(client, declaration(mia))
    assert response.status_code == 200
    record = OnlineCancelation.objects.get()
    assert record.outcome == "forwarded" and record.trace_id == "tr-1" and "tr-1" in record.note_for_studio
    assert record.studio_emailed and record.thread_id


def test_a_lost_answer_is_reconciled_by_reading(client, demo_studio, mia, monkeypatch, store):
    from portal.perfectgym import errors

    original = PerfectGymClient.create_contract_cancelation_amendment

    def lost(self, customer_id, request):
        original(self, customer_id, request)
        raise errors.OutcomeUnknown("createContractCancelationAmendment")

    monkeypatch.setattr(PerfectGymClient, "create_contract_cancelation_amendment", lost)
    submit(client, declaration(mia))
    assert OnlineCancelation.objects.get().outcome == "filed"


def test_upstream_down_still_records_confirms_and_emails_the_studio(client, demo_studio, mia, upstream_fails):
    page = client.get(URL)
    upstream_fails(503)
    response = client.post(URL, {**declaration(mia), "token": token_of(page)})
    assert response.status_code == 200
    assert "Bestätigung Ihrer Kündigung" in main_text(response)
    record = OnlineCancelation.objects.get()
    assert record.outcome == "forwarded" and record.studio_emailed
    assert "Kundensuche ist fehlgeschlagen" in record.note_for_studio
    assert sorted(m.to[0] for m in mail.outbox) == ["hallo@demo-fitness.example", "mia@example.com"]


def test_without_a_studio_address_the_apis_studio_email_is_used(client, demo_studio, mia):
    demo_studio.contact_email = ""
    demo_studio.save()
    submit(client, declaration(mia, kind="extraordinary", extraordinary_reason="Krankheit"))
    assert any(m.to == ["hallo@demo-fitness.example"] for m in mail.outbox)  # from getStudioInformation


def test_sending_the_same_form_twice_is_one_declaration(client, demo_studio, mia):
    page = client.get(URL)
    data = {**declaration(mia), "token": token_of(page)}
    first = client.post(URL, data)
    second = client.post(URL, data)
    assert first.status_code == second.status_code == 200
    assert OnlineCancelation.objects.count() == 1
    reference = str(OnlineCancelation.objects.get().reference)
    assert reference in main_text(first) and reference in main_text(second)
    assert len(mail.outbox) == 1


def test_two_people_on_one_page_every_visitor_shares_send_two_declarations(client, demo_studio, mia, settings):
    settings.PUBLIC_PAGE_CACHE = True  # the page is kept and served to everybody: its token names no one
    token = token_of(client.get(URL))
    assert token_of(Client().get(URL)) == token
    first = Client().post(URL, {**declaration(mia), "token": token})
    again = Client().post(URL, {**declaration(mia), "token": token})
    other = Client().post(URL, {**declaration(mia, first_name="Tom", email="tom@example.com"), "token": token})
    assert first.status_code == again.status_code == other.status_code == 200
    assert OnlineCancelation.objects.count() == 2
    references = [str(row.reference) for row in OnlineCancelation.objects.order_by("pk")]
    assert references[0] in main_text(again) and references[1] in main_text(other)


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Referer": "https://evil.example/form"}],
)
def test_posts_from_other_sites_are_refused(client, demo_studio, mia, headers):
    response = submit(client, declaration(mia), **headers)
    assert response.status_code == 403
    assert OnlineCancelation.objects.count() == 0


def test_the_refusal_sets_no_cookie_either(cookieless, demo_studio, mia):
    response = submit(cookieless, declaration(mia), Origin="https://evil.example")
    assert response.status_code == 403
    assert response.cookies == {} and "csrftoken" not in response.headers.get("Set-Cookie", "")


def test_same_origin_posts_are_accepted(client, demo_studio, mia):
    response = submit(client, declaration(mia), Origin="http://testserver", Referer="http://testserver/s/demo/cancel/")
    assert response.status_code == 200 and OnlineCancelation.objects.count() == 1


@pytest.mark.parametrize("token", ["", "forged", "eyJzdHVkaW8iOjk5OX0:1abc:xyz"])
def test_a_missing_or_forged_token_keeps_the_form_and_says_nothing_was_sent(client, demo_studio, mia, token):
    response = client.post(URL, {**declaration(mia), "token": token})
    assert response.status_code == 400
    assert "Ihre Kündigung wurde NOCH NICHT gesendet" in main_text(response)
    assert 'value="Schneider"' in response.content.decode()
    assert token_of(response) and token_of(response) != token  # a fresh token to send it with
    assert OnlineCancelation.objects.count() == 0


def test_an_expired_token_is_refused(client, demo_studio, mia, monkeypatch):
    page = client.get(URL)
    from selfservice.views import online_cancelation as views

    monkeypatch.setattr(views, "FORM_TOKEN_MAX_AGE", -1)
    response = client.post(URL, {**declaration(mia), "token": token_of(page)})
    assert response.status_code == 400 and OnlineCancelation.objects.count() == 0


def test_rate_limited_per_ip_and_says_it_was_not_sent(client, demo_studio, mia):
    for number in range(10):
        submit(client, declaration(mia, email=f"person{number}@example.org", date_of_birth="1990-01-01"))
    limited = submit(client, declaration(mia))
    assert limited.status_code == 429
    assert "Ihre Kündigung wurde NICHT gesendet" in main_text(limited)
    assert OnlineCancelation.objects.count() == 10


def test_rate_limited_per_email_address(client, demo_studio, mia, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # each address below is what the proxy appended
    for number in range(5):
        submit(client, declaration(mia, date_of_birth="1990-01-01"), **{"X-Forwarded-For": f"10.0.0.{number}"})
    assert submit(client, declaration(mia), **{"X-Forwarded-For": "10.0.0.99"}).status_code == 429


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"first_name": ""}, "Vorname: Dieses Feld ist zwingend erforderlich."),
        ({"date_of_birth": "2999-01-01"}, "Bitte prüfen Sie das Geburtsdatum."),
        ({"email": "mia@"}, "Geben Sie eine E-Mail-Adresse wie name@example.com ein."),
        ({"end": "date", "end_date": ""}, "Bitte geben Sie das Datum ein"),
        ({"kind": ""}, "Bitte wählen Sie ordentliche oder außerordentliche Kündigung."),
    ],
)
def test_missing_or_wrong_entries_are_explained(client, demo_studio, mia, changes, sentence):
    response = submit(client, declaration(mia, **changes))
    assert response.status_code == 422
    assert sentence in main_text(response)
    assert OnlineCancelation.objects.count() == 0


def test_receipt_is_printable(client, demo_studio, mia):
    response = submit(client, declaration(mia))
    body = response.content.decode()
    assert '<article class="receipt"' in body
    assert "Bitte drucken oder speichern Sie diese Seite" in main_text(response)


def test_staff_see_every_declaration_read_only_in_admin(admin_client, client, demo_studio, mia):
    submit(client, declaration(mia, kind="extraordinary", extraordinary_reason="Umzug"))
    record = OnlineCancelation.objects.get()
    listing = admin_client.get("/admin/selfservice/onlinecancelation/")
    assert listing.status_code == 200 and "Außerordentliche Kündigung" in listing.content.decode()
    detail = admin_client.get(f"/admin/selfservice/onlinecancelation/{record.pk}/change/")
    assert detail.status_code == 200 and "Umzug" in detail.content.decode()
    assert admin_client.get("/admin/selfservice/onlinecancelation/add/").status_code == 403
    assert record.nonce not in detail.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "pl"])
def test_a_studio_in_germany_keeps_the_legal_german_wording_beside_the_translation(client, demo_studio, language):
    page = client.get(f"{URL}?lang={language}").content.decode()
    assert re.search(r'<h1><span lang="de">Verträge hier kündigen</span> <span class="legal-translation">\(', page)
    assert '<span lang="de">jetzt kündigen</span>' in page
    assert '<a class="cancel-link" href="/s/demo/cancel/"><span lang="de">Verträge hier kündigen</span>' in page


def test_elsewhere_and_in_german_the_wording_is_said_once(client, demo_studio):
    german = client.get(f"{URL}?lang=de").content.decode()
    assert "<h1>Verträge hier kündigen</h1>" in german and "legal-translation" not in german
    demo_studio.timezone = "Europe/Vienna"
    demo_studio.save()
    english = client.get(f"{URL}?lang=en").content.decode()
    assert "<h1>Cancel contracts here</h1>" in english and "legal-translation" not in english
