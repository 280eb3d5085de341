"""The catalogs: German complete, nothing fuzzy, compiled .mo files in step with the .po files."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.portal.pofile import Entry, parse_po

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def catalog(language: str) -> list[Entry]:
    return [e for e in parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po") if not e.is_header]


def test_german_catalog_is_complete():
    untranslated = [e.msgid for e in catalog("de") if not e.translated]
    assert not untranslated, f"German translations missing for: {untranslated}"


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_fuzzy_entries(language):
    fuzzy = [e.msgid for e in catalog(language) if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in {language}: {fuzzy}"


def test_german_translations_keep_their_placeholders():
    for entry in catalog("de"):
        for msgstr in entry.msgstr.values():
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid


@pytest.mark.parametrize("language", ["de", "en"])
def test_compiled_catalog_matches_the_po_file(language):
    """The .mo files are committed (a fresh machine may lack gettext): they must be recompiled after edits."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalog(language):
        if not entry.translated:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            assert compiled.ngettext(key, entry.msgid_plural, 1) == entry.msgstr[0], entry.msgid
        else:
            assert compiled.gettext(key) == entry.msgstr[0], f"{language}: {entry.msgid!r} is not compiled"


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
