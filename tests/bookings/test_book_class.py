"""Booking a class: validate then book, every status as a sentence, one booking per click, lost answers."""

from __future__ import annotations

import re
import threading
import time
import typing
import uuid

import pytest
from django.test import Client

from bookings import texts
from portal import reads
from portal.models import AuditEntry, Write
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from tests.bookings.conftest import customer_id, set_faults, signed_in
from tests.bookings.helpers import book_key, htmx, slot, text

SCHEDULE = "/s/demo/classes/"


def book(browser, slot_id: int, key: str | None = None, *, hx: bool = True, lang: str = "de"):
    key = key or str(uuid.uuid4())
    data = {"key": key, "next": SCHEDULE}
    headers = htmx(HTTP_ACCEPT_LANGUAGE=lang) if hx else {"HTTP_ACCEPT_LANGUAGE": lang}
    return browser.post(f"{SCHEDULE}{slot_id}/book/", data, **headers)


def bookings_of(demo_client, customer: int, slot_id: int) -> list[m.ClassSlotBookingResult]:
    return [
        b
        for b in demo_client.get_class_bookings_by_customer_id(customer)
        if b.class_slot_id == slot_id and b.booking_status != "CANCELED"
    ]


def test_every_status_the_api_can_answer_has_a_sentence():
    assert set(typing.get_args(m.ClassSlotValidationStatus)) == set(texts.CLASS_VALIDATION)
    assert set(typing.get_args(m.AppointmentValidationStatus)) == set(texts.APPOINTMENT_VALIDATION)
    class_statuses = typing.get_args(m.ClassSlotBookingResult.model_fields["booking_status"].annotation)
    assert set(class_statuses) == set(texts.CLASS_BOOKING_RESULT) == set(texts.BOOKING_STATUS_LABEL)
    appointment_statuses = typing.get_args(m.AppointmentBookingResult.model_fields["booking_status"].annotation)
    assert set(appointment_statuses) == set(texts.APPOINTMENT_BOOKING_RESULT)
    assert set(typing.get_args(m.SlotStatus)) == set(texts.SLOT_STATUS)
    assert set(typing.get_args(m.ParticipantStatus)) == set(texts.PARTICIPANT_STATUS)


def test_a_member_books_a_class_and_the_slot_updates_in_place(mia, mia_id, demo_studio, demo_client):
    pilates = slot(demo_studio, "Pilates Mat")
    page = mia.get(SCHEDULE).content.decode()
    response = book(mia, pilates.id, book_key(page))
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#slot-{pilates.id}"
    assert response["HX-Reswap"] == "outerHTML"
    body = text(response)
    assert "Sie sind gebucht." in body and "Gebucht" in body and "Buchung stornieren" in body
    assert f"{pilates.spots_left - 1} Plätze frei" in body or f"{pilates.spots_left - 1} Platz frei" in body
    # The page's booking form gets a fresh key, so the next click is a new booking.
    new_key = re.search(
        r'<form id="book-form"[^>]*hx-swap-oob="true">.*?name="key" value="([^"]+)"', response.content.decode()
    )
    assert new_key and new_key[1] != book_key(page)
    assert [b.booking_status for b in bookings_of(demo_client, mia_id, pilates.id)] == ["BOOKED"]


def test_a_full_class_puts_the_member_on_the_waiting_list(mia, mia_id, demo_studio, demo_client):
    hiit = slot(demo_studio, "HIIT Express", weekdays=range(5))
    response = book(mia, hiit.id)
    assert response.status_code == 200
    assert "Der Kurs ist voll, daher stehen Sie auf der Warteliste." in text(response)
    assert "Auf der Warteliste" in text(response)
    assert [b.booking_status for b in bookings_of(demo_client, mia_id, hiit.id)] == ["WAITING_LIST"]


def test_without_javascript_the_form_posts_and_comes_back_with_a_message(mia, demo_studio):
    pilates = slot(demo_studio, "Pilates Mat")
    response = book(mia, pilates.id, hx=False)
    assert response.status_code == 302
    assert response["Location"] == f"{SCHEDULE}#slot-{pilates.id}"
    page = mia.get(SCHEDULE, HTTP_ACCEPT_LANGUAGE="de")
    assert "Sie sind gebucht." in text(page)


def test_the_booking_page_for_members_coming_from_a_link(mia, demo_studio):
    pilates = slot(demo_studio, "Pilates Mat")
    page = mia.get(f"{SCHEDULE}{pilates.id}/book/", HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200
    assert "Kurs buchen" in text(page) and "Pilates Mat" in text(page)
    key = re.search(r'name="key" value="([^"]+)"', page.content.decode())[1]
    response = mia.post(f"{SCHEDULE}{pilates.id}/book/", {"key": key, "next": SCHEDULE})
    assert response.status_code == 302
    assert mia.get(f"{SCHEDULE}{pilates.id}/book/").status_code == 200
    assert mia.get(f"{SCHEDULE}123/book/").status_code == 404


class TestRefusals:
    """Each validationStatus the sandbox answers, as the member reads it."""

    def test_paused_membership(self, lea, demo_studio):
        response = book(lea, slot(demo_studio, "Pilates Mat").id)
        assert response.status_code == 422
        assert "Ihre Mitgliedschaft ruht an diesem Tag" in text(response)

    def test_display_only_class(self, mia, demo_studio):
        response = book(mia, slot(demo_studio, "Sauna-Aufguss").id)
        assert "steht nur zur Information im Plan" in text(response)

    def test_studio_closed(self, mia, demo_studio):
        from bookings import services
        from bookings.sources import studio_today

        closed_day = studio_today(demo_studio) + __import__("datetime").timedelta(days=3)
        closed = next(
            s
            for s in services.schedule_data(demo_studio, None).slots
            if s.start.date() == closed_day and s.start.hour < 14 and s.title != "Sauna-Aufguss"
        )
        response = book(mia, closed.id)
        assert "Das Studio ist zu dieser Zeit geschlossen" in text(response)

    def test_already_booked_with_another_form(self, mia, demo_studio):
        pilates = slot(demo_studio, "Pilates Mat")
        assert book(mia, pilates.id).status_code == 200
        response = book(mia, pilates.id)  # e.g. from another tab: a different key
        assert response.status_code == 422
        assert "Sie haben diesen Kurs bereits gebucht." in text(response)

    def test_another_booking_at_the_same_time(self, mia, demo_studio):
        vinyasa = slot(demo_studio, "Vinyasa Flow", weekdays=(0, 4))
        zumba = next(
            s
            for s in __import__("bookings.services", fromlist=["x"]).schedule_data(demo_studio, None).slots
            if s.title == "Zumba" and s.start.date() == vinyasa.start.date()
        )
        assert book(mia, vinyasa.id).status_code == 200
        assert "Sie haben zu dieser Zeit bereits eine andere Buchung." in text(book(mia, zumba.id))

    def test_booking_not_open_yet_says_when_it_opens(self, mia, demo_studio):
        later = slot(demo_studio, "Pilates Mat", days=range(9, 14))
        body = text(book(mia, later.id))
        assert re.search(r"Die Buchung für diesen Kurs öffnet am \d+\. \w+ \d{4}, \d\d:\d\d\.", body), body

    def test_class_and_waiting_list_full(self, mia, jonas, demo_studio):
        hiit = slot(demo_studio, "HIIT Express", weekdays=range(5))
        assert book(mia, hiit.id).status_code == 200  # the last waiting-list place
        response = book(jonas, hiit.id)
        assert "Es sind keine weiteren Buchungen möglich" in text(response)

    def test_no_contingent(self, demo_studio, demo_client):
        paul = signed_in(demo_studio, customer_id(demo_client, "paul@example.com"))
        response = book(paul, slot(demo_studio, "Pilates Mat").id)
        assert "keine Kursbuchungen mehr frei" in text(response)

    @pytest.mark.parametrize(
        "status,sentence",
        [
            ("DATE_TIME_AFTER_LATEST_BOOKING_DATE_TIME", "Die Buchung für diesen Kurs wurde am"),
            ("NOT_AVAILABLE", "Dieser Kurs kann nicht gebucht werden."),
            ("BOOKING_LIMIT_REACHED", "Es sind keine weiteren Buchungen möglich"),
        ],
    )
    def test_statuses_the_demo_cannot_produce_on_demand(self, mia, demo_studio, monkeypatch, status, sentence):
        monkeypatch.setattr(
            PerfectGymClient,
            "validate_class_slot",
            lambda self, request: m.ClassSlotBookingValidationResult(validation_status=status),
        )
        response = book(mia, slot(demo_studio, "Pilates Mat").id)
        assert response.status_code == 422
        assert sentence in text(response)

    def test_a_book_call_refused_after_validation_says_why(self, mia, demo_studio, monkeypatch):
        def refuse(self, request):
            raise errors.BadRequest(
                "bookClassSlot",
                status=400,
                error_code="errormessage.booking.booking_limit_reached",
                error_message="Booking limit reached (raw upstream text)",
            )

        monkeypatch.setattr(PerfectGymClient, "book_class_slot", refuse)
        response = book(mia, slot(demo_studio, "Pilates Mat").id)
        assert response.status_code == 422
        assert "Es sind keine weiteren Buchungen möglich" in text(response)
        assert "raw upstream text" not in response.content.decode()


class TestOneBookingPerClick:
    def test_a_repeated_form_books_once(self, mia, mia_id, demo_studio, demo_client, upstream_calls):
        pilates = slot(demo_studio, "Pilates Mat")
        key = str(uuid.uuid4())
        first = book(mia, pilates.id, key)
        upstream_calls.reset()
        second = book(mia, pilates.id, key)
        assert "Sie sind gebucht." in text(first) and "Sie sind gebucht." in text(second)
        assert upstream_calls.count("validateClassSlot") == upstream_calls.count("bookClassSlot") == 0
        assert len(bookings_of(demo_client, mia_id, pilates.id)) == 1
        assert Write.objects.count() == 1

    def test_a_key_cannot_be_reused_for_another_member(self, mia, jonas, demo_studio):
        pilates = slot(demo_studio, "Pilates Mat")
        key = str(uuid.uuid4())
        book(mia, pilates.id, key)
        response = book(jonas, pilates.id, key)
        assert "Dieses Formular ist abgelaufen." in text(response)

    def test_a_missing_key_is_an_expired_form(self, mia, demo_studio):
        response = book(mia, slot(demo_studio, "Pilates Mat").id, "not-a-key")
        assert response.status_code == 422
        assert "Dieses Formular ist abgelaufen." in text(response)


@pytest.mark.django_db(transaction=True)
def test_a_double_click_sends_one_booking_even_when_both_clicks_arrive_together(demo_studio_committed):
    studio = demo_studio_committed
    set_faults(studio, latency_ms=300)
    from portal.upstream import client_for

    demo_client = client_for(studio, language="en")
    mia_id = customer_id(demo_client, "mia@example.com")
    pilates = slot(studio, "Pilates Mat")
    key = str(uuid.uuid4())
    answers = []

    def click():
        answers.append(book(signed_in(studio, mia_id), pilates.id, key))

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    # One click books; the other is either answered from the record or told at once that it is being sent.
    texts_ = [text(answer) for answer in answers]
    assert any("Sie sind gebucht." in body for body in texts_), texts_
    assert all("Sie sind gebucht." in body or "wird gerade gesendet" in body for body in texts_), texts_
    poll = signed_in(studio, mia_id).get(f"{SCHEDULE}{pilates.id}/book/", {"key": key}, **htmx())
    assert "Sie sind gebucht." in text(poll)
    assert len(bookings_of(demo_client, mia_id, pilates.id)) == 1


class TestSecondClickWhileTheFirstIsSending:
    """A repeated submit is answered at once ("being sent"), and the page asks again until the first is done."""

    def pending(self, demo_studio, mia_id, slot_id: int) -> tuple[str, Write]:
        raw = str(uuid.uuid4())
        write = Write.objects.create(
            studio=demo_studio,
            key=uuid.uuid5(uuid.UUID(raw), f"class:{slot_id}"),
            actor=f"customer:{mia_id}",
            action="class.book",
            target={"slot": slot_id},
        )
        return raw, write

    def test_a_repeated_submit_answers_in_progress_at_once(self, mia, mia_id, demo_studio, upstream_calls):
        pilates = slot(demo_studio, "Pilates Mat")
        key, _write = self.pending(demo_studio, mia_id, pilates.id)
        upstream_calls.reset()
        started = time.monotonic()
        response = book(mia, pilates.id, key)
        assert time.monotonic() - started < 2  # no worker waiting for the first request
        assert response.status_code == 202
        assert "Ihre Buchung wird gerade gesendet." in text(response)
        body = response.content.decode()
        assert 'hx-trigger="load delay:1s"' in body and f"/book/?key={key}" in body
        assert upstream_calls.count("validateClassSlot") == upstream_calls.count("bookClassSlot") == 0

    def test_the_poll_shows_the_booking_once_the_first_request_is_done(self, mia, mia_id, demo_studio, demo_client):
        pilates = slot(demo_studio, "Pilates Mat")
        key, write = self.pending(demo_studio, mia_id, pilates.id)
        poll_url = f"{SCHEDULE}{pilates.id}/book/"
        still = mia.get(poll_url, {"key": key}, **htmx())
        assert still.status_code == 202 and "wird gerade gesendet" in text(still)
        # The first request finishes: the booking exists upstream and its outcome is on the record.
        booked = demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=pilates.id))
        write.finish(Write.State.DONE, {"status": booked.booking_status, "booking_id": booked.booking_id})
        done = mia.get(poll_url, {"key": key}, **htmx())
        assert done.status_code == 200
        assert done["HX-Retarget"] == f"#slot-{pilates.id}"
        assert "Sie sind gebucht." in text(done) and "load delay:1s" not in done.content.decode()

    def test_without_javascript_the_page_reloads_itself_until_done(self, mia, mia_id, demo_studio):
        pilates = slot(demo_studio, "Pilates Mat")
        key, write = self.pending(demo_studio, mia_id, pilates.id)
        response = book(mia, pilates.id, key, hx=False)
        assert response.status_code == 202
        assert '<meta http-equiv="refresh"' in response.content.decode()
        write.finish(Write.State.DONE, {"status": "BOOKED", "booking_id": 1})
        after = mia.get(f"{SCHEDULE}{pilates.id}/book/", {"key": key, "next": SCHEDULE})
        assert after.status_code == 302 and after["Location"] == f"{SCHEDULE}#slot-{pilates.id}"


class TestLostAnswers:
    def test_a_booking_whose_answer_was_lost_is_found_by_reading(
        self, mia, mia_id, demo_studio, demo_client, monkeypatch
    ):
        original = PerfectGymClient.book_class_slot

        def booked_but_lost(self, request):
            original(self, request)
            raise errors.OutcomeUnknown("bookClassSlot", error_message="ReadTimeout")

        monkeypatch.setattr(PerfectGymClient, "book_class_slot", booked_but_lost)
        pilates = slot(demo_studio, "Pilates Mat")
        response = book(mia, pilates.id)
        assert response.status_code == 200
        assert "Sie sind gebucht." in text(response)
        assert len(bookings_of(demo_client, mia_id, pilates.id)) == 1

    def test_a_booking_that_never_arrived_says_so(self, mia, mia_id, demo_studio, demo_client, monkeypatch):
        def lost(self, request):
            raise errors.OutcomeUnknown("bookClassSlot", error_message="ReadTimeout")

        monkeypatch.setattr(PerfectGymClient, "book_class_slot", lost)
        pilates = slot(demo_studio, "Pilates Mat")
        response = book(mia, pilates.id)
        assert response.status_code == 422
        assert "Ihre Buchung ist nicht durchgegangen." in text(response)
        assert bookings_of(demo_client, mia_id, pilates.id) == []

    def test_when_even_reading_fails_the_next_try_reads_before_it_writes(
        self, mia, mia_id, demo_studio, demo_client, upstream_calls, monkeypatch
    ):
        original_book = PerfectGymClient.book_class_slot
        original_read = PerfectGymClient.get_class_bookings_by_customer_id
        reads = {"fail": True}

        def booked_but_lost(self, request):
            original_book(self, request)
            raise errors.OutcomeUnknown("bookClassSlot", error_message="ReadTimeout")

        def read_fails_once(self, customer):
            if reads["fail"]:
                reads["fail"] = False
                raise errors.Unavailable("getClassBookingsByCustomerId", error_message="ReadTimeout")
            return original_read(self, customer)

        monkeypatch.setattr(PerfectGymClient, "book_class_slot", booked_but_lost)
        pilates = slot(demo_studio, "Pilates Mat")
        mia.get(SCHEDULE)  # the schedule she books from: her bookings are read (and kept) before the write
        monkeypatch.setattr(PerfectGymClient, "get_class_bookings_by_customer_id", read_fails_once)
        unknown = book(mia, pilates.id)
        assert unknown.status_code == 422
        assert "konnten noch nicht prüfen, ob Sie gebucht sind" in text(unknown)
        assert Write.objects.get().state == Write.State.UNKNOWN

        upstream_calls.reset()
        again = book(mia, pilates.id)  # a new click, a new key
        assert "Sie sind gebucht." in text(again)
        # The unknown write invalidated her bookings: the page reads them, and reconciling reads them now...
        assert upstream_calls.count("getClassBookingsByCustomerId") == 2
        assert upstream_calls.count("bookClassSlot") == 0  # ...it was there: nothing sent again
        assert len(bookings_of(demo_client, mia_id, pilates.id)) == 1
        assert not Write.objects.filter(state=Write.State.UNKNOWN).exists()

    def test_sandbox_timeouts_end_to_end(self, mia, mia_id, demo_studio, demo_client):
        """With every call timing out (writes after they happened), nothing fails hard and nothing doubles."""
        pilates = slot(demo_studio, "Pilates Mat")
        mia.get(SCHEDULE)
        set_faults(demo_studio, timeout_rate=1.0)
        response = book(mia, pilates.id)
        assert response.status_code == 422
        assert "konnten noch nicht prüfen, ob Sie gebucht sind" in text(response)
        set_faults(demo_studio, timeout_rate=0.0)
        response = book(mia, pilates.id)
        assert "Sie sind gebucht." in text(response)
        assert len(bookings_of(demo_client, mia_id, pilates.id)) == 1


class TestSignedOutOrDown:
    def test_a_signed_out_htmx_click_navigates_to_sign_in(self, client, demo_studio):
        response = book(client, slot(demo_studio, "Pilates Mat").id)
        assert response.status_code == 200  # portal.http.redirect_after: a full page load for htmx
        assert response["HX-Redirect"].startswith("/s/demo/account/?next=")

    def test_booking_while_the_upstream_is_down_explains_it(self, mia, demo_studio):
        pilates = slot(demo_studio, "Pilates Mat")
        set_faults(demo_studio, error_rates={"503": 1.0})
        response = book(mia, pilates.id)
        assert response.status_code == 422
        assert "nicht erreichbar" in text(response)

    def test_an_unknown_slot_is_not_found(self, mia, demo_studio):
        response = book(mia, 999920990101, hx=False)
        assert response.status_code == 302
        assert "Dieser Kurs steht nicht mehr im Kursplan." in text(mia.get(SCHEDULE, HTTP_ACCEPT_LANGUAGE="de"))


def test_bookings_are_in_the_audit_trail_without_personal_data(mia, mia_id, demo_studio):
    pilates = slot(demo_studio, "Pilates Mat")
    book(mia, pilates.id)
    entry = AuditEntry.objects.get(action="class.book")
    assert entry.actor == f"customer:{mia_id}"
    assert entry.outcome == "done" and entry.details["status"] == "BOOKED"
    assert entry.details["slot"] == pilates.id and entry.details["booking"]
    assert "example.com" not in str(entry.details) and "Mia" not in str(entry.details)


def test_english_sentences_for_english_visitors(demo_studio, mia_id):
    mia_en = Client(HTTP_ACCEPT_LANGUAGE="en")
    session = mia_en.session
    session["member"] = {"studio": demo_studio.pk, "customer": mia_id}
    session.save()
    response = book(mia_en, slot(demo_studio, "Pilates Mat").id, lang="en")
    assert "You are booked." in text(response)


def test_the_booking_page_while_the_upstream_is_down(mia, demo_studio):
    set_faults(demo_studio, error_rates={"503": 1.0})
    response = mia.get(f"{SCHEDULE}1234520991231/book/", follow=True, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "nicht erreichbar" in text(response)
    response = book(mia, 1234520991231)
    assert response.status_code == 200 and response["HX-Redirect"] == SCHEDULE


def test_after_a_429_on_booking_the_schedule_says_booking_is_unavailable(mia, demo_studio, monkeypatch):
    import time as real_time

    from portal.lib import cache as swr

    pilates, other = slot(demo_studio, "Pilates Mat"), slot(demo_studio, "Zumba")
    minute = (int(real_time.time()) // 60) * 60
    monkeypatch.setattr(swr, "clock", lambda: minute + 5.0)
    mia.get(SCHEDULE)

    def rate_limited(self, request):
        raise errors.RateLimited("bookClassSlot", status=429, retry_after=55)

    monkeypatch.setattr(PerfectGymClient, "book_class_slot", rate_limited)
    response = book(mia, pilates.id)
    assert response.status_code == 422 and "gerade stark ausgelastet" in text(response)
    monkeypatch.setattr(swr, "clock", lambda: minute + 8.0)  # a moment later, same minute
    page = mia.get(SCHEDULE, HTTP_ACCEPT_LANGUAGE="de")
    assert "Buchen ist gerade nicht möglich" in text(page)
    assert re.search(rf'id="slot-{other.id}">.*?Buchen gerade nicht möglich', page.content.decode(), re.S)


class TestEveryStatusAndError:
    """Whatever the upstream answers, the member reads a sentence from our dictionaries; never a 500."""

    @pytest.mark.parametrize("status", sorted(set(texts.CLASS_VALIDATION) - {"AVAILABLE"}))
    def test_every_class_validation_status(self, mia, demo_studio, monkeypatch, status):
        monkeypatch.setattr(
            PerfectGymClient,
            "validate_class_slot",
            lambda self, request: m.ClassSlotBookingValidationResult(validation_status=status),
        )
        pilates = slot(demo_studio, "Pilates Mat")
        response = book(mia, pilates.id, lang="en")
        assert response.status_code == 422
        from bookings.services import class_refusal

        with __import__("django.utils.translation", fromlist=["x"]).override("en"):
            expected = class_refusal(status, pilates)
        assert expected in text(response)

    @pytest.mark.parametrize("status", ["BOOKED", "BOOKED_WITH_CONFIRMATION_REQUIRED", "WAITING_LIST"])
    def test_every_booking_result(self, mia, mia_id, demo_studio, monkeypatch, status):
        pilates = slot(demo_studio, "Pilates Mat")

        def booked(self, request):
            return m.ClassSlotBookingResult(
                booking_id=4711,
                booking_status=status,
                class_slot_id=pilates.id,
                class_id=pilates.class_id,
                customer_id=mia_id,
                class_slot_status="PLANNED",
                participant_status="UNSET",
            )

        monkeypatch.setattr(PerfectGymClient, "book_class_slot", booked)
        response = book(mia, pilates.id, lang="en")
        assert response.status_code == 200
        assert str(texts.CLASS_BOOKING_RESULT[status]) in text(response)

    @pytest.mark.parametrize(
        "error",
        [
            errors.BadRequest("validateClassSlot", status=400, error_message="raw"),
            errors.Unauthorized("validateClassSlot", status=401, error_message="raw"),
            errors.Forbidden("validateClassSlot", status=403, error_message="raw"),
            errors.NotFound("validateClassSlot", status=404, error_message="raw"),
            errors.Conflict("validateClassSlot", status=409, error_message="raw"),
            errors.RateLimited("validateClassSlot", status=429, error_message="raw"),
            errors.Unavailable("validateClassSlot", status=503, error_message="raw"),
            errors.MalformedResponse("validateClassSlot", status=200, error_message="raw"),
        ],
        ids=lambda error: type(error).__name__,
    )
    def test_every_error_class(self, mia, demo_studio, monkeypatch, error):
        from portal.user_messages import message_for

        def fail(self, request):
            raise error

        monkeypatch.setattr(PerfectGymClient, "validate_class_slot", fail)
        monkeypatch.setattr(PerfectGymClient, "book_class_slot", fail)  # reached when the check cannot answer
        response = book(mia, slot(demo_studio, "Pilates Mat").id, lang="en")
        assert response.status_code == 422
        with __import__("django.utils.translation", fromlist=["x"]).override("en"):
            assert message_for(error) in text(response)
        assert "raw" not in text(response).split()

    @pytest.mark.parametrize(
        "error",
        [
            errors.RateLimited("validateClassSlot", status=429),
            errors.Unavailable("validateClassSlot", status=503),
            errors.OutcomeUnknown("validateClassSlot"),
        ],
        ids=lambda error: type(error).__name__,
    )
    def test_a_check_that_cannot_answer_does_not_stop_the_booking(
        self, mia, mia_id, demo_studio, demo_client, monkeypatch, error
    ):
        # The validation writes nothing and the booking call validates too: it goes ahead.
        def fail(self, request):
            raise error

        monkeypatch.setattr(PerfectGymClient, "validate_class_slot", fail)
        pilates = slot(demo_studio, "Pilates Mat")
        response = book(mia, pilates.id)
        assert response.status_code == 200 and "Sie sind gebucht." in text(response)
        assert len(bookings_of(demo_client, mia_id, pilates.id)) == 1


def test_a_booking_paused_locally_is_not_recorded_as_an_upstream_429(mia, demo_studio, upstream_calls):
    pilates = slot(demo_studio, "Pilates Mat")
    mia.get(SCHEDULE)
    with pytest.raises(errors.RateLimited), reads.guard(demo_studio, "bookClassSlot"):
        raise errors.RateLimited("bookClassSlot", status=429, trace_id="t-429")
    upstream_calls.reset()
    response = book(mia, pilates.id)
    assert "stark ausgelastet" in text(response)
    assert upstream_calls.count("bookClassSlot") == 0  # nothing was sent...
    entry = AuditEntry.objects.get(action="class.book")
    assert entry.outcome.endswith(":paused") and entry.upstream_status is None  # ...and the audit says so
