from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.middleware import CSP_STYLE_HASHES
from portal.models import Studio
from portal.theme import csp_hash, theme_css


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "Deutsch", "English"
    url: str
    current: bool


def language_links(request: HttpRequest) -> list[LanguageLink]:
    """Links to the same page in each language the studio enabled; other query parameters are kept."""
    current = translation.get_language()
    studio = getattr(request, "studio", None)
    enabled = studio.enabled_languages if studio is not None else [code for code, _name in settings.LANGUAGES]
    links = []
    for code in enabled:
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


# The studio's main areas, by URL name: each area's app owns its URLs.
NAV_AREAS = (
    (gettext_lazy("Trial training"), "trialoffers:offers"),
    (gettext_lazy("Classes"), "bookings-schedule"),
    (gettext_lazy("Appointments"), "bookings-appointments"),
    (gettext_lazy("My account"), "selfservice:account"),
)


def studio_nav(request: HttpRequest, studio: Studio) -> list[NavLink]:
    """The studio's main areas; the one the request is in is ``current``."""
    links = []
    for label, url_name in NAV_AREAS:
        url = reverse(url_name, kwargs={"slug": studio.slug})
        links.append(NavLink(label=str(label), url=url, current=request.path.startswith(url)))
    return links


def portal(request: HttpRequest) -> dict[str, Any]:
    studio = getattr(request, "studio", None)
    home_url = reverse("studio-home", kwargs={"slug": studio.slug}) if studio else ""
    theme = ""
    if studio is not None:
        theme = theme_css(studio)
        # SecurityHeadersMiddleware allows exactly this inline style by its hash.
        request.META[CSP_STYLE_HASHES] = [csp_hash(theme)]
    return {
        "studio": studio,
        "theme_css": mark_safe(theme),  # noqa: S308  (colours validated and re-checked in theme_css)
        "studio_home_url": home_url,
        "studio_nav": studio_nav(request, studio) if studio else [],
        "available_languages": settings.LANGUAGES,
        "language_links": language_links(request),
    }
