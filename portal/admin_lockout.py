"""The page for an admin sign-in that django-axes refused after too many failures (AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    # csrf_token "": a refusal sets no cookie.
    context = {"minutes": minutes, "csrf_token": ""}
    return render(request, "errors/locked_out.html", context, status=429)
