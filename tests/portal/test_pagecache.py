"""Anonymous pages kept in the shared cache: served without the view, never to members, never stale after a
write, and with nothing of one visitor in them (forms sent from a kept page stay each visitor's own)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client, RequestFactory

from portal import pagecache, reads
from portal.lib import concurrency
from tests.bookings.conftest import customer_id, signed_in
from trialoffers import tokens
from trialoffers.models import FunnelWeek

HOME, SCHEDULE, VOUCHER = "/s/demo/", "/s/demo/classes/", "/s/demo/voucher/"
ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def keeping(settings):
    settings.PUBLIC_PAGE_CACHE = True
    settings.PUBLIC_PAGE_SECONDS = 10


def kept(response) -> bool:
    return 'page;desc="cache hit"' in response.get("Server-Timing", "")


def calls(response) -> int:
    return int(re.search(r'desc="(\d+) call', response["Server-Timing"])[1])


def test_a_warm_public_page_comes_from_the_cache_without_the_view(demo_studio, monkeypatch):
    first = Client().get(SCHEDULE)
    assert first.status_code == 200 and not kept(first) and calls(first) > 0

    def no_view(*args, **kwargs):
        raise AssertionError("the view ran")

    monkeypatch.setattr("bookings.services.schedule_page", no_view)
    second = Client().get(SCHEDULE)
    assert kept(second) and calls(second) == 0
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    not_modified = Client().get(SCHEDULE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_languages_and_htmx_fragments_are_kept_apart(demo_studio):
    german = Client(HTTP_ACCEPT_LANGUAGE="de").get(SCHEDULE)
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(SCHEDULE)
    fragment = Client().get(SCHEDULE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="schedule-results")
    assert "Kursplan" in german.content.decode() and "Class schedule" in english.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "Kursplan" in Client(HTTP_ACCEPT_LANGUAGE="de").get(SCHEDULE).content.decode()
    again = Client().get(SCHEDULE, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="schedule-results")
    assert kept(again) and "<html" not in again.content.decode()


def test_members_never_get_a_kept_page(demo_studio, demo_client):
    Client().get(SCHEDULE)
    assert kept(Client().get(SCHEDULE))
    mia = signed_in(demo_studio, customer_id(demo_client, "mia@example.com"))
    page = mia.get(SCHEDULE)
    assert not kept(page) and "X-CSRFToken" in page.content.decode()
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]


def test_a_write_renders_the_studios_pages_again(demo_studio):
    Client().get(SCHEDULE)
    assert kept(Client().get(SCHEDULE))
    reads.invalidate(demo_studio, "getClassSlotsForMultipleClasses")  # what every booking does
    assert not kept(Client().get(SCHEDULE))
    assert kept(Client().get(SCHEDULE))


def test_a_warm_page_needs_no_thread_and_no_lock(demo_studio, settings, monkeypatch):
    """Nothing to fetch: no hand-off to the upstream pool (the page cache is off, so the view runs)."""
    settings.PUBLIC_PAGE_CACHE = False
    for path in (HOME, SCHEDULE, "/s/demo/trial/", "/s/demo/appointments/"):
        Client().get(path)
    settings.UPSTREAM_CONCURRENCY = 8

    def no_thread(*args, **kwargs):
        raise AssertionError("a warm page handed work to a thread")

    monkeypatch.setattr(concurrency.ThreadPoolExecutor, "submit", no_thread)
    monkeypatch.setattr(concurrency, "_lock", None)  # any `with _lock` would fail
    for path in (HOME, SCHEDULE, "/s/demo/trial/", "/s/demo/appointments/"):
        assert Client().get(path).status_code == 200, path


def test_offer_views_served_from_the_cache_still_count(demo_studio):
    trial = Client().get("/s/demo/trial/").content.decode()
    offer = unescape(re.search(r'href="(/s/demo/trial/class/\d+/[^"]*)"', trial)[1])
    for _ in range(3):
        Client().get(offer)
    assert FunnelWeek.objects.get().offers_viewed == 1  # rendered once; two views kept in the shared cache
    pagecache.bump("demo")  # the next view renders the page again and counts what was kept
    Client().get(offer)
    assert FunnelWeek.objects.get().offers_viewed == 4


def voucher_form(page) -> dict[str, str]:
    token = unescape(re.search(r'name="t" value="([^"]+)"', page.content.decode())[1])
    return {"t": token}


def redemption_of(response) -> int:
    return tokens.read_voucher_result(response["Location"].rstrip("/").rsplit("/", 1)[-1].split("?")[0])


def test_two_visitors_on_one_kept_voucher_page_redeem_their_own_vouchers(demo_studio):
    page = Client().get(VOUCHER)
    assert kept(Client().get(VOUCHER))
    details = {"first_name": "Lea", "last_name": "Wolf", "voucher_code": "DEMO-VOUCHER-2026"}
    lea = Client().post(VOUCHER, {**voucher_form(page), **details, "email": "lea@example.org"}, HTTP_ORIGIN=ORIGIN)
    again = Client().post(VOUCHER, {**voucher_form(page), **details, "email": "lea@example.org"}, HTTP_ORIGIN=ORIGIN)
    other = Client().post(
        VOUCHER, {**voucher_form(page), **details, "email": "max@example.org", "first_name": "Max"}, HTTP_ORIGIN=ORIGIN
    )
    assert lea.status_code == again.status_code == 303
    # One redemption: both answers lead to its result page (its token is time-stamped, its redemption the same).
    assert redemption_of(lea) == redemption_of(again)
    assert redemption_of(other) != redemption_of(lea) if other.status_code == 303 else other.status_code == 422


def test_an_expired_page_is_rendered_by_one_request_while_the_others_get_the_kept_one(demo_studio, monkeypatch):
    Client().get(SCHEDULE)
    later = pagecache.time.time() + 11  # past s-maxage, within stale-while-revalidate
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    from django.core.cache import cache

    key = pagecache._page_key(RequestFactory().get(SCHEDULE), "demo")
    assert cache.add(f"{key}:rendering", 1)  # someone is rendering it right now
    assert kept(Client().get(SCHEDULE))
    cache.delete(f"{key}:rendering")
    assert not kept(Client().get(SCHEDULE))  # this one renders it again
    assert kept(Client().get(SCHEDULE))


def test_a_hit_within_a_second_needs_no_round_trip(demo_studio, monkeypatch):
    Client().get(SCHEDULE)
    assert kept(Client().get(SCHEDULE))  # from the shared cache; this process keeps a copy for a second

    def no_round_trip(*args, **kwargs):
        raise AssertionError("asked the shared cache")

    monkeypatch.setattr(pagecache.cache, "get_many", no_round_trip)
    first, second = Client().get(SCHEDULE), Client().get(SCHEDULE)
    assert kept(first) and kept(second) and first.content == second.content
    first["X-Test"] = "one response object per hit"
    assert "X-Test" not in second
