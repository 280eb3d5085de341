"""Cross-cutting request handling: upstream timing, security headers, language."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from portal.lib.crypto import DecryptionError
from portal.perfectgym.timing import UpstreamTimer, current_timer

if TYPE_CHECKING:
    from portal.models import Studio

logger = logging.getLogger("portal.middleware")

SUPPORTED_LANGUAGES = {code for code, _ in settings.LANGUAGES}
STUDIO_PATH = re.compile(r"^/s/([-a-zA-Z0-9_]+)/")
GetResponse = Callable[[HttpRequest], HttpResponse]
# Where a page puts the hashes of its inline styles (kept with the request, like Django's CSRF_COOKIE).
CSP_STYLE_HASHES = "portal.csp_style_hashes"


class UpstreamTimingMiddleware:
    """Adds ``Server-Timing: upstream;dur=12.3;desc="2 calls"`` to every response.

    The timer stays on ``request.upstream_timer`` for the request log line (portal.requestlog).
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timer = UpstreamTimer()
        request.upstream_timer = timer  # type: ignore[attr-defined]  # read by portal.requestlog
        token = current_timer.set(timer)
        try:
            response = self.get_response(request)
        finally:
            current_timer.reset(token)
        response["Server-Timing"] = timer.header_value()
        return response


class SecurityHeadersMiddleware:
    """A Content-Security-Policy with no inline scripts and no third-party sources.

    Studio pages may be framed by the studio's own website (its allowed embed
    origins, set in admin) and by the portal itself (the admin's live preview);
    every other page stays unframable.
    """

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'{style_hashes}; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
    )

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            return response  # Django's admin keeps X-Frame-Options: DENY and its own scripts
        studio = getattr(request, "studio", None)
        if studio is None and response.status_code == 404 and not hasattr(request, "studio"):
            # An address below a studio that matched no view: its "not found" page shows inside the
            # studio's frame too, instead of the browser's refusal (a blank frame).
            studio = _studio_of_path(request.path)
        if studio is not None:
            ancestors = " ".join(["'self'", *studio.embed_origins])
            # frame-ancestors replaces X-Frame-Options, which cannot name other origins.
            if "X-Frame-Options" in response:
                del response["X-Frame-Options"]
        else:
            ancestors = "'none'"
        if "Content-Security-Policy" not in response:
            hashes = "".join(f" {h}" for h in request.META.get(CSP_STYLE_HASHES, ()))
            policy = self.POLICY.format(style_hashes=hashes)
            response["Content-Security-Policy"] = f"{policy}; frame-ancestors {ancestors}"
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class UnreadableApiKeyMiddleware:
    """A studio whose stored API key no longer decrypts shows "not available", not a server error.

    That happens when SECRET_KEY changes without PORTAL_ENCRYPTION_KEY; staff see it in admin and
    enter the key again. Every page of the studio needs the key, so this is one place for all apps.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DecryptionError):
            return None
        studio = getattr(request, "studio", None)
        logger.warning("studio api key cannot be decrypted studio=%s", getattr(studio, "pk", "-"))
        return render(request, "errors/unavailable.html", status=503)


def _studio_of_path(path: str) -> Studio | None:
    match = STUDIO_PATH.match(path)
    if not match:
        return None
    from portal.studios import get_active_studio

    return get_active_studio(match.group(1))


def language_from_request(
    request: HttpRequest, studio_default: str | None = None, enabled: Collection[str] | None = None
) -> str:
    """``?lang=`` wins, then the language cookie, then the browser, then the studio's default; each only
    when it is one of ``enabled`` (a studio's languages; every language the portal speaks without one)."""
    allowed = SUPPORTED_LANGUAGES if enabled is None else SUPPORTED_LANGUAGES.intersection(enabled)
    asked = request.GET.get("lang", "")[:5].lower()
    if asked in allowed:
        return asked
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in allowed:
        return cookie
    accept = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if accept:
        for part in accept.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in allowed:
                return code
    return studio_default or settings.LANGUAGE_CODE


class StudioLocaleMiddleware:
    """Activates the language; studio pages refine it with the studio's default in ``process_view``."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        asked = request.GET.get("lang", "")[:5].lower()
        # Only when it changes: a response that sets a cookie is private, and these links carry ?lang= on.
        if asked in SUPPORTED_LANGUAGES and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != asked:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                asked,
                max_age=365 * 24 * 3600,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a str in settings
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
        response.headers.setdefault("Content-Language", translation.get_language())
        patch_vary = response.get("Vary", "")
        if "Accept-Language" not in patch_vary:
            response["Vary"] = ", ".join(filter(None, [patch_vary, "Accept-Language", "Cookie"]))
        return response

    def process_view(self, request: HttpRequest, view: object, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        slug = kwargs.get("slug")
        if not slug:
            return None
        from portal.studios import get_active_studio

        studio = get_active_studio(slug)
        request.studio = studio  # type: ignore[attr-defined]  # None too: the views answer 404 then
        if studio is not None:
            language = language_from_request(request, studio.default_language, studio.enabled_languages)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return None
