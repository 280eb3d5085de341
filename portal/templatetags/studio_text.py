"""Marks text the studio wrote (read from the API in its language) when the page is in another language.

The API is read in the studio's default language (``portal.reads``), so category and room names,
descriptions and closure reasons stay in that language on an English page. Screen readers pronounce
them right only when they carry ``lang`` (WCAG 3.1.2). Proper names (the studio's, instructors')
need no mark.

- ``<p{% studio_lang %}>{{ text }}</p>``: the attribute for an element that holds only such text;
- ``{% studio_text value %}``: the value escaped, in a ``<span lang=...>`` when the languages differ,
  for such text inside a sentence of the page's language.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

register = template.Library()


def _primary(code: str) -> str:
    return code.split("-")[0].lower()


def studio_language_if_foreign(studio: Any) -> str | None:
    """The studio's default language when the page is in another one, else None."""
    studio_language = getattr(studio, "default_language", None)
    page_language = translation.get_language()
    if not studio_language or not page_language or _primary(studio_language) == _primary(page_language):
        return None
    return str(studio_language)


@register.simple_tag(takes_context=True)
def studio_lang(context: template.Context) -> SafeString:
    """`` lang="de"`` when the page's language is not the studio's, else nothing."""
    language = studio_language_if_foreign(context.get("studio"))
    return format_html(' lang="{}"', language) if language else SafeString("")


@register.simple_tag(takes_context=True)
def studio_text(context: template.Context, value: Any) -> SafeString:
    """``value`` escaped; wrapped in ``<span lang="de">`` when the page's language is not the studio's."""
    language = studio_language_if_foreign(context.get("studio"))
    if not language or value in (None, ""):
        return conditional_escape("" if value is None else value)
    return format_html('<span lang="{}">{}</span>', language, value)
