"""The catalogs: every language but English complete (English is the source), nothing fuzzy, placeholders kept,
compiled .mo files in step with the .po files."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.portal.pofile import Entry, parse_po

BASE = Path(settings.BASE_DIR)
# The portal's own catalog and each app's (apps keep theirs next to their templates).
CATALOG_DIRS = [BASE / "locale", *sorted(p.parents[2] for p in BASE.glob("*/locale/de/LC_MESSAGES/django.po"))]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
LANGUAGES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = [code for code in LANGUAGES if code != "en"]
INFORMAL = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b", re.IGNORECASE)


def catalog(locale_dir: Path, language: str) -> list[Entry]:
    return [e for e in parse_po(locale_dir / language / "LC_MESSAGES" / "django.po") if not e.is_header]


def _name(locale_dir: Path) -> str:
    return str(locale_dir.relative_to(BASE))


def test_every_app_with_strings_has_a_catalog():
    names = {_name(d) for d in CATALOG_DIRS}
    assert {"locale", "trialoffers/locale", "selfservice/locale", "bookings/locale"} <= names


@pytest.mark.parametrize("locale_dir", CATALOG_DIRS, ids=_name)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalog_is_complete(locale_dir, language):
    untranslated = [e.msgid for e in catalog(locale_dir, language) if not e.translated]
    assert not untranslated, f"{language} translations missing for: {untranslated}"


@pytest.mark.parametrize("locale_dir", CATALOG_DIRS, ids=_name)
@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(locale_dir, language):
    for entry in catalog(locale_dir, language):
        if entry.msgid_plural:
            continue  # a singular form may say "one" instead of its %(count)s
        for msgstr in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


@pytest.mark.parametrize("locale_dir", CATALOG_DIRS, ids=_name)
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_entries(locale_dir, language):
    fuzzy = [e.msgid for e in catalog(locale_dir, language) if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in {language}: {fuzzy}"


@pytest.mark.parametrize("locale_dir", CATALOG_DIRS, ids=_name)
def test_german_keeps_placeholders_and_says_sie(locale_dir):
    for entry in catalog(locale_dir, "de"):
        for msgstr in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid
            assert not INFORMAL.search(msgstr), msgstr


@pytest.mark.parametrize("locale_dir", CATALOG_DIRS, ids=_name)
@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_the_po_file(locale_dir, language):
    """The .mo files are committed (a fresh machine may lack gettext): they must be recompiled after edits."""
    with (locale_dir / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalog(locale_dir, language):
        if not entry.translated:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            assert compiled.ngettext(key, entry.msgid_plural, 1) == entry.msgstr[0], entry.msgid
        else:
            assert compiled.gettext(key) == entry.msgstr[0], f"{language}: {entry.msgid!r} is not compiled"


def test_no_two_catalogs_translate_the_same_words_differently():
    """Django merges the catalogs and the first one wins: a shared msgid must read the same everywhere."""
    seen: dict[tuple, tuple[str, str]] = {}
    clashes = []
    for locale_dir in CATALOG_DIRS:
        for entry in catalog(locale_dir, "de"):
            if not entry.translated:
                continue
            key = (entry.msgctxt, entry.msgid)
            text = entry.msgstr[0]
            if key in seen and seen[key][1] != text:
                clashes.append((entry.msgid, seen[key], (_name(locale_dir), text)))
            seen.setdefault(key, (_name(locale_dir), text))
    assert not clashes, clashes


def test_the_parser_reads_multiline_plural_and_context_entries(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"Hello "\n"%(name)s"\nmsgstr "Hallo %(name)s"\n\n'
        'msgctxt "month"\nmsgid "May"\nmsgstr "Mai"\n\n'
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "eins"\nmsgstr[1] ""\n\n'
        '#~ msgid "gone"\n#~ msgstr "weg"\n',
        encoding="utf-8",
    )
    header, hello, may, plural = parse_po(po)
    assert header.is_header
    assert hello.msgid == "Hello %(name)s" and hello.flags == {"fuzzy", "python-format"} and hello.translated
    assert may.msgctxt == "month" and may.msgstr == {0: "Mai"}
    assert plural.msgid_plural == "many" and not plural.translated


def test_pages_are_german_by_default_and_english_with_lang(client, demo_studio):
    german = client.get("/s/demo/").content.decode()
    english = client.get("/s/demo/?lang=en").content.decode()
    assert '<html lang="de">' in german and "Probetraining" in german and "Sprache" in german
    assert '<html lang="en">' in english and "Trial training" in english and 'aria-label="Language"' in english
