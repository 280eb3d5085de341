"""Booking controls as a screen reader lists them: each named with its class (or appointment), day and time.

Fifty links called "Book" say nothing out of context (WCAG 2.4.4, 2.4.6). Each name starts with the words
the control shows, so voice control finds it by what it shows (WCAG 2.5.3); the visible words stay as they were.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.perfectgym import models as m
from tests.bookings.helpers import slot
from tests.bookings.test_appointments import first_free, type_id
from tests.bookings.test_book_class import book
from tests.portal.accessible_names import Control, items

SCHEDULE = "/s/demo/classes/"
ACTIONS = {
    "en": {"Book", "Join waiting list", "Cancel booking", "Leave waiting list"},
    "de": {"Buchen", "Auf die Warteliste", "Buchung stornieren", "Warteliste verlassen"},
}


def schedule_controls(html: str) -> list[tuple[str, str, Control]]:
    """(weekday of the day heading, start time, control) for every link or button in a slot of the schedule."""
    found = []
    for section in re.findall(r'<section class="sched-day".*?</section>', html, re.S):
        weekday = unescape(re.search(r"<h2 [^>]*>([^<,]+),", section)[1])
        for item in items(section, "sched-slot"):
            found.extend((weekday, item.time.strip(), control) for control in item.controls)
    return found


def assert_names_stand_alone(controls: list[tuple[str, str, Control]], lang: str) -> list[str]:
    names = []
    for weekday, start, control in controls:
        assert control.visible_text in ACTIONS[lang], control
        assert control.name.startswith(control.visible_text), (control.name, control.visible_text)
        assert weekday in control.name and start in control.name, (control.name, weekday, start)
        names.append(control.name)
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    return names


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_book_link_names_class_day_and_time(client, demo_studio, lang):
    html = client.get(f"{SCHEDULE}?lang={lang}").content.decode()
    names = assert_names_stand_alone(schedule_controls(html), lang)
    assert len(names) >= 20  # two weeks of classes: the report counted about fifty
    if lang == "en":
        cycling = slot(demo_studio, "Indoor Cycling")
        assert any(name.startswith("Book Indoor Cycling on ") for name in names)
        assert re.search(rf'id="slot-{cycling.id}">.*?aria-label="Book Indoor Cycling on [^"]+"', html, re.S)


def test_a_members_buttons_and_own_bookings_are_named_too(mia, mia_id, demo_studio, demo_client):
    pilates = slot(demo_studio, "Pilates Mat")
    hiit = slot(demo_studio, "HIIT Express", weekdays=range(5))  # full: Mia joins the waiting list
    demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=pilates.id))
    demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=hiit.id))
    controls = schedule_controls(mia.get(f"{SCHEDULE}?lang=en").content.decode())
    names = assert_names_stand_alone(controls, "en")
    assert {control.tag for _, _, control in controls} == {"a", "button"}
    assert any(name.startswith("Cancel booking for Pilates Mat on ") for name in names)
    assert any(name.startswith("Leave waiting list for HIIT Express on ") for name in names)
    assert sum(name.startswith("Book ") for name in names) >= 20


def test_the_slot_shown_in_place_after_booking_keeps_a_named_control(mia, demo_studio):
    pilates = slot(demo_studio, "Pilates Mat")
    row = book(mia, pilates.id, lang="en").content.decode()
    (item,) = items(row, "sched-slot")
    (cancel,) = item.controls
    assert cancel.visible_text == "Cancel booking"
    assert cancel.name.startswith("Cancel booking for Pilates Mat on ") and item.time.strip() in cancel.name


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_appointment_times_name_day_and_time(client, mia, demo_studio, demo_client, signed_in):
    probetraining = type_id(demo_client, "Probetraining")
    free = first_free(demo_studio, probetraining)
    browser = mia if signed_in else client
    page = browser.get(f"/s/demo/appointments/{probetraining}/?day={free.start:%Y-%m-%d}&lang=en")
    html = page.content.decode()
    weekday = unescape(re.search(r'<h2 id="slots-heading"[^>]*>([^<,]+),', html)[1])
    names = []
    for item in items(html, "sched-slot"):
        (control,) = item.controls
        assert control.tag == ("button" if signed_in else "a")
        assert control.visible_text.startswith("Book ")  # the hidden part is read as part of the text
        assert weekday in control.name and item.time.strip() in control.name, control.name
        names.append(control.name)
    assert len(names) >= 2 and len(names) == len(set(names))


def test_my_bookings_links_name_title_day_and_time(mia, mia_id, demo_studio, demo_client):
    """Two bookings of the same class must not share a link name."""
    first = slot(demo_studio, "Pilates Mat", days=range(1, 4))
    second = slot(demo_studio, "Pilates Mat", days=range(4, 7))
    for booked in (first, second):
        demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=booked.id))
    html = mia.get("/s/demo/account/bookings/?lang=en").content.decode()
    controls = [control for item in items(html, "booking") for control in item.controls]
    names = [control.name for control in controls]
    assert len(controls) == 4 and len(set(names)) == 4, names
    for control in controls:
        assert control.name.startswith(control.visible_text) and "Pilates Mat" in control.name, control.name
