"""Upstream calls per journey, counted from the client's ``upstream op=`` log lines (no personal data there)."""

from __future__ import annotations

import logging
import re

import pytest

from tests.bookings.conftest import customer_id, signed_in
from tests.bookings.helpers import book_key, htmx, slot
from tests.selfservice.conftest import DEMO_EMAILS, field_values, form_key

SCHEDULE = "/s/demo/classes/"


@pytest.fixture
def upstream_ops(caplog):
    caplog.set_level(logging.INFO, logger="portal.perfectgym")

    def ops() -> list[str]:
        return [m.group(1) for r in caplog.records if (m := re.search(r"upstream op=(\w+)", r.getMessage()))]

    return ops


def test_booking_one_class_from_the_schedule(demo_studio, demo_client, upstream_ops, caplog):
    browser = signed_in(demo_studio, customer_id(demo_client, DEMO_EMAILS["mia"]))
    pilates = slot(demo_studio, "Pilates Mat")
    page = browser.get(SCHEDULE).content.decode()
    caplog.clear()
    response = browser.post(f"{SCHEDULE}{pilates.id}/book/", {"key": book_key(page), "next": SCHEDULE}, **htmx())
    assert response.status_code == 200
    # The write only: the slot shown in place is the page's, with the booking the API returned (the
    # reads it invalidated are made by the next page that needs them).
    assert upstream_ops() == ["validateClassSlot", "bookClassSlot"]


def test_confirming_a_contract_cancelation_makes_at_most_three_calls(demo_studio, demo_client, upstream_ops, caplog):
    mia = customer_id(demo_client, DEMO_EMAILS["mia"])
    browser = signed_in(demo_studio, mia)
    url = f"/s/demo/account/contracts/{demo_client.get_contract_data(mia)[0].id}/cancel/"
    page = browser.get(url)
    data = {
        "key": form_key(page),
        "end_date": field_values(page, "end_date")[0],
        "reason": field_values(page, "reason")[0],
    }
    browser.post(url, {**data, "step": "review"})
    caplog.clear()
    assert browser.post(url, {**data, "step": "confirm"}).status_code == 302
    # The write and the status for the confirmation; ownership and the reasons come from the cache the
    # form's own pages filled. The e-mail worker (run inline in tests) reads the address on file itself.
    assert upstream_ops() == ["createContractCancelationAmendment", "getContractData", "getCustomerContactData"]
