from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from portal.theme import csp_hash, theme_css


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "Deutsch", "English"
    url: str
    current: bool


def language_links(request) -> list[LanguageLink]:
    """Links to the same page in each language; other query parameters are kept."""
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append(
            LanguageLink(
                code=code,
                name=translation.get_language_info(code)["name_local"],
                url=f"?{query.urlencode()}",
                current=code == current,
            )
        )
    return links


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def studio_nav(request, home_url: str) -> list[NavLink]:
    """The studio's main areas. Plain paths below the studio's home: each area's app owns its URLs."""
    items = [
        (_("Trial training"), "trial/"),
        (_("Classes"), "classes/"),
        (_("Appointments"), "appointments/"),
        (_("My account"), "account/"),
    ]
    return [
        NavLink(label=label, url=home_url + suffix, current=request.path.startswith(home_url + suffix))
        for label, suffix in items
    ]


def portal(request) -> dict:
    studio = getattr(request, "studio", None)
    # Pages of later areas (trial, classes, account, cancel) hang below this path.
    home_url = reverse("studio-home", kwargs={"slug": studio.slug}) if studio else ""
    theme = ""
    if studio is not None:
        theme = theme_css(studio)
        # SecurityHeadersMiddleware allows exactly this inline style by its hash.
        request.csp_style_hashes = [csp_hash(theme)]
    return {
        "studio": studio,
        "theme_css": mark_safe(theme),  # noqa: S308  (colours validated and re-checked in theme_css)
        "studio_home_url": home_url,
        "studio_nav": studio_nav(request, home_url) if studio else [],
        "available_languages": settings.LANGUAGES,
        "language_links": language_links(request),
    }
