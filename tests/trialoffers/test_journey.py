"""The journey's pages, as a visitor without cookies sees them: with and without JavaScript (htmx)."""

from __future__ import annotations

import re
import time
from datetime import UTC, timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache

from portal.models import Write
from portal.perfectgym import errors
from sandbox import faults
from sandbox.store import Store
from tests.sandbox import at, frozen
from tests.trialoffers.conftest import (
    SENT_PAGE,
    done_link,
    form_token,
    lead_details,
    links,
    offer_link,
    text_of,
    timeout_once,
    unavailable,
)
from trialoffers import services, tokens
from trialoffers.models import BookingStatus, FunnelWeek, Lead, TrialBooking


def query(link: str, name: str) -> str:
    return parse_qs(urlsplit(link).query)[name][0]


def assert_no_cookies(visitor) -> None:
    """Nothing but the shared language switch (?lang=, which links here carry on anyway) sets a cookie."""
    assert set(visitor.set_cookies) <= {"django_language"}, visitor.set_cookies


def choose_first_time(visitor, title: str, lang: str = "en"):
    """Steps 1 and 2: the offer's page, then its first bookable time. Returns the form page."""
    page = visitor.get(offer_link(visitor, title, lang))
    assert page.status_code == 200
    chosen = visitor.get(links(page, r"/trial/book/\?t=")[0])
    assert chosen.status_code == 303  # the journey starts: an address of this visitor's own
    return visitor.get(chosen["Location"])


def without_csrf_token(response) -> str:
    """The page, minus the one part that differs on every response (the masked CSRF token)."""
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())


def send(visitor, form_page, details: dict, **kwargs):
    return visitor.post("/s/demo/trial/book/?lang=en", {"t": form_token(form_page), **details}, **kwargs)


# --- 1. Choose --------------------------------------------------------------------------------------
def test_trial_page_lists_classes_and_appointments_without_images(visitor, morning):
    page = visitor.get("/s/demo/trial/?lang=en")
    text = text_of(page)
    for title in ("Hatha Yoga", "Zumba", "Probetraining", "Körperanalyse (InBody)"):
        assert title in text
    assert "Personal Training" not in text  # not a trial offer
    assert "60 minutes" in text and "Yoga" in text and "Appointment" in text
    assert "<img" not in page.content.decode().split("<main", 1)[1]  # upstream image URLs are never shown
    # the link names its offer for screen readers
    assert 'aria-label="Choose a time: Hatha Yoga">Choose a time</a>' in page.content.decode()
    assert_no_cookies(visitor)


def test_category_filter_works_with_and_without_htmx(visitor, morning):
    page = visitor.get("/s/demo/trial/?category=Yoga&lang=en")
    text = text_of(page)
    assert "Hatha Yoga" in text and "Vinyasa Flow" in text and "Zumba" not in text
    assert re.search(r'aria-current="true">Yoga<', page.content.decode())
    fragment = visitor.htmx_get("/s/demo/trial/?category=Dance&lang=en")
    html = fragment.content.decode()
    assert "<html" not in html and "Zumba" in html and "Hatha Yoga" not in html


def test_deep_link_to_one_offer_and_a_missing_one(visitor, morning):
    hatha = offer_link(visitor, "Hatha Yoga")
    assert re.fullmatch(r"/s/demo/trial/class/\d+/\?lang=en", hatha)
    page = visitor.get(hatha)
    assert page.status_code == 200 and "<h1>Hatha Yoga</h1>" in page.content.decode()
    missing = visitor.get("/s/demo/trial/class/999999/?lang=en")
    assert missing.status_code == 404 and "no longer available" in text_of(missing)


def test_trial_page_when_the_studio_is_unreachable(visitor, demo_studio):
    faults.configure(demo_studio, error_rates={"503": 1.0})
    page = visitor.get("/s/demo/trial/?lang=en")
    assert page.status_code == 503
    assert "not reachable right now" in text_of(page)


# --- 2. Pick a time -----------------------------------------------------------------------------------
def test_class_times_are_grouped_by_day_with_places_and_waiting_list(visitor, morning):
    page = visitor.get(offer_link(visitor, "HIIT Express"))
    html = page.content.decode()
    assert len(re.findall(r'<a id="day-\d{4}-\d\d-\d\d"', html)) == 14
    assert html.count('aria-current="date"') == 1
    day_links = links(page, r"\?day=")
    waiting = None
    for link in day_links:
        day_page = visitor.get(link)
        if "Full: waiting list only" in text_of(day_page):
            waiting = day_page
            break
    assert waiting is not None
    assert "Join the waiting list" in text_of(waiting) and "with Jonas B." in text_of(waiting)


def test_day_switch_swaps_only_the_slot_list_with_htmx(visitor, morning):
    page = visitor.get(offer_link(visitor, "Zumba"))
    other_day = links(page, r"\?day=")[3]
    fragment = visitor.htmx_get(other_day)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html and "<h1>" not in html
    assert 'id="day-nav" class="day-nav" aria-label="Days" hx-swap-oob="true"' in html
    day = re.search(r"day=(\d{4}-\d\d-\d\d)", other_day).group(1)
    assert f'id="day-{day}"' in html and re.search(rf'id="day-{day}"[^>]*aria-current="date"', html)
    full_page = visitor.get(other_day)  # the same link without JavaScript: the whole page
    assert "<h1>Zumba</h1>" in full_page.content.decode()
    assert 'hx-target="#slot-list"' in page.content.decode()


def test_days_beyond_the_booking_window_say_booking_opens_later(visitor, morning):
    page = visitor.get(offer_link(visitor, "Zumba"))
    html = page.content.decode()
    far = at(13, "00:00").strftime("%Y-%m-%d")
    tab = re.search(rf'<a id="day-{far}".*?</a>', html, flags=re.S).group(0)
    day_of_week = at(13, "00:00").weekday()
    if day_of_week in (0, 2, 4, 5):  # Zumba's days
        assert "opens later" in tab
        day_page = visitor.get(links(page, rf"day={far}")[0])
        assert "Booking opens" in text_of(day_page) and "Choose" not in text_of(day_page).split("Zumba")[-1]
    else:
        assert "none free" in tab


def test_indoor_cycling_shows_the_last_place(visitor, morning):
    page = visitor.get(offer_link(visitor, "Indoor Cycling"))
    found = False
    for link in links(page, r"\?day="):
        if "1 place left" in text_of(visitor.get(link)):
            found = True
            break
    assert found


def test_appointment_times_move_week_by_week_up_to_four_weeks(visitor, morning):
    page = visitor.get(offer_link(visitor, "Körperanalyse (InBody)"))
    html = page.content.decode()
    assert len(re.findall(r'<a id="day-', html)) == 7
    assert 'id="week-earlier" class="day-step" tabindex="-1" aria-disabled="true"' in html
    later = links(page, r"\?week=")[-1]
    assert at(7, "00:00").strftime("%Y-%m-%d") in later
    next_week = visitor.get(later)
    selected = re.search(r'<a id="day-([\d-]+)" class="day"[^>]*aria-current="date"', next_week.content.decode())
    assert selected, "a week link selects the week's first day with a free time"
    week4 = visitor.get(re.sub(r"week=[\d-]+", f"week={at(21, '00:00'):%Y-%m-%d}", later))
    html4 = week4.content.decode()
    assert 'id="week-later" class="day-step" tabindex="-1" aria-disabled="true"' in html4
    assert f'id="day-{at(27, "00:00"):%Y-%m-%d}"' in html4


def test_a_journey_starts_when_a_time_is_picked_and_survives_day_switches(visitor, morning):
    page = visitor.get(offer_link(visitor, "Zumba"))
    choose = links(page, r"/trial/book/\?t=")
    # The offer page is the same for every visitor (shared caches keep it): it names no journey.
    assert {tokens.read_slot(query(link, "t"))[0].nonce for link in choose} == {""}
    assert not re.search(r"[?&](amp;)?j=[^&\"]", page.content.decode())

    first, second = visitor.get(choose[0]), visitor.get(choose[0])
    assert first.status_code == second.status_code == 303
    nonce = tokens.read_slot(query(first["Location"], "t"))[0].nonce
    assert nonce and nonce != tokens.read_slot(query(second["Location"], "t"))[0].nonce  # one journey each

    form = visitor.get(first["Location"])
    back = links(form, r"^/s/demo/trial/class/.*j=")[0]
    assert tokens.read_journey(query(back, "j")) == nonce
    times = visitor.get(back)

    def nonces(response) -> set[str]:
        found = {tokens.read_journey(query(link, "j")) for link in links(response, r"^/s/demo/trial/class/.*j=.")}
        found |= {tokens.read_slot(query(link, "t"))[0].nonce for link in links(response, r"/trial/book/\?t=")}
        return found

    assert nonces(times) == {nonce}
    assert nonces(visitor.get(links(times, r"\?day=")[2])) == {nonce}


# --- 3. Tell us about you -----------------------------------------------------------------------------
def test_form_fields_follow_the_lead_data_config(visitor, morning):
    easy = choose_first_time(visitor, "Hatha Yoga")  # gender, birth date, phone optional; no address
    html = easy.content.decode()
    assert 'name="first_name"' in html and 'name="last_name"' in html and 'name="email"' in html
    assert re.search(r'Phone number <span class="optional">\(optional\)</span>', html)
    assert 'name="street"' not in html and 'name="city"' not in html
    strict = choose_first_time(visitor, "Zumba")  # birth date and phone mandatory, address optional
    html = strict.content.decode()
    assert re.search(r"<label for=\"id_telephone\">Phone number</label>", html)
    assert re.search(r'<input type="tel" name="telephone"[^>]*required', html)
    assert "<legend>Address (optional)</legend>" in html and 'name="street"' in html
    assert 'href="https://demo-fitness.example/datenschutz"' in html
    assert_no_cookies(visitor)


def test_form_errors_keep_what_was_typed_and_point_at_the_fields(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    response = send(visitor, form, lead_details("not-an-email", telephone="12", privacy_consent=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="not-an-email"' in html and 'value="Lea"' in html and 'value="12"' in html
    assert 'role="alert"' in html and "Please check your entries" in html
    assert re.search(r'name="email"[^>]*aria-invalid="true"', html)
    assert re.search(r'name="email"[^>]*aria-describedby="id_email_helptext id_email_error"', html)
    assert 'id="id_email_error"' in html and 'href="#id_email"' in html
    assert "Please agree to the privacy policy" in html
    assert "Please enter a phone number" in html
    assert Lead.objects.count() == 0


def test_optional_address_must_be_complete_once_started(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    response = send(visitor, form, lead_details("lea@example.org", street="Torstraße"))
    assert response.status_code == 422
    assert "Please complete the address" in text_of(response)


def test_form_errors_with_htmx_swap_only_the_form(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    response = send(visitor, form, lead_details(""), htmx=True)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith("<form") and "<html" not in html and "data-autofocus" in html


def test_inline_check_of_one_field(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    data = {"t": form_token(form), "email": "lea@", "first_name": ""}
    response = visitor.post("/s/demo/trial/book/check/?field=email&lang=en", data, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div class="field field-invalid" id="group-email"')
    assert "Enter a valid email address." in html and "first_name" not in html
    ok = visitor.post("/s/demo/trial/book/check/?field=email", {**data, "email": "lea@example.org"}, htmx=True)
    assert "field-invalid" not in ok.content.decode()
    assert visitor.post("/s/demo/trial/book/check/?field=website", data).status_code == 204
    assert visitor.post("/s/demo/trial/book/check/?field=email", data, origin="https://evil.example").status_code == 403
    assert Lead.objects.count() == 0


def test_forms_started_is_counted_once_per_journey(visitor, morning):
    page = visitor.get(offer_link(visitor, "Zumba"))
    link = visitor.get(links(page, r"/trial/book/\?t=")[0])["Location"]  # this visitor's journey
    visitor.get(link)
    visitor.get(link)
    week = FunnelWeek.objects.get()
    assert (week.offers_viewed, week.forms_started) == (1, 1)


# --- 4. Book --------------------------------------------------------------------------------------------
def test_no_cookie_journey_books_a_class(visitor, morning, demo_studio):
    form = choose_first_time(visitor, "Zumba")
    response = send(visitor, form, lead_details("lea@example.org"))
    assert response.status_code == 303 and response["Location"] == SENT_PAGE
    assert "Please check your e-mail" in text_of(visitor.get(response["Location"]))
    done = visitor.get(done_link(mail.outbox[0]))
    text = text_of(done)
    assert "You are booked" in text and "Zumba" in text and "Sportkleidung" in text
    assert "Add to calendar (.ics)" in text and "+49 30 1234567" in text and "Torstraße 101" in text
    assert_no_cookies(visitor)  # the whole way without a cookie of the journey's own
    booking = TrialBooking.objects.get()
    assert booking.status == BookingStatus.BOOKED and Lead.objects.get().email == "lea@example.org"
    assert mail.outbox[0].subject == "Your trial session is booked"


def test_with_htmx_success_redirects_the_whole_page(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    response = send(visitor, form, lead_details("lea@example.org"), htmx=True)
    assert response.status_code == 200 and response["HX-Redirect"] == SENT_PAGE


def test_double_submit_books_once(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    first = send(visitor, form, lead_details("lea@example.org"))
    second = send(visitor, form, lead_details("lea@example.org"))
    assert first["Location"] == second["Location"]
    assert Lead.objects.count() == 1 and TrialBooking.objects.count() == 1
    assert len(mail.outbox) == 1


def test_form_page_of_a_booked_journey_shows_the_booking(visitor, morning):
    page = visitor.get(offer_link(visitor, "Zumba"))
    link = visitor.get(links(page, r"/trial/book/\?t=")[0])["Location"]  # this visitor's journey
    form = visitor.get(link)
    sent = send(visitor, form, lead_details("lea@example.org"))
    back = visitor.get(link)  # the browser's back button, then reload
    assert back.status_code == 303 and back["Location"] == sent["Location"]


def test_foreign_origin_is_refused(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    response = send(visitor, form, lead_details("lea@example.org"), origin="https://evil.example")
    assert response.status_code == 403 and Lead.objects.count() == 0
    no_origin = send(visitor, form, lead_details("lea@example.org"), origin=None)
    assert no_origin.status_code == 403


def test_referer_and_embed_origin_are_accepted(visitor, morning, demo_studio):
    demo_studio.allowed_embed_origins = "https://www.demo-fitness.example"
    demo_studio.save()
    form = choose_first_time(visitor, "Zumba")
    via_referer = send(
        visitor, form, lead_details("lea@example.org"), origin=None, headers={"Referer": "http://testserver/s/demo/"}
    )
    assert via_referer.status_code == 303
    form = choose_first_time(visitor, "Pilates Mat")
    embedded = send(visitor, form, lead_details("leo@example.org"), origin="https://www.demo-fitness.example")
    assert embedded.status_code == 303


def test_tampered_or_missing_token(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    token = form_token(form)
    broken = visitor.post("/s/demo/trial/book/?lang=en", {"t": token[:-3] + "abc", **lead_details("lea@example.org")})
    assert broken.status_code == 400 and "not valid" in text_of(broken)
    assert visitor.get("/s/demo/trial/book/").status_code == 400


def test_an_old_form_is_offered_again_with_what_was_typed(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    # Signing reads the real clock (time.time), not the frozen timezone.now: age the token from the real one.
    later = time.time() + tokens.JOURNEY_MAX_AGE + 60
    with mock.patch("time.time", return_value=later):
        response = send(visitor, form, lead_details("lea@example.org"))
    assert response.status_code == 422
    assert "open for a long time" in text_of(response) and 'value="lea@example.org"' in response.content.decode()
    assert Lead.objects.count() == 0
    fresh = send(visitor, response, lead_details("lea@example.org"))
    assert fresh.status_code == 303


def test_honeypot(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    response = send(visitor, form, lead_details("bot@example.org", website="https://spam.example"))
    assert response.status_code == 400 and Lead.objects.count() == 0


def test_an_existing_customer_sees_what_a_new_lead_sees_and_is_told_by_email(visitor, morning, demo_studio):
    new = send(visitor, choose_first_time(visitor, "Zumba"), lead_details("lea@example.org"))
    customer = send(visitor, choose_first_time(visitor, "Zumba"), lead_details("mia@example.com"))
    assert new.status_code == customer.status_code == 303
    assert new["Location"] == customer["Location"] == SENT_PAGE
    assert sorted(new.headers) == sorted(customer.headers) and new.content == customer.content
    new_page, customer_page = visitor.get(new["Location"]), visitor.get(customer["Location"])
    assert without_csrf_token(new_page) == without_csrf_token(customer_page)
    assert "already" not in text_of(customer_page)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["lea@example.org"].subject == "Your trial session is booked"
    told = by_address["mia@example.com"]
    assert told.subject == "You are already a member of Demo Fitness Berlin"
    assert "sign in to book" in told.body and "http://testserver/s/demo/account/?lang=en" in told.body
    assert "Your trial session is booked" not in told.body


def test_an_existing_customers_journey_stays_on_the_email_page(visitor, morning):
    form = choose_first_time(visitor, "Zumba")
    send(visitor, form, lead_details("mia@example.com"))
    again = visitor.get(f"/s/demo/trial/book/?t={form_token(form)}&lang=en")  # back button, reload
    assert again.status_code == 303 and again["Location"] == SENT_PAGE


def test_refused_time_shows_fresh_times_for_the_same_lead(visitor, morning, demo_studio):
    form_page = choose_first_time(visitor, "Zumba")
    chosen, _ = tokens.read_slot(form_token(form_page))
    store = Store(demo_studio)
    [info] = store.all("studio_info")  # the studio closes at that time while the visitor types
    info["closingHours"].append({"dateTimeFrom": chosen.start_raw, "dateTimeTo": chosen.end_raw})
    store.save("studio_info", info)
    cache.clear()
    refused = send(visitor, form_page, lead_details("lea@example.org"))
    assert refused.status_code == 200
    text = text_of(refused)
    assert "The studio is closed at this time. Please pick another time." in text
    assert 'id="slot-list"' in refused.content.decode()
    other = links(refused, r"/trial/book/\?t=")[0]
    assert tokens.read_slot(query(other, "t"))[0].nonce == chosen.nonce
    short_form = visitor.get(other)
    assert "You have already registered as Lea" in text_of(short_form)
    assert 'name="email"' not in short_form.content.decode()
    booked = visitor.post("/s/demo/trial/book/?lang=en", {"t": form_token(short_form)})
    assert booked.status_code == 303
    assert Lead.objects.count() == 1 and len(Store(demo_studio).all("customer", email="lea@example.org")) == 1
    assert TrialBooking.objects.filter(status=BookingStatus.BOOKED).count() == 1


def test_a_lead_joins_the_waiting_list_of_a_full_class(visitor, morning):
    page = visitor.get(offer_link(visitor, "HIIT Express"))
    waiting = next(
        day_page
        for day_page in (visitor.get(day) for day in links(page, r"\?day="))
        if "Join the waiting list" in text_of(day_page)
    )
    form_page = visitor.choose(links(waiting, r"/trial/book/\?t=")[0])
    assert "You are signing up for the waiting list" in text_of(form_page)
    assert "Join the waiting list" in text_of(form_page)

    response = send(visitor, form_page, lead_details("lea@example.org"))
    assert response.status_code == 303 and response["Location"] == SENT_PAGE
    assert "Please check your e-mail" in text_of(visitor.get(response["Location"]))
    [email] = mail.outbox
    assert email.subject == "You are on the waiting list"
    assert "you are on the waiting list for this trial session" in email.body
    assert "This is not a confirmed place yet" in email.body and "HIIT Express" in email.body
    done = text_of(visitor.get(done_link(email)))
    assert "You are on the waiting list" in done and "This is not a confirmed place yet" in done
    assert "You are booked" not in done and "Add to calendar" not in done
    assert TrialBooking.objects.get().status == BookingStatus.WAITING_LIST


def test_rate_limited_form_keeps_the_data(visitor, morning, demo_studio):
    demo_studio.lead_limit_per_ip_per_hour = 0
    demo_studio.save()
    response = send(visitor, choose_first_time(visitor, "Zumba"), lead_details("lea@example.org"))
    assert response.status_code == 422 and "too many sign-ups" in text_of(response)
    assert 'value="lea@example.org"' in response.content.decode()


def test_studio_down_while_booking_keeps_the_data(visitor, morning, script):
    form = choose_first_time(visitor, "Zumba")
    script(validate_for_lead_customer_creation=unavailable(), create_lead_customer=unavailable())
    response = send(visitor, form, lead_details("lea@example.org"))
    assert response.status_code == 422
    assert "not reachable right now" in text_of(response) and 'value="lea@example.org"' in response.content.decode()


@pytest.mark.parametrize(
    ("title", "operation"),
    [
        ("Zumba", "validateForLeadCustomerCreation"),
        ("Zumba", "validateClassSlotForTrialOffers"),
        ("Körperanalyse (InBody)", "validateForAppointmentBookingForTrialOffers"),
    ],
)
def test_a_check_without_an_answer_does_not_stop_the_lead(visitor, morning, title, operation):
    # The check writes nothing and the write behind it validates too: the lead is booked at once.
    form = choose_first_time(visitor, title)
    with timeout_once(operation):
        response = send(visitor, form, lead_details("lea@example.org"))
    assert response.status_code == 303 and "/trial/sent/" in response["Location"]
    assert TrialBooking.objects.get().status in (BookingStatus.BOOKED, BookingStatus.CONFIRMATION_PENDING)
    assert Lead.objects.count() == 1 and len(mail.outbox) == 1


def test_a_booking_without_an_answer_says_we_check_first(visitor, morning, script):
    form = choose_first_time(visitor, "Zumba")
    script(
        book_class_slot_for_trial_offers=errors.OutcomeUnknown("bookClassSlotForTrialOffers"),
        get_class_bookings_by_customer_id=unavailable(),
    )
    response = send(visitor, form, lead_details("lea@example.org"))
    assert response.status_code == 422
    text = text_of(response)
    assert "we do not know yet whether this went through" in text and "we will check first" in text
    assert "Please try again in a few minutes." not in text


def test_second_click_while_the_first_works_gets_a_waiting_page(visitor, morning, demo_studio):
    form = choose_first_time(visitor, "Zumba")
    choice, _ = tokens.read_slot(form_token(form))
    Lead.objects.create(
        studio=demo_studio,
        journey=choice.nonce,
        offer_kind="class",
        offer_id=choice.offer_id,
        config_id=choice.config_id,
    )
    claim = Write.objects.create(  # the first click, still sending
        studio=demo_studio,
        key=services.form_key(demo_studio, "trial.book", choice.nonce),
        actor="lead",
        action="trial.book",
        target={"form": choice.nonce},
    )
    response = send(visitor, form, lead_details("lea@example.org"))
    assert response.status_code == 303 and "/trial/status/" in response["Location"]
    waiting = visitor.get(response["Location"])
    assert waiting.status_code == 202 and "One moment please" in text_of(waiting)
    assert '<meta http-equiv="refresh" content="2;url=/s/demo/trial/status/' in waiting.content.decode()
    # With htmx the page asks with a small fragment instead of reloading itself...
    polled = visitor.get(response["Location"], HTTP_HX_REQUEST="true")
    assert polled.status_code == 202 and 'hx-get="/s/demo/trial/status/' in polled.content.decode()
    claim.finish(Write.State.FAILED, {})
    Lead.objects.update(failure_reason="STUDIO_CLOSED", status="failed")
    # ...until the first click is done: then the browser loads the journey's page in full.
    done = visitor.get(response["Location"], HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == response["Location"]
    settled = visitor.get(response["Location"])
    assert "The studio is closed at this time" in text_of(settled)


# --- 5. Confirm, 6. Done ----------------------------------------------------------------------------------
@pytest.fixture
def confirmation_link(visitor, morning) -> str:
    send(visitor, choose_first_time(visitor, "Hatha Yoga"), lead_details("lea@example.org"))
    [email] = mail.outbox
    done = visitor.get(f"/s/demo/trial/done/{tokens.done_token(TrialBooking.objects.get().pk)}/?lang=en")
    assert "Please confirm your booking" in text_of(done) and "Add to calendar" not in text_of(done)
    return re.search(r"http://testserver(/s/demo/trial/confirm/\S+/\?lang=en)", email.body).group(1)


def test_link_scanners_that_only_get_do_not_confirm(visitor, confirmation_link, upstream_ops):
    for _ in range(3):
        page = visitor.get(confirmation_link)
        assert page.status_code == 200 and "Confirm booking" in text_of(page)
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMATION_PENDING
    assert "confirmTrialOfferBooking" not in upstream_ops()


def test_the_button_confirms(visitor, confirmation_link):
    response = visitor.post(confirmation_link)
    assert response.status_code == 303
    page = visitor.get(response["Location"])
    assert "Booking confirmed" in text_of(page) and "Your booking is confirmed." in text_of(page)
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMED
    assert mail.outbox[-1].subject == "Your trial session is booked"
    assert_no_cookies(visitor)


def test_confirmation_link_after_its_term(visitor, confirmation_link):
    booking = TrialBooking.objects.get()
    with frozen(booking.confirm_by + timedelta(minutes=5)):
        page = visitor.get(confirmation_link)
        assert "Confirmation link expired" in text_of(page) and "Confirm booking" not in text_of(page)
        response = visitor.post(confirmation_link)
        page = visitor.get(response["Location"])
    assert "released" in text_of(page)
    assert TrialBooking.objects.get().status == BookingStatus.EXPIRED


def test_confirmation_needs_our_origin(visitor, confirmation_link):
    assert visitor.post(confirmation_link, origin="https://evil.example").status_code == 403
    assert TrialBooking.objects.get().status == BookingStatus.CONFIRMATION_PENDING


def test_bad_confirmation_link(visitor, morning):
    assert visitor.get("/s/demo/trial/confirm/nonsense/").status_code == 400


def test_calendar_file(visitor, morning):
    send(visitor, choose_first_time(visitor, "Zumba"), lead_details("lea@example.org"))
    done = visitor.get(done_link(mail.outbox[0]))
    [calendar_link] = links(done, r"trial\.ics")
    ics = visitor.get(calendar_link)
    assert ics["Content-Type"] == "text/calendar; charset=utf-8"
    assert ics["Content-Disposition"] == 'attachment; filename="trial.ics"'
    body = ics.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    booking = TrialBooking.objects.get()
    utc = booking.starts_at.astimezone(UTC)
    assert f"DTSTART:{utc:%Y%m%dT%H%M%SZ}" in body
    assert "SUMMARY:Zumba (Demo Fitness Berlin)" in body
    assert "LOCATION:Kursraum 2\\, Demo Fitness Berlin\\, Torstraße 101\\, 10119 Berlin" in body.replace("\r\n ", "")
    assert re.search(r"UID:trial-\d+-demo@testserver", body)


def test_no_calendar_file_before_confirmation(visitor, confirmation_link):
    token = tokens.done_token(TrialBooking.objects.get().pk)
    assert visitor.get(f"/s/demo/trial/done/{token}/trial.ics").status_code == 404
    visitor.post(confirmation_link)
    assert visitor.get(f"/s/demo/trial/done/{token}/trial.ics").status_code == 200


def test_done_page_of_another_studio_is_not_shown(visitor, morning, demo_studio):
    from portal.models import Studio

    other = Studio.objects.create(name="Other", slug="other")
    send(visitor, choose_first_time(visitor, "Zumba"), lead_details("lea@example.org"))
    token = done_link(mail.outbox[0]).split("?")[0].rstrip("/").rsplit("/", 1)[1]
    assert visitor.get(f"/s/{other.slug}/trial/done/{token}/").status_code == 404


def test_german_is_the_default(visitor, morning):
    page = visitor.get("/s/demo/trial/")
    assert '<html lang="de">' in page.content.decode()
    assert (
        "Lernen Sie uns kennen" in text_of(page) and 'aria-label="Termin wählen: Hatha Yoga"' in page.content.decode()
    )
    form = choose_first_time(visitor, "Zumba", lang="de")
    assert "Telefonnummer" in text_of(form) and "Adresse (optional)" in text_of(form)
    sent = visitor.post("/s/demo/trial/book/", {"t": form_token(form), **lead_details("mia@example.com")})
    assert sent["Location"] == "/s/demo/trial/sent/"


def test_german_emails_and_links_keep_the_language(visitor, morning):
    form = choose_first_time(visitor, "Hatha Yoga", lang="de")
    visitor.post("/s/demo/trial/book/?lang=de", {"t": form_token(form), **lead_details("lea@example.org")})
    [email] = mail.outbox
    assert email.subject == "Bitte bestätigen Sie Ihr Probetraining"
    assert "Guten Tag Lea," in email.body and "vielen Dank für Ihre Probetraining-Buchung" in email.body
    link = re.search(r"http://testserver(/s/demo/trial/confirm/\S+/\?lang=de)", email.body).group(1)
    assert "Buchung bestätigen" in text_of(visitor.get(link))
