"""Whole schedule pages for visitors who are not signed in, rendered once per data version.

A public schedule page is the same for every anonymous visitor who asks for the same URL in the
same language: it is cached per process keyed by exactly what it varies on (studio and its
settings, language, time zone, full path with the filters, HTMX fragment or page, the versions of
the cached upstream data, the current minute). The one per-visitor part, the CSRF token in the
page shell, is rendered as a placeholder and filled in per response (``get_token`` also sets the
cookie as usual). Requests that carry a session or flash messages are never served from here.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render as render_page
from django.template.loader import render_to_string
from django.utils import timezone, translation

SIZE = 256
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"

# (html, CSP hashes of its inline styles): the page's render sets request.csp_style_hashes for the
# Content-Security-Policy header (portal.theme); a page served from here must set them again.
_pages: OrderedDict[tuple, tuple[str, tuple[str, ...]]] = OrderedDict()
_lock = threading.Lock()


def usable(request) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def key(request, studio, signature: tuple, htmx: bool) -> tuple:
    return (
        studio.pk,
        studio.updated_at,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        request.get_full_path(),
        htmx,
        signature,
    )


def get(page_key: tuple) -> tuple[str, tuple[str, ...]] | None:
    with _lock:
        page = _pages.get(page_key)
        if page is not None:
            _pages.move_to_end(page_key)
        return page


def put(page_key: tuple, html: str, style_hashes: tuple[str, ...] = ()) -> None:
    with _lock:
        _pages[page_key] = (html, style_hashes)
        while len(_pages) > SIZE:
            _pages.popitem(last=False)


def with_token(html: str, request) -> str:
    return html.replace(CSRF_PLACEHOLDER, get_token(request)) if CSRF_PLACEHOLDER in html else html


def render(request, template: str, context: Callable[[], dict], *, studio, signature: tuple) -> HttpResponse:
    """The page from the memo when this visitor may share it, else rendered (and kept when shareable)."""
    if not usable(request):
        return render_page(request, template, context())
    page_key = key(request, studio, (template, signature), bool(request.htmx))
    page = get(page_key)
    if page is None:
        html = render_to_string(template, {**context(), "csrf_token": CSRF_PLACEHOLDER}, request=request)
        page = (html, tuple(getattr(request, "csp_style_hashes", ())))
        put(page_key, *page)
    html, style_hashes = page
    if style_hashes:
        request.csp_style_hashes = list(style_hashes)
    return HttpResponse(with_token(html, request))


def clear() -> None:
    with _lock:
        _pages.clear()
