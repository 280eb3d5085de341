"""One log line per request, and its entry in the request histogram.

First in MIDDLEWARE, so it sees every answer: static files, cached pages and refusals too. It adds
no cache or database round trip. It logs the route name, never the path or query (they can hold
sign-in tokens, ids and e-mail addresses), and nothing of the client (address, agent, cookies).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from portal import counting, metrics
from portal.logformat import route_name

logger = logging.getLogger("portal.request")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str | None) -> str:
    # A client may send any word as the method: keep log fields and metric labels to a known few.
    return method if method in KNOWN_METHODS else "other"


def route_of(request: HttpRequest) -> str:
    """The route name; for an answer given before URL routing (a kept page) the address is resolved here.

    In-process only: the resolver is compiled once per process. "-" for static files and 404s.
    """
    if getattr(request, "resolver_match", None) is not None:
        return route_name(request)
    kept = getattr(request, "kept_page_route", None)  # a kept page knows its route (portal.pagecache)
    if kept:
        return str(kept)
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return "-"


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        # Set by UpstreamTimingMiddleware; absent when an outer middleware answered (e.g. a cached page).
        timer = getattr(request, "upstream_timer", None)
        calls, upstream_ms = (timer.calls, timer.total_ms) if timer is not None else (0, 0.0)
        route, method, status = route_of(request), method_label(request.method), response.status_code
        logger.info(
            "request method=%s route=%s status=%d duration_ms=%.1f upstream_calls=%d upstream_ms=%.1f",
            method,
            route,
            status,
            duration_ms,
            calls,
            upstream_ms,
            extra={
                "fields": {
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(duration_ms, 1),
                    "upstream_calls": calls,
                    "upstream_ms": round(upstream_ms, 1),
                }
            },
        )
        metrics.observe_request(route, method, status, duration_ms / 1000)
        counting.count_request(request, response, route)  # page views per studio and day, no client data
        return response
