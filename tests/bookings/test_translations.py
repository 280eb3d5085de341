"""The bookings area's own catalog: German complete, nothing fuzzy, compiled in step with the .po files."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.portal.pofile import Entry, parse_po

LOCALE_DIR = Path(settings.BASE_DIR) / "bookings" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def catalog(language: str) -> list[Entry]:
    return [e for e in parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po") if not e.is_header]


def test_german_is_complete():
    untranslated = [e.msgid for e in catalog("de") if not e.translated]
    assert not untranslated, f"German translations missing for: {untranslated}"


@pytest.mark.parametrize("language", ["de", "en"])
def test_nothing_is_fuzzy(language):
    assert not [e.msgid for e in catalog(language) if "fuzzy" in e.flags]


def test_placeholders_survive_translation():
    for entry in catalog("de"):
        for msgstr in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_compiled_catalog_matches(language):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalog(language):
        if not entry.translated:
            continue
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr[0], entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], entry.msgid


def test_members_are_addressed_formally():
    informal = re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE)
    for entry in catalog("de"):
        for msgstr in entry.msgstr.values():
            assert not informal.search(msgstr), msgstr
