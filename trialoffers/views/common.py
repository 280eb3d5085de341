"""What the trial journey and voucher views share: the studio, language, URLs, problems, POST guards."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.http import StudioRequest
from portal.models import Studio
from portal.studios import studio_or_404
from trialoffers import services
from trialoffers.forms import HONEYPOT
from trialoffers.guards import origin_allowed


# --- Helpers --------------------------------------------------------------------------------------
def studio_for(request: StudioRequest, slug: str) -> Studio:
    studio = studio_or_404(request, slug)
    request.studio = studio  # the embed headers (guards.embeddable) read it
    return studio


def lang_params(request: StudioRequest) -> dict[str, str]:
    """Without cookies an explicit ?lang= would be forgotten on the next page: links carry it on."""
    asked = request.GET.get("lang", "")[:5].lower()
    if asked not in {code for code, _name in settings.LANGUAGES}:
        return {"lang_q": "", "lang_amp": ""}
    return {"lang_q": f"?lang={asked}", "lang_amp": f"&lang={asked}"}


def page_url(request: StudioRequest, name: str, **kwargs: Any) -> str:
    """This studio's page ``trialoffers:<name>``, keeping the visitor's explicit language."""
    path = reverse(f"trialoffers:{name}", kwargs={"slug": request.studio.slug, **kwargs})
    return path + lang_params(request)["lang_q"]


def page_context(request: StudioRequest, studio: Studio, **extra: Any) -> dict[str, Any]:
    return {"studio": studio, **lang_params(request), **extra}


def links_for(request: StudioRequest) -> services.Links:
    return services.Links(settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/"))


def problem_page(request: StudioRequest, studio: Studio, text: str, *, status: int) -> HttpResponse:
    return render(request, "trialoffers/problem.html", page_context(request, studio, text=text), status=status)


def foreign_post(request: StudioRequest, studio: Studio) -> HttpResponse | None:
    """The page that refuses a POST from another site; None when it may go ahead."""
    if origin_allowed(request, studio):
        return None
    return problem_page(request, studio, _("This form may only be sent from the studio's own pages."), status=403)


def refused_post(request: StudioRequest, studio: Studio) -> HttpResponse | None:
    """The page that refuses a POST from another site or one a bot filled in; None when it may go ahead."""
    if request.POST.get(HONEYPOT) and origin_allowed(request, studio):
        return problem_page(request, studio, _("Your request could not be processed."), status=400)
    return foreign_post(request, studio)


def offer_url(studio: Studio, kind: str, offer_id: int) -> str:
    return reverse(f"trialoffers:{kind}", kwargs={"slug": studio.slug, "offer_id": offer_id})


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
