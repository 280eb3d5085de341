from __future__ import annotations

from django.conf import settings


def portal(request) -> dict:
    studio = getattr(request, "studio", None)
    return {
        "studio": studio,
        "available_languages": settings.LANGUAGES,
    }
