"""Step 2's time links, as a screen reader lists them: every link named with its offer, day and time.

A page of nine links all called "Choose" tells a screen reader user nothing (WCAG 2.4.4, 2.4.6); each
name starts with the words on the link, so voice control finds it by what it shows (WCAG 2.5.3).
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.portal.accessible_names import items
from tests.trialoffers.conftest import links, offer_link

OFFERS = (
    "Hatha Yoga",
    "Indoor Cycling",
    "Zumba",
    "Pilates Mat",
    "Vinyasa Flow",
    "HIIT Express",
    "Probetraining",
    "Körperanalyse (InBody)",
)


def time_links(response) -> list:
    """The slot items that have a time link, each with its link (a control leading to the form)."""
    found = []
    for item in items(response.content.decode(), "slot"):
        chosen = [c for c in item.controls if "/trial/book/?t=" in c.attrs.get("href", "")]
        if chosen:
            assert len(chosen) == 1, item
            found.append((item, chosen[0]))
    return found


def day_heading(response) -> str:
    return unescape(re.search(r'<h3 class="slot-day">([^<]+)</h3>', response.content.decode())[1])


def assert_names_stand_alone(response, title: str) -> int:
    """Every time link on the page: a name that says offer, weekday and time, and no two the same."""
    weekday = day_heading(response).split(",")[0]
    names = []
    for item, link in time_links(response):
        start = " ".join(item.time.split())
        assert link.name, f"{title} {start}: the link has no name"
        assert link.name.startswith(link.visible_text), (link.name, link.visible_text)
        assert title in link.name and weekday in link.name and start in link.name, link.name
        names.append(link.name)
    assert len(names) == len(set(names)), names
    return len(names)


@pytest.mark.parametrize("title", OFFERS)
def test_each_time_link_names_offer_day_and_time(visitor, morning, title):
    page = visitor.get(offer_link(visitor, title))
    assert page.status_code == 200
    shown = assert_names_stand_alone(page, title)
    for day in links(page, r"\?day=")[1:4]:  # a few more days, as a visitor clicks through them
        shown += assert_names_stand_alone(visitor.htmx_get(day), title)
    assert shown, f"{title}: no bookable time in the first days"


def test_the_appointment_offer_has_nine_different_names(visitor, morning):
    """The report: an appointment's day of times, once nine identical "Choose" links."""
    page = visitor.get(offer_link(visitor, "Probetraining"))
    named = [link.name for _, link in time_links(page)]
    assert len(named) >= 2 and len(set(named)) == len(named)
    assert named[0].startswith("Choose Probetraining on ")


def test_waiting_list_links_say_what_they_join(visitor, morning):
    page = visitor.get(offer_link(visitor, "HIIT Express"))
    for day in links(page, r"\?day="):
        day_page = visitor.get(day)
        waiting = [link for item, link in time_links(day_page) if "slot-waiting_list" in item.classes]
        if waiting:
            break
    else:
        pytest.fail("no waiting-list time for HIIT Express in two weeks")
    assert_names_stand_alone(day_page, "HIIT Express")
    assert waiting[0].visible_text == "Join the waiting list"
    assert waiting[0].name.startswith("Join the waiting list for HIIT Express on ")


def test_names_in_german_are_distinct_and_carry_the_time(visitor, morning):
    page = visitor.get(offer_link(visitor, "Zumba", "de"))
    assert assert_names_stand_alone(page, "Zumba")
