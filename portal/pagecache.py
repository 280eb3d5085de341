"""Anonymous pages: HTTP caching headers, and the rendered page kept in the shared cache for a few seconds.

A page a visitor who is not signed in sees is the same for every such visitor (same studio, address,
language and HTMX target), so it is rendered once and served from the shared cache for
``PUBLIC_PAGE_SECONDS``: on a hit nothing else runs (no session, no database, no upstream read, no
thread hand-off), which keeps warm pages near what Django can serve at all.

- A view opts in with ``@public_page``. It stays a public page only for a visitor with no session and
  no pending message (no ``sessionid`` or ``messages`` cookie), and only when the response is a 200
  that sets no cookie. Such a response carries an ETag, ``Cache-Control: public, max-age=0,
  s-maxage=…, stale-while-revalidate=…, stale-if-error=…`` and ``Vary`` naming exactly what the
  key below is made of; ``If-None-Match`` gets a 304.
- Every other response below ``/s/`` is ``private, no-store`` (member data, CSRF tokens, form tokens,
  cookies), unless its view set its own ``Cache-Control`` (a logo, a calendar feed).
- What is kept: the bytes and headers, under the studio, path, query, language and HTMX headers, with
  the studio's page generation. Every write that changes a cached read (``portal.reads.invalidate``)
  bumps the generation, so the next visitor gets it rendered again; otherwise a page is fresh for
  ``PUBLIC_PAGE_SECONDS`` (reads refresh behind it as usual on the next render). An expired or outdated
  page is rendered again by one request while the others get the kept one, for at most
  ``PUBLIC_PAGE_STALE_SECONDS`` more (no herd of renders when a popular page expires). Each process also
  keeps its own copy of a page for ``PUBLIC_PAGE_LOCAL_SECONDS`` (1 s): most hits need no round trip.
- A public page must hold nothing of one visitor: no CSRF token (``base.html`` leaves it out when
  ``request.public_page``), no per-visitor nonce (the trial and voucher forms derive theirs on the
  first POST), no counter that must see every view (``count_hits`` replays it on a hit).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

from portal.middleware import STUDIO_PATH, language_from_request

logger = logging.getLogger("portal.pagecache")

# The request headers a public page's bytes depend on (besides the address): the language and htmx.
VARY = ("Accept-Language", "Cookie", "HX-Request", "HX-Target", "HX-History-Restore-Request")
# Response headers that belong to one response only, never replayed from the cache.
NOT_KEPT = {"set-cookie", "server-timing", "date", "content-length"}
NOT_IN_304 = {"content-type", "content-length"}
View = Callable[..., HttpResponse]
_hit_counters: dict[str, Callable[[str], None]] = {}


def seconds() -> int:
    """How long shared caches, and this one, may keep a public page (``s-maxage``)."""
    return int(getattr(settings, "PUBLIC_PAGE_SECONDS", 10))


def keeping() -> bool:
    """Whether the portal keeps public pages itself (the headers are sent either way)."""
    return bool(getattr(settings, "PUBLIC_PAGE_CACHE", True)) and seconds() > 0


# --- Who gets public pages ---------------------------------------------------------------------------
def anonymous(request: HttpRequest) -> bool:
    """No session and no message waiting: what this visitor sees is what every such visitor sees."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in (
        cookies
    )


def public_page(view: View) -> View:
    """The page is the same for every visitor who is not signed in (see the module docstring)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.public_page = anonymous(request)  # type: ignore[attr-defined]  # read by base.html and below
        return view(request, *args, **kwargs)

    return wrapper


def register_hit_counter(name: str, count: Callable[[str], None]) -> None:
    """``count(studio slug)`` is replayed for every cache hit of a page that called ``count_hits(name)``."""
    _hit_counters[name] = count


def count_hits(request: HttpRequest, name: str) -> None:
    """This page counts a view each time it is shown (the funnel): also when it comes from the cache."""
    request.page_hit_counters = [*getattr(request, "page_hit_counters", []), name]  # type: ignore[attr-defined]


# --- The cache ------------------------------------------------------------------------------------------
def _generation_key(slug: str) -> str:
    return f"page:gen:{slug}"


def bump(slug: str) -> None:
    """The studio's cached pages are out of date (a write changed what they show)."""
    cache.set(_generation_key(slug), uuid.uuid4().hex, timeout=None)
    prefix = f"page:{slug}:"
    for key in [key for key in list(_local) if key.startswith(prefix)]:
        _local.pop(key, None)


def _language(request: HttpRequest) -> str:
    return language_from_request(request, "~")  # "~": the studio's default, whichever it is


def _page_key(request: HttpRequest, slug: str) -> str:
    parts = [
        request.path,
        request.META.get("QUERY_STRING", ""),
        _language(request),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
        request.headers.get("HX-History-Restore-Request", ""),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"page:{slug}:{digest}"


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return bool(wanted) and (wanted.strip() == "*" or etag in parse_etags(wanted))


def _public_headers(response: HttpResponse) -> None:
    stale = int(getattr(settings, "PUBLIC_PAGE_STALE_SECONDS", 30))
    on_error = int(getattr(settings, "PUBLIC_PAGE_STALE_IF_ERROR_SECONDS", 600))
    if "Cache-Control" in response:
        del response["Cache-Control"]
    response["Cache-Control"] = (
        f"public, max-age=0, s-maxage={seconds()}, stale-while-revalidate={stale}, stale-if-error={on_error}"
    )
    response["Vary"] = ", ".join(VARY)


def _from_entry(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    request.kept_page_route = entry.get("route")  # type: ignore[attr-defined]  # for the request log
    response: HttpResponse = entry["response"]  # unpickled: a new object, its headers checked when kept
    if _not_modified(request, entry["etag"]):
        response = _not_modified_response(response)
    response["Server-Timing"] = 'upstream;dur=0.0;desc="0 calls", page;desc="cache hit"'
    for name in entry.get("counters", ()):
        count = _hit_counters.get(name)
        if count is not None:
            count(entry["slug"])
    return response


def _fresh(entry: dict[str, Any], generation: Any) -> bool:
    return entry["gen"] == generation and time.time() < entry["until"]


# This process's copies of the pages it served last (pickled, so each hit gets its own response object): a
# page checked against the shared cache less than PUBLIC_PAGE_LOCAL_SECONDS ago is served from memory, with
# no round trip at all. Another process's write reaches these copies within that second; this process's own
# writes drop them at once (``bump``).
LOCAL_PAGES = 512
_local: dict[str, tuple[float, bytes]] = {}


def _local_seconds() -> float:
    return float(getattr(settings, "PUBLIC_PAGE_LOCAL_SECONDS", 1.0))


def _recent(key: str) -> dict[str, Any] | None:
    found = _local.get(key)
    if found is None or time.monotonic() - found[0] >= _local_seconds():
        return None
    entry: dict[str, Any] = pickle.loads(found[1])  # noqa: S301  (bytes this process pickled itself)
    return entry if time.time() < entry["until"] else None


def _remember(key: str, entry: dict[str, Any]) -> None:
    if _local_seconds() <= 0:
        return
    if len(_local) >= LOCAL_PAGES:
        _local.clear()
    _local[key] = (time.monotonic(), pickle.dumps(entry, pickle.HIGHEST_PROTOCOL))


def forget() -> None:
    """Drop this process's copies (the test suite starts every test without them)."""
    _local.clear()


def _take_render_lock(key: str) -> bool:
    """One request renders an expired page again; the others are answered with the kept one meanwhile
    (no herd of renders each time a popular page expires)."""
    return bool(cache.add(f"{key}:rendering", 1, timeout=10))


def _not_modified_response(response: HttpResponse) -> HttpResponse:
    """304 with the page's headers (ETag, Cache-Control, Vary, ...), no body."""
    not_modified = HttpResponseNotModified()
    for name, value in response.items():
        if name.lower() not in NOT_IN_304:
            not_modified[name] = value
    return not_modified


class PublicPageCacheMiddleware:
    """Serves kept public pages before anything else runs; marks and keeps the ones just rendered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = STUDIO_PATH.match(request.path)
        if match is None:
            return self.get_response(request)
        slug = match.group(1)
        key = generation = None
        redirect_to_https = settings.SECURE_SSL_REDIRECT and not request.is_secure()
        if request.method in ("GET", "HEAD") and keeping() and anonymous(request) and not redirect_to_https:
            key = _page_key(request, slug)
            entry = _recent(key)
            if entry is not None:
                return _from_entry(request, entry)
            found = cache.get_many([key, _generation_key(slug)])
            generation = found.get(_generation_key(slug))
            entry = found.get(key)
            if entry is not None and _fresh(entry, generation):
                _remember(key, entry)
                return _from_entry(request, entry)
            if entry is not None and not _take_render_lock(key):
                return _from_entry(request, entry)  # another request renders it again: the last one meanwhile
        response = self.get_response(request)
        if self._is_public(request, response):
            _public_headers(response)
            etag = _etag(response.content)
            response["ETag"] = etag
            if key is not None and request.method == "GET":
                self._keep(request, response, key, slug, generation, etag)
            if _not_modified(request, etag):
                return _not_modified_response(response)
        elif "Cache-Control" not in response or getattr(request, "public_page", False):
            if "Cache-Control" in response:
                del response["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _is_public(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            getattr(request, "public_page", False)
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
        )

    @staticmethod
    def _keep(request: HttpRequest, response: HttpResponse, key: str, slug: str, generation: Any, etag: str) -> None:
        kept = HttpResponse(response.content, status=response.status_code)
        for name, value in response.items():
            if name.lower() not in NOT_KEPT:
                kept[name] = value
        entry = {
            "gen": generation,
            "until": time.time() + seconds(),
            "response": kept,
            "etag": etag,
            "slug": slug,
            "counters": getattr(request, "page_hit_counters", []),
            "route": getattr(getattr(request, "resolver_match", None), "view_name", None),
        }
        # Kept past its freshness for as long as it may be served stale while it is rendered again.
        cache.set(key, entry, timeout=seconds() + int(getattr(settings, "PUBLIC_PAGE_STALE_SECONDS", 30)))
        cache.delete(f"{key}:rendering")
