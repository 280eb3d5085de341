"""Check-in vouchers: code, name and email in, the studio's access code out (shown large and emailed)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from portal.user_messages import message_for
from sandbox.demo.trialoffers import access_code
from sandbox.store import Store
from tests.trialoffers.conftest import form_token, text_of, timeout_once, unavailable
from trialoffers import services, tokens
from trialoffers.models import VoucherRedemption, VoucherStatus
from trialoffers.outcomes import VOUCHER_MESSAGES


def redeem(studio, code: str, nonce: str | None = None, **kwargs):
    values = {
        "code": code,
        "first_name": "Vera",
        "last_name": "Voucher",
        "email": "vera@example.org",
        "client_ip": "203.0.113.5",
        "language": "en",
        **kwargs,
    }
    return services.redeem_voucher(studio, nonce or tokens.new_nonce(), **values)


def voucher_data(code: str, **extra) -> dict:
    return {"voucher_code": code, "first_name": "Vera", "last_name": "Voucher", "email": "vera@example.org", **extra}


# --- Service ------------------------------------------------------------------------------------------
def test_voucher_gives_the_access_code_and_emails_it(demo_studio, upstream_ops):
    outcome = redeem(demo_studio, "DEMO-VOUCHER-2026")
    assert outcome.redeemed and services.access_code(outcome.redemption) == access_code("DEMO-VOUCHER-2026")
    [email] = mail.outbox
    assert email.subject == "Your studio access code" and access_code("DEMO-VOUCHER-2026") in email.body
    stored = VoucherRedemption.objects.get()
    assert stored.code_hint == "2026" and access_code("DEMO-VOUCHER-2026") not in stored.access_code_encrypted


def test_repeating_the_same_form_shows_the_same_code_without_a_second_call(demo_studio, upstream_ops):
    nonce = tokens.new_nonce()
    first = redeem(demo_studio, "DAYPASS-0001", nonce)
    second = redeem(demo_studio, "DAYPASS-0001", nonce)
    assert second.redeemed and second.redemption.pk == first.redemption.pk
    assert upstream_ops().count("redeemCheckinVoucher") == 1


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("NO-SUCH-CODE", "NOT_FOUND"),
        ("USED-VOUCHER", "ALREADY_REDEEMED"),
        ("EXPIRED-VOUCHER", "EXPIRED"),
        ("WEEKPASS-0001", "WRONG_OFFER"),
    ],
)
def test_refused_codes_get_their_own_sentence(demo_studio, code, reason):
    outcome = redeem(demo_studio, code)
    assert not outcome.redeemed and outcome.reason == reason and outcome.text == str(VOUCHER_MESSAGES[reason])
    assert VoucherRedemption.objects.get().status == VoucherStatus.FAILED
    assert mail.outbox == []


def test_invalid_details(demo_studio):
    outcome = redeem(demo_studio, "DAYPASS-0002", email="not-an-email")
    assert outcome.reason == "INVALID"


def test_studio_without_online_offer(demo_studio):
    demo_studio.checkin_voucher_online_offer_id = None
    demo_studio.save()
    assert redeem(demo_studio, "DEMO-VOUCHER-2026").reason == "NOT_OFFERED"


def test_rate_limited(demo_studio, upstream_ops):
    demo_studio.lead_limit_per_ip_per_hour = 2
    demo_studio.save()
    redeem(demo_studio, "WRONG-1")
    redeem(demo_studio, "WRONG-2")
    third = redeem(demo_studio, "DEMO-VOUCHER-2026")
    assert third.reason == "RATE_LIMITED"
    assert upstream_ops().count("redeemCheckinVoucher") == 2


def test_timeout_then_repeat_tells_the_truth(demo_studio, upstream_ops):
    nonce = tokens.new_nonce()
    with timeout_once("redeemCheckinVoucher"):
        unknown = redeem(demo_studio, "DEMO-VOUCHER-2026", nonce)
    assert unknown.reason == "OUTCOME_UNKNOWN" and "never be used twice" in unknown.text
    again = redeem(demo_studio, "DEMO-VOUCHER-2026", nonce)
    assert again.reason == "REDEEMED_WITHOUT_CODE" and "contact the studio" in again.text
    assert VoucherRedemption.objects.get().status == VoucherStatus.REDEEMED
    [voucher] = [v for v in Store(demo_studio).all("voucher") if v["voucherCode"] == "DEMO-VOUCHER-2026"]
    assert voucher["_redeemed"] is True


def test_studio_down(demo_studio, script):
    script(redeem_checkin_voucher=unavailable())
    outcome = redeem(demo_studio, "DEMO-VOUCHER-2026")
    assert outcome.reason == "UPSTREAM" and outcome.text == message_for(unavailable())


# --- Pages --------------------------------------------------------------------------------------------
def test_voucher_page_redeems_without_cookies(visitor, demo_studio):
    page = visitor.get("/s/demo/voucher/?lang=en")
    assert page.status_code == 200 and "Redeem a voucher" in text_of(page)
    response = visitor.post("/s/demo/voucher/?lang=en", {"t": form_token(page), **voucher_data("DEMO-VOUCHER-2026")})
    assert response.status_code == 303
    result = visitor.get(response["Location"])
    html = result.content.decode()
    assert re.search(rf'<p class="access-code"[^>]*>{access_code("DEMO-VOUCHER-2026")}</p>', html)
    assert "sent the code to your email" in text_of(result)
    assert set(visitor.set_cookies) <= {"django_language"}
    assert len(mail.outbox) == 1


def test_wrong_code_keeps_what_was_typed(visitor, demo_studio):
    page = visitor.get("/s/demo/voucher/?lang=en")
    response = visitor.post("/s/demo/voucher/?lang=en", {"t": form_token(page), **voucher_data("USED-VOUCHER")})
    assert response.status_code == 422
    assert "already been used" in text_of(response) and 'value="USED-VOUCHER"' in response.content.decode()
    htmx = visitor.post("/s/demo/voucher/?lang=en", {"t": form_token(page), **voucher_data("NOPE")}, htmx=True)
    assert htmx.status_code == 422 and htmx.content.decode().lstrip().startswith("<form")


def test_voucher_form_checks(visitor, demo_studio):
    page = visitor.get("/s/demo/voucher/?lang=en")
    token = form_token(page)
    missing = visitor.post("/s/demo/voucher/?lang=en", {"t": token, **voucher_data("", email="x")})
    assert missing.status_code == 422 and 'aria-invalid="true"' in missing.content.decode()
    foreign = visitor.post(
        "/s/demo/voucher/", {"t": token, **voucher_data("DEMO-VOUCHER-2026")}, origin="https://evil.example"
    )
    assert foreign.status_code == 403
    bot = visitor.post("/s/demo/voucher/", {"t": token, **voucher_data("DEMO-VOUCHER-2026", website="x")})
    assert bot.status_code == 400
    assert VoucherRedemption.objects.count() == 0


def test_double_submit_redeems_once(visitor, demo_studio, upstream_ops):
    page = visitor.get("/s/demo/voucher/?lang=en")
    data = {"t": form_token(page), **voucher_data("DAYPASS-0001")}
    first = visitor.post("/s/demo/voucher/?lang=en", data)
    second = visitor.post("/s/demo/voucher/?lang=en", data)
    assert first.status_code == second.status_code == 303
    assert upstream_ops().count("redeemCheckinVoucher") == 1


def test_result_page_is_short_lived_and_bound_to_the_studio(visitor, demo_studio):
    from unittest import mock

    page = visitor.get("/s/demo/voucher/?lang=en")
    response = visitor.post("/s/demo/voucher/?lang=en", {"t": form_token(page), **voucher_data("DAYPASS-0002")})
    import time

    with mock.patch("time.time", return_value=time.time() + tokens.VOUCHER_RESULT_MAX_AGE + 10):
        late = visitor.get(response["Location"])
    assert late.status_code == 410 and "in the email we sent" in text_of(late)
    assert visitor.get("/s/demo/voucher/garbage/").status_code == 404


def test_page_says_when_the_studio_offers_no_vouchers(visitor, demo_studio):
    demo_studio.checkin_voucher_online_offer_id = None
    demo_studio.save()
    page = visitor.get("/s/demo/voucher/?lang=en")
    assert (
        "does not offer check-in vouchers online" in text_of(page)
        and "<form" not in page.content.decode().split("<main", 1)[1]
    )
