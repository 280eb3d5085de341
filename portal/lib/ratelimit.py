"""Fixed-window rate limits kept in the shared cache, so every worker counts together."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


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


def client_ip(request) -> str:
    """The client's address; behind a proxy set TRUST_X_FORWARDED_FOR so the first hop is used."""
    from django.conf import settings

    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
