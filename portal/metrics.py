"""Prometheus metrics: request durations, upstream calls, cache lookups; and the ``/metrics`` view.

- ``portal_request_duration_seconds{route, method, status}``: every answer (portal.requestlog), status
  as its class (2xx ... 5xx); route is the URL name, "-" when none matched (static files, 404s).
- ``portal_upstream_call_duration_seconds{operation, outcome}``: every upstream attempt (a retried read
  counts each try); outcome "ok", the error class its status maps to (RateLimited, Unavailable, ...)
  or "NoAnswer" when the connection failed or timed out.
- ``portal_cache_lookups_total{result}``: cached reads by what the cache had: fresh, stale, miss
  (loaded now) or failure (a remembered failed load). Hit ratio: (fresh + stale) / all.

Counting is in-process and costs no cache or database round trip. Under gunicorn each worker counts
on its own: with ``PROMETHEUS_MULTIPROC_DIR`` set, prometheus-client's multiprocess mode writes them to
files in that directory and ``/metrics`` adds them up (see portal.gunicorn_hooks).
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from portal.lib import cache
from portal.lib.ratelimit import client_ip
from portal.perfectgym import errors, timing

REQUEST_SECONDS = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status"],
)
UPSTREAM_SECONDS = Histogram(
    "portal_upstream_call_duration_seconds",
    "Time of one upstream attempt, by operation and outcome.",
    ["operation", "outcome"],
)
CACHE_LOOKUPS = Counter("portal_cache_lookups", "Cached upstream reads, by what the cache had.", ["result"])


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route, method, f"{status // 100}xx").observe(seconds)


def upstream_outcome(status: int | None) -> str:
    if status is None:
        return "NoAnswer"
    if status < 300:
        return "ok"
    return errors.error_class_for(status).__name__


def observe_upstream_call(operation: str, status: int | None, duration_ms: float) -> None:
    UPSTREAM_SECONDS.labels(operation or "-", upstream_outcome(status)).observe(duration_ms / 1000)


def count_cache_lookup(result: str) -> None:
    CACHE_LOOKUPS.labels(result).inc()


def install() -> None:
    """Listen to upstream calls and cache lookups (AppConfig.ready); refuse a bad METRICS_ALLOWED_IPS."""
    allowed_networks()
    if observe_upstream_call not in timing.call_listeners:
        timing.call_listeners.append(observe_upstream_call)
    if count_cache_lookup not in cache.lookup_listeners:
        cache.lookup_listeners.append(count_cache_lookup)


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_IPS]
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS must list addresses or networks: {exc}") from exc


def may_read_metrics(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    networks = allowed_networks()
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape target. A 404 for anyone else: the address is not advertised."""
    if not may_read_metrics(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    response = HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "private, no-store"
    return response
