"""Nothing a visitor or the studio's system does gives a 500; the app's German catalog is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from sandbox import faults
from tests.trialoffers.conftest import form_token, lead_details, links, offer_link, text_of
from tests.trialoffers.test_vouchers import voucher_data
from trialoffers import tokens
from trialoffers.models import TrialBooking

CATALOG = Path(settings.BASE_DIR) / "trialoffers" / "locale"
FAULTS = {
    "unavailable": {"error_rates": {"503": 1.0}},
    "rate limited": {"error_rates": {"429": 1.0}},
    "server error": {"error_rates": {"500": 1.0}},
    "timeouts": {"timeout_rate": 1.0},
}


@pytest.fixture
def pages(visitor, morning, demo_studio) -> dict[str, str]:
    """Addresses of every step, collected while the studio still answers."""
    offer = offer_link(visitor, "Hatha Yoga")
    form = visitor.choose(links(visitor.get(offer), r"/trial/book/\?t=")[0])
    token = form_token(form)
    other = visitor.choose(links(visitor.get(offer_link(visitor, "Zumba")), r"/trial/book/\?t=")[0])
    visitor.post("/s/demo/trial/book/?lang=en", {"t": token, **lead_details("lea@example.org")})
    done = f"/s/demo/trial/done/{tokens.done_token(TrialBooking.objects.get().pk)}/?lang=en"
    confirm = re.search(r"http://testserver(\S+/trial/confirm/\S+)", mail.outbox[0].body).group(1)
    voucher = visitor.get("/s/demo/voucher/?lang=en")
    return {
        "offers": "/s/demo/trial/?lang=en",
        "offer": offer,
        "form_token": form_token(other),
        "done": done,
        "calendar": done.split("?")[0] + "trial.ics",
        "confirm": confirm,
        "voucher_token": form_token(voucher),
    }


@pytest.mark.parametrize("fault", FAULTS)
def test_no_500_when_the_studios_system_fails(visitor, demo_studio, pages, fault):
    faults.configure(demo_studio, **FAULTS[fault])
    answers = {
        "offers": visitor.get(pages["offers"]),
        "offer": visitor.get(pages["offer"]),
        "form": visitor.get(f"/s/demo/trial/book/?t={pages['form_token']}&lang=en"),
        "book": visitor.post(
            "/s/demo/trial/book/?lang=en", {"t": pages["form_token"], **lead_details("leo@example.org")}
        ),
        "done": visitor.get(pages["done"]),
        "calendar": visitor.get(pages["calendar"]),
        "confirm page": visitor.get(pages["confirm"]),
        "confirm": visitor.post(pages["confirm"]),
        "voucher": visitor.post(
            "/s/demo/voucher/?lang=en", {"t": pages["voucher_token"], **voucher_data("DEMO-VOUCHER-2026")}
        ),
    }
    for step, response in answers.items():
        assert response.status_code < 500 or response.status_code == 503, (step, response.status_code)
        if response.status_code in (200, 422, 503) and response.get("Content-Type", "").startswith("text/html"):
            assert "Traceback" not in text_of(response) and "errorMessage" not in response.content.decode()


def test_no_500_for_made_up_addresses(visitor, morning):
    for path in (
        "/s/demo/trial/class/0/",
        "/s/demo/trial/appointment/12345678901234567890/",
        "/s/demo/trial/class/7/?day=2026-99-99&week=x&j=nonsense",
        "/s/demo/trial/book/?t=" + "x" * 5000,
        "/s/demo/trial/status/abc/",
        "/s/demo/trial/done/abc/",
        "/s/demo/trial/done/abc/trial.ics",
        "/s/demo/trial/confirm/abc/",
        "/s/demo/voucher/abc/",
        "/s/nowhere/trial/",
    ):
        assert visitor.get(path).status_code < 500, path
    assert visitor.post("/s/demo/trial/book/check/", {"t": "bad"}).status_code < 500
    assert visitor.post("/s/demo/voucher/", {"t": "bad", **voucher_data("X")}).status_code == 422
