"""The portal's own pages: studio list, studio home, health check and error pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from portal.http import StudioRequest
from portal.models import Studio
from portal.pagecache import public_page
from portal.services import studio_home as studio_home_page
from portal.studios import studio_or_404


@require_GET
def studio_list(request: HttpRequest) -> HttpResponse:
    studios = list(Studio.objects.filter(is_active=True))
    if len(studios) == 1:
        return redirect("studio-home", slug=studios[0].slug)
    return render(request, "portal/studio_list.html", {"studios": studios})


@require_GET
@public_page
def studio_home(request: StudioRequest, slug: str) -> HttpResponse:
    studio = studio_or_404(request, slug)
    overview, occupancy = studio_home_page(studio)
    return render(request, "portal/studio_home.html", {"studio": studio, "overview": overview, "occupancy": occupancy})


@require_GET
@cache_control(max_age=3600, public=True)
def studio_logo(request: StudioRequest, slug: str) -> HttpResponse:
    studio = studio_or_404(request, slug)
    if not studio.logo:
        return HttpResponse(status=404)
    return HttpResponse(bytes(studio.logo), content_type=studio.logo_content_type or "image/png")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and the database is reachable."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001  (any database failure means "not healthy")
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database queries that could fail again: a self-contained page.
    return HttpResponse(loader.get_template("errors/500.html").render({"request": request}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)


_EMBED_SCRIPT: bytes | None = None


@require_GET
@cache_control(max_age=300, public=True)
def embed_script(request: HttpRequest) -> HttpResponse:
    """``/embed.js``: the one script a studio pastes into its website (static/portal/embed.js)."""
    global _EMBED_SCRIPT
    if _EMBED_SCRIPT is None or settings.DEBUG:
        path = finders.find("portal/embed.js")
        if not isinstance(path, str):  # collectstatic without the portal's static files: nothing to serve
            raise Http404("embed.js is missing")
        with open(path, "rb") as handle:
            _EMBED_SCRIPT = handle.read()
    response = HttpResponse(_EMBED_SCRIPT, content_type="text/javascript; charset=utf-8")
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
