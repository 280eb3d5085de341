"""Text the studio wrote is marked with its language where the page speaks another one (WCAG 3.1.2).

The API is read in the studio's language (the demo studio's is German), so on an English page category
and room names, descriptions and closure reasons are German and must say so for screen readers; on a
German page they need no mark of their own.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.perfectgym.datetimes import format_api_datetime
from sandbox.store import Store

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(frozen=True)
class Text:
    text: str
    tag: str  # the element holding the text
    lang: str  # the language a screen reader speaks it in: the nearest lang attribute
    marked_by: str  # the element that carries that lang attribute ("html" for the page's own)


class LanguageOfText(HTMLParser):
    """Every text of a page with the language it is in, by the nearest ``lang`` attribute around it."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.texts: list[Text] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text or not self.open:
            return
        marked_by, lang = next(((tag, lang) for tag, lang in reversed(self.open) if lang), ("", ""))
        self.texts.append(Text(text, self.open[-1][0], lang, marked_by))


def texts_of(html: str) -> list[Text]:
    parser = LanguageOfText()
    parser.feed(html)
    return parser.texts


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def category_options(html: str) -> list[str]:
    select = re.search(r'<select id="filter-category".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r"<option[^>]*>[^<]*</option>", select.group(0))[1:]  # after "All categories"


def test_category_and_room_names_are_marked_german_on_an_english_schedule(client, demo_studio):
    html = page(client, "/s/demo/classes/?lang=en")
    options = category_options(html)
    assert options
    assert all(' lang="de"' in option for option in options), options
    rooms = [t for t in texts_of(html) if t.text == "Kursraum 1"]
    assert rooms
    assert {(t.lang, t.marked_by) for t in rooms} == {("de", "span")}
    # The page's own words and proper names stay in the page's language.
    headings = [t for t in texts_of(html) if t.text == "Class schedule"]
    assert headings
    assert {t.lang for t in headings} == {"en"}


def test_nothing_extra_is_marked_on_a_german_schedule(client, demo_studio):
    html = page(client, "/s/demo/classes/?lang=de")
    assert not any("lang=" in option for option in category_options(html))
    rooms = [t for t in texts_of(html) if "Kursraum 1" in t.text]  # "Instructor · Kursraum 1": one text
    assert rooms
    assert {(t.lang, t.marked_by) for t in rooms} == {("de", "html")}


def test_closure_reason_and_description_are_marked_on_the_english_home_page(client, demo_studio):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    day = datetime.date(2030, 3, 4)
    store = Store(demo_studio)
    info = store.all("studio_info")[0]
    info["closingHours"] = [
        {
            "reason": "Grundreinigung",
            "dateTimeFrom": format_api_datetime(datetime.datetime.combine(day, datetime.time(8), berlin)),
            "dateTimeTo": format_api_datetime(datetime.datetime.combine(day, datetime.time(14), berlin)),
        }
    ]
    store.save("studio_info", info)

    english = {t.text: t for t in texts_of(page(client, "/s/demo/?lang=en"))}
    assert english["Grundreinigung"].lang == "de"
    assert english["Ein freundliches Studio mit Kursen, Personal Training und Sauna."].lang == "de"
    assert english["Demo Fitness Berlin"].lang == "en"  # a name, not German

    german = {t.text: t for t in texts_of(page(client, "/s/demo/?lang=de"))}
    assert german["Grundreinigung"].marked_by == "html"


def test_trial_offer_description_is_marked_on_an_english_page(client, demo_studio):
    offers = page(client, "/s/demo/trial/?lang=en")
    assert re.search(r'<a id="category-\d+"[^>]* lang="de"[^>]*>Yoga</a>', offers)  # the category chips
    link = re.search(r'href="(/s/demo/trial/class/\d+/\?lang=en)"', offers)
    assert link is not None
    described = [t for t in texts_of(page(client, link.group(1))) if t.tag == "p" and t.text.endswith(".")]
    description = next(t for t in described if t.marked_by == "p")
    assert description.lang == "de"
    german = page(client, link.group(1).replace("lang=en", "lang=de"))
    assert description.text in german
    assert not any(t.marked_by == "p" for t in texts_of(german))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", '<span lang="de">Kursraum &lt;2&gt;</span>'), ("de", "Kursraum &lt;2&gt;")],
)
def test_studio_text_escapes_and_marks_only_a_foreign_language(demo_studio, language, expected):
    template = Template("{% load studio_text %}{% studio_text room %}|<p{% studio_lang %}>")
    with translation.override(language):
        rendered = template.render(Context({"studio": demo_studio, "room": "Kursraum <2>"}))
    assert rendered == expected + ('|<p lang="de">' if language == "en" else "|<p>")


def test_no_studio_marks_nothing(db):
    with translation.override("en"):
        rendered = Template("{% load studio_text %}<p{% studio_lang %}>{% studio_text room %}</p>").render(
            Context({"room": "Kursraum 2"})
        )
    assert rendered == "<p>Kursraum 2</p>"
