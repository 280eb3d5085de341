"""Request guards for pages that live in a studio's iframe and work without cookies.

Django's CSRF protection needs a cookie, which Safari drops in third-party iframes. These views are
``csrf_exempt`` and protected instead by a signed form token (tokens.py) plus an Origin check here:
a POST must come from the portal's own origin or one of the studio's allowed embed origins.
Framing itself (frame-ancestors per studio) is the shared SecurityHeadersMiddleware's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from portal.models import Studio

View = TypeVar("View", bound=Callable[..., HttpResponse])

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request: HttpRequest, studio: Studio) -> set[str]:
    own = f"{request.scheme}://{request.get_host()}".lower()
    others = [*studio.embed_origins, *getattr(settings, "CSRF_TRUSTED_ORIGINS", [])]
    return {own} | {origin.lower().rstrip("/") for origin in others if _ORIGIN.match(origin.rstrip("/"))}


def origin_allowed(request: HttpRequest, studio: Studio) -> bool:
    """The POST's Origin (or, without one, its Referer) is ours or the studio's embedding site."""
    origin = request.headers.get("Origin", "")
    if not origin or origin == "null":
        origin = _origin_of(request.headers.get("Referer", ""))
    return bool(origin) and origin.lower() in allowed_origins(request, studio)


def cookieless(view: View) -> View:
    """The response sets no cookie of ours.

    The base template asks for a CSRF token (for htmx on other pages), which would set the CSRF
    cookie; the journey never reads it, and a browser that refuses it must see the same pages.
    (An explicit ``?lang=`` still sets the language cookie: links here carry ``lang`` on instead.)
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response

    return cast(View, wrapper)
