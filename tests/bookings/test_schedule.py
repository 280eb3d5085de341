"""The class schedule (/s/<slug>/classes/): what visitors and members see, filters, freshness, failures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import formats, translation

from bookings.sources import studio_today
from portal import reads
from portal.lib import cache as swr
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.services import studio_occupancy
from tests.bookings.conftest import set_faults
from tests.bookings.helpers import htmx, slot, text
from tests.bookings.test_book_class import book

URL = "/s/demo/classes/"


def day_headings(response) -> list[str]:
    return re.findall(r'<h2 id="d\d{8}">([^<]+)</h2>', response.content.decode())


def slot_html(response, slot_id: int) -> str:
    found = re.search(rf'<li class="sched-slot[^"]*" id="slot-{slot_id}">.*?</li>', response.content.decode(), re.S)
    assert found, f"slot {slot_id} is not on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[0])).strip()


def test_the_next_14_days_grouped_by_day(client, demo_studio):
    response = client.get(URL + "?lang=de")
    assert response.status_code == 200
    headings = day_headings(response)
    today = studio_today(demo_studio)
    with translation.override("de"):
        last = today + timedelta(days=13)
        expected_last = f"{formats.date_format(last, 'l')}, {formats.date_format(last, 'MONTH_DAY_FORMAT')}"
    assert headings[-1] == expected_last
    assert 13 <= len(headings) <= 14  # today may be over already
    assert "<h1>Kursplan</h1>" in response.content.decode()


def test_each_slot_shows_time_title_instructor_room_and_places(client, demo_studio):
    cycling = slot(demo_studio, "Indoor Cycling", weekdays=range(5), after="18:00")
    hiit = slot(demo_studio, "HIIT Express", weekdays=range(5))
    sauna = slot(demo_studio, "Sauna-Aufguss")
    response = client.get(URL + "?lang=de")
    assert slot_html(response, cycling.id) == "18:30 – 19:15 Indoor Cycling Tim S. · Cycling-Studio 1 Platz frei Buchen"
    assert slot_html(response, hiit.id) == (
        "18:00 – 18:30 HIIT Express Jonas B. · Functional Area Ausgebucht · 1 Wartelistenplatz frei Auf die Warteliste"
    )
    assert slot_html(response, sauna.id).endswith("Ohne Anmeldung")


def test_booking_that_has_not_opened_yet_says_when_it_opens(client, demo_studio):
    later = slot(demo_studio, "HIIT Express", days=range(9, 14))
    response = client.get(URL + "?lang=de")
    with translation.override("de"):
        opens = formats.date_format(later.earliest_booking, "SHORT_DATETIME_FORMAT")
    assert slot_html(response, later.id).endswith(f"Buchbar ab {opens}")


def test_filters_combine_and_live_in_the_url(client, demo_studio):
    response = client.get(URL + "?category=Yoga&time=morning&lang=de")
    page = response.content.decode()
    titles = re.findall(r'<h3 id="t\d+">([^<]+)</h3>', page)
    times = re.findall(r'<time datetime="[\d-]+ (\d\d:\d\d)">', page)
    assert titles and set(titles) <= {"Hatha Yoga", "Yoga am Morgen (Livestream)", "Vinyasa Flow"}
    assert all(t < "12:00" for t in times)
    # The form shows the filters that are on, so the URL can be shared and changed.
    assert "<option selected>Yoga</option>" in page
    assert '<option value="morning" selected>' in page

    tomorrow = studio_today(demo_studio) + timedelta(days=1)
    instructor = 9001  # Lena V.
    response = client.get(f"{URL}?day={tomorrow.isoformat()}&instructor={instructor}&lang=de")
    assert len(day_headings(response)) == 1
    assert set(re.findall(r"<p>([^<·]+) ·", response.content.decode())) == {"Lena V."}


def test_no_match_offers_to_show_everything(client, demo_studio):
    response = client.get(URL + "?category=Aquafitness&lang=de")
    assert "Keine Kurse passen zu diesen Filtern." in text(response)
    assert 'href="/s/demo/classes/">Alle Kurse anzeigen' in response.content.decode()


def test_bad_filter_values_are_ignored_not_errors(client, demo_studio):
    response = client.get(URL + "?day=soon&instructor=x&time=night&lang=de")
    assert response.status_code == 200
    assert len(day_headings(response)) >= 13


def test_a_filter_swap_is_a_small_htmx_fragment(client, demo_studio):
    response = client.get(URL + "?category=Yoga&lang=de", **htmx("schedule-results"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and '<ul class="sched-list">' in body
    assert re.search(r'<p id="schedule-status" hx-swap-oob="innerHTML">\d+ Kurse gefunden.</p>', body)
    assert len(response.content) < 10 * 1024
    # A history restore asks for the whole page again.
    full = client.get(URL + "?category=Yoga", **htmx("schedule-results", HTTP_HX_HISTORY_RESTORE_REQUEST="true"))
    assert "<html" in full.content.decode()


def test_responses_vary_on_language_sign_in_and_htmx(client, demo_studio):
    response = client.get(URL)
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie", "HX-Request"} <= vary
    assert "public" in response["Cache-Control"]  # the same for every visitor who is not signed in
    german = client.get(URL + "?lang=de").content.decode()
    english = client.get(URL + "?lang=en").content.decode()
    assert "Kursplan" in german and "Class schedule" in english


def test_signed_in_members_see_their_own_booking_on_the_slot(mia, mia_id, demo_studio, demo_client):
    cycling = slot(demo_studio, "Pilates Mat")
    demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=cycling.id))
    response = mia.get(URL + "?lang=de")
    assert "Gebucht" in slot_html(response, cycling.id)
    assert "Buchung stornieren" in slot_html(response, cycling.id)
    assert 'class="sched-slot sched-mine"' in response.content.decode()
    # One booking form for the page, with a key; the slots' buttons submit it.
    assert response.content.decode().count('<form id="book-form"') == 1


def test_visitors_who_are_not_signed_in_are_asked_to_sign_in_to_book(client, demo_studio):
    pilates = slot(demo_studio, "Pilates Mat")
    page = client.get(URL + "?lang=de").content.decode()
    assert f'<a class="button" href="/s/demo/classes/{pilates.id}/book/"' in page
    assert "book-form" not in page
    response = client.get(f"/s/demo/classes/{pilates.id}/book/")
    assert response.status_code == 302
    assert response["Location"].startswith("/s/demo/account/?next=")


def test_a_warm_schedule_costs_no_upstream_call_and_a_cold_one_reads_concurrently(client, demo_studio):
    cold = client.get(URL)
    assert 'desc="5 calls"' in cold["Server-Timing"]  # classes, 3 slot windows, occupancy: one round each
    warm = client.get(URL + "?category=Yoga")
    assert 'desc="0 calls"' in warm["Server-Timing"]


def test_occupancy_is_shown_when_the_key_may_read_it(client, demo_studio):
    response = client.get(URL + "?lang=de")
    assert "Gerade im Studio" in text(response)
    assert re.search(r"\d+ von 120 Personen \(\d+ % ausgelastet\)", text(response))


def test_occupancy_is_left_out_when_the_key_may_not_read_it(client, demo_studio, monkeypatch):
    from portal.perfectgym.client import PerfectGymClient

    def forbidden(self):
        raise errors.Forbidden("getUtilization", status=403)

    monkeypatch.setattr(PerfectGymClient, "get_utilization", forbidden)
    response = client.get(URL + "?lang=de")
    assert response.status_code == 200
    assert "Gerade im Studio" not in text(response)
    assert studio_occupancy(demo_studio) is None


def test_occupancy_fragment_for_the_studio_home(client, demo_studio):
    response = client.get(URL + "occupancy/?lang=de")
    assert response.status_code == 200
    assert "Gerade im Studio" in text(response)


class TestWhenTheUpstreamFails:
    def test_the_last_known_schedule_is_shown_with_a_note_and_still_offers_booking(self, mia, demo_studio, monkeypatch):
        pilates = slot(demo_studio, "Pilates Mat")
        assert mia.get(URL).status_code == 200
        set_faults(demo_studio, error_rates={"503": 1.0})
        monkeypatch.setattr(swr, "clock", lambda: __import__("time").time() + 600)  # 10 minutes later
        response = mia.get(URL + "?lang=de")
        assert response.status_code == 200
        page = text(response)
        assert "Dieser Kursplan ist möglicherweise nicht aktuell" in page
        # The booking call validates upstream, so a schedule a few minutes old is good enough to book from.
        assert "Buchen ist erst wieder möglich" not in page
        assert slot_html(response, pilates.id).endswith("Buchen")

    def test_a_schedule_too_old_to_book_from_says_so(self, mia, demo_studio, monkeypatch):
        pilates = slot(demo_studio, "Pilates Mat")
        assert mia.get(URL).status_code == 200
        set_faults(demo_studio, error_rates={"503": 1.0})
        monkeypatch.setattr(swr, "clock", lambda: __import__("time").time() + 20 * 60)  # 20 minutes later
        response = mia.get(URL + "?lang=de")
        page = text(response)
        assert "Dieser Kursplan ist möglicherweise nicht aktuell" in page
        assert "Buchen ist erst wieder möglich, wenn die Verbindung steht." in page
        assert slot_html(response, pilates.id).endswith("Buchen gerade nicht möglich")
        assert "book-form" in response.content.decode() and "formaction" not in response.content.decode()

    def test_with_nothing_known_yet_the_page_explains_instead_of_failing(self, client, demo_studio):
        set_faults(demo_studio, error_rates={"503": 1.0})
        response = client.get(URL + "?lang=de")
        assert response.status_code == 200
        assert "Der Kursplan kann gerade nicht angezeigt werden." in text(response)

    def test_a_slow_upstream_that_times_out_is_the_same(self, client, demo_studio):
        set_faults(demo_studio, timeout_rate=1.0)
        response = client.get(URL + "?lang=de")
        assert response.status_code == 200
        assert "Der Kursplan kann gerade nicht angezeigt werden." in text(response)

    def test_after_a_429_the_endpoint_is_not_asked_again_this_minute(
        self, client, demo_studio, upstream_calls, monkeypatch
    ):
        minute_start = (int(__import__("time").time()) // 60) * 60
        monkeypatch.setattr(swr, "clock", lambda: minute_start + 10.0)
        set_faults(demo_studio, error_rates={"429": 1.0})
        assert client.get(URL).status_code == 200
        first = upstream_calls.count("getClassSlotsForMultipleClasses")
        assert first >= 1
        set_faults(demo_studio, error_rates={})
        reads.invalidate(demo_studio, "getClassSlotsForMultipleClasses")
        for _ in range(3):
            assert client.get(URL).status_code == 200
        assert upstream_calls.count("getClassSlotsForMultipleClasses") == first

    def test_a_429_on_the_schedule_read_leaves_booking_on(self, mia, demo_studio, monkeypatch):
        pilates = slot(demo_studio, "Pilates Mat")
        minute_start = (int(__import__("time").time()) // 60) * 60
        monkeypatch.setattr(swr, "clock", lambda: minute_start + 10.0)
        assert mia.get(URL).status_code == 200
        # The schedule read meets a 429: it is left alone for the rest of the minute.
        with pytest.raises(errors.RateLimited), reads.guard(demo_studio, "getClassSlotsForMultipleClasses"):
            raise errors.RateLimited("getClassSlotsForMultipleClasses", status=429)
        monkeypatch.setattr(swr, "clock", lambda: minute_start + 45.0)  # stale, and not refreshed
        response = mia.get(URL + "?lang=de")
        assert reads.paused_until(demo_studio, "getClassSlotsForMultipleClasses") is not None
        # The read is paused, not the booking: the slot still offers booking, and booking works.
        assert slot_html(response, pilates.id).endswith("Buchen")
        assert "Sie sind gebucht." in text(book(mia, pilates.id))

    def test_no_page_answers_500(self, client, mia, demo_studio):
        set_faults(demo_studio, error_rates={"500": 1.0})
        for browser, path in (
            (client, URL),
            (client, URL + "?category=Yoga"),
            (client, "/s/demo/appointments/"),
            (client, "/s/demo/appointments/1/"),
            (mia, "/s/demo/account/bookings/"),
            (mia, URL),
        ):
            assert browser.get(path).status_code in (200, 404), path


@pytest.mark.parametrize("language,expected", [("de", "Kursplan"), ("en", "Class schedule")])
def test_each_language_gets_its_own_cached_page(demo_studio, language, expected):
    visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
    for _ in range(2):
        assert expected in visitor.get(URL).content.decode()


def test_the_sign_in_link_comes_back_to_the_same_filters(client, demo_studio):
    page = client.get(URL + "?category=Yoga&lang=de").content.decode()
    assert 'href="/s/demo/account/?next=/s/demo/classes/%3Fcategory%3DYoga%26lang%3Dde"' in page


def test_each_member_gets_their_own_csrf_token_and_visitors_none(mia, jonas, demo_studio):
    from django.middleware.csrf import _unmask_cipher_token

    for member in (mia, jonas):
        page = member.get(URL).content.decode()
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]
        assert _unmask_cipher_token(token) == member.cookies["csrftoken"].value
    visitor = Client()
    assert "X-CSRFToken" not in visitor.get(URL).content.decode()  # a page every visitor shares
    assert "csrftoken" not in visitor.cookies


def test_members_never_get_the_shared_page(client, mia, demo_studio):
    client.get(URL)
    assert "Meine Buchungen" in text(mia.get(URL, HTTP_ACCEPT_LANGUAGE="de"))
    assert "Mitglieder melden sich an" not in text(mia.get(URL, HTTP_ACCEPT_LANGUAGE="de"))


def test_a_shared_page_still_allows_its_inline_theme(demo_studio):
    from portal.theme import csp_hash, theme_css

    expected = csp_hash(theme_css(demo_studio))
    for _ in range(2):  # rendered, then from the page memo
        response = Client().get(URL)
        assert expected in response["Content-Security-Policy"]
