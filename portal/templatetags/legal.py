"""Wording the law fixes: §312k BGB requires the cancelation link and button of a studio in Germany to read
"Verträge hier kündigen" and "jetzt kündigen". On a page in another language that wording stays, marked as
German, with the page's translation beside it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def legal_wording(context: dict[str, Any], german: str, translated: str) -> SafeString:
    studio = context.get("studio")
    if get_language() == "de" or studio is None or not studio.in_germany:
        return format_html("{}", translated)
    return format_html('<span lang="de">{}</span> <span class="legal-translation">({})</span>', german, translated)
