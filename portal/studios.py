"""Cache layer two: the per-process studio lookup (the only cache besides ``portal.lib.cache``).

What it holds: the active ``Studio`` row for each slug a request named (or None), in this process,
so a warm page needs no database query for its studio. How it is invalidated: saving or deleting a
studio clears it in this process at once; other worker processes drop an entry after
``STUDIO_CACHE_SECONDS`` (0 switches the cache off).
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404, HttpRequest

from portal.models import Studio

_cache: dict[str, tuple[float, Studio | None]] = {}
_lock = threading.Lock()


def get_active_studio(slug: str) -> Studio | None:
    ttl = settings.STUDIO_CACHE_SECONDS
    if ttl <= 0:
        return Studio.objects.filter(slug=slug, is_active=True).first()
    now = time.monotonic()
    hit = _cache.get(slug)
    if hit is not None and hit[0] > now:
        return copy.copy(hit[1])  # a copy: a view that changes its studio does not change the cache
    studio = Studio.objects.filter(slug=slug, is_active=True).first()
    with _lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[slug] = (now + ttl, studio)
    return copy.copy(studio)


def forget_studios() -> None:
    with _lock:
        _cache.clear()


@receiver([post_save, post_delete], sender=Studio)
def _studio_changed(sender: type[Studio], **kwargs: Any) -> None:
    forget_studios()


def studio_or_404(request: HttpRequest, slug: str) -> Studio:
    studio = getattr(request, "studio", None)
    if studio is None or studio.slug != slug:
        studio = get_active_studio(slug)
    if studio is None:
        raise Http404("No such studio")
    return studio
