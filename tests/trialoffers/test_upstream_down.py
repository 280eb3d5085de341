"""With the studio's system down, leads still see the last known offers and times, labelled so."""

from __future__ import annotations

import time

from portal.lib import cache as swr
from sandbox import faults
from tests.trialoffers.conftest import links, offer_link, text_of

NOTE = "This page may be out of date: the studio's system is not answering right now."


def test_the_trial_list_and_times_answer_with_the_last_known_data(visitor, morning, demo_studio, monkeypatch):
    offer = offer_link(visitor, "Zumba")
    assert links(visitor.get(offer), r"/trial/book/\?t=")
    faults.configure(demo_studio, error_rates={"503": 1.0})
    monkeypatch.setattr(swr, "clock", lambda: time.time() + 300)  # five minutes later
    listing = visitor.get("/s/demo/trial/?lang=en")
    assert listing.status_code == 200 and NOTE in text_of(listing) and "Zumba" in text_of(listing)
    picker = visitor.get(offer)
    assert picker.status_code == 200 and NOTE in text_of(picker)
    assert links(picker, r"/trial/book/\?t=")  # the times can still be chosen: booking validates upstream


def test_without_anything_known_the_page_explains(visitor, morning, demo_studio):
    faults.configure(demo_studio, error_rates={"503": 1.0})
    listing = visitor.get("/s/demo/trial/?lang=en")
    assert listing.status_code == 503 and NOTE not in text_of(listing)
    assert "try again" in text_of(listing).lower()
