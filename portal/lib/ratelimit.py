"""Fixed-window rate limits kept in the shared cache, so every worker counts together."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def _key(scope: str, identity: str, window: int) -> str:
    # Hash the identity: cache keys must not hold e-mail addresses or IPs in clear.
    digest = hashlib.sha256(identity.strip().lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{int(time.time() // window)}"


def hit(scope: str, identity: str, *, limit: int, window: int = 3600) -> bool:
    """Count one attempt; True while the identity is within ``limit`` attempts per ``window`` seconds."""
    if not identity:
        return True
    key = _key(scope, identity, window)
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit


def exceeded(scope: str, identity: str, *, limit: int, window: int = 3600) -> bool:
    """True once ``identity`` has used up ``limit`` attempts in this ``window`` (counts nothing itself)."""
    if not identity:
        return False
    return (cache.get(_key(scope, identity, window)) or 0) >= limit


def trusted_proxy_count() -> int:
    """How many reverse proxies in front of the portal append to X-Forwarded-For (0: none)."""
    from django.conf import settings

    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not count and getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        count = 1  # the deprecated switch meant one proxy
    return count


def client_ip(request: HttpRequest) -> str:
    """The client's address as the outermost trusted proxy saw it.

    Each trusted proxy appends the address it was connected from to X-Forwarded-For, so with
    N proxies the client is the N-th entry from the right; everything left of it was written
    by the client and is never used. A header with fewer than N entries did not come through
    all the proxies: then REMOTE_ADDR is used (the nearest proxy, so such requests share one
    budget rather than choosing their own), as werkzeug's ProxyFix does.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    count = trusted_proxy_count()
    if count <= 0:
        return remote_addr
    # Several X-Forwarded-For headers arrive joined with commas (WSGI), in order.
    entries = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [part for part in entries if part]
    if len(entries) < count:
        return remote_addr
    return entries[-count]
