"""A real double click: two requests with the same form at the same time create one lead and one booking."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from portal.models import Studio
from sandbox import faults
from sandbox.store import Store
from tests.trialoffers.conftest import CookielessVisitor, form_token, lead_details, links, offer_link
from trialoffers.models import Lead, TrialBooking


@pytest.fixture
def slow_demo(transactional_db):
    """The demo studio, committed (threads use their own connections), answering slowly."""
    call_command("load_demo", "--no-admin", verbosity=0)
    studio = Studio.objects.get(slug="demo")
    faults.configure(studio, latency_ms=150)
    return studio


def test_two_simultaneous_submits_book_once(slow_demo):
    visitor = CookielessVisitor()
    page = visitor.get(offer_link(visitor, "Zumba"))
    form = visitor.choose(links(page, r"/trial/book/\?t=")[0])
    data = {"t": form_token(form), **lead_details("lea@example.org")}
    responses = []
    start = threading.Barrier(2)

    def click():
        try:
            start.wait()
            responses.append(CookielessVisitor().post("/s/demo/trial/book/?lang=en", data))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r.status_code for r in responses) == [303, 303]
    locations = sorted(r["Location"] for r in responses)
    assert "/trial/sent/" in locations[0]
    assert "/trial/sent/" in locations[1] or "/trial/status/" in locations[1]
    assert Lead.objects.count() == 1 and TrialBooking.objects.count() == 1
    store = Store(slow_demo)
    [customer] = store.all("customer", email="lea@example.org")
    assert len(store.all("class_booking", customerId=customer["id"])) == 1
    # The slower click's page settles on the same "check your e-mail" page.
    settled = visitor.get(locations[1])
    if settled.status_code == 303:
        assert "/trial/sent/" in settled["Location"]
