"""Deployment checks (``manage.py check --deploy``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def immediate_tasks_in_production(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Immediate tasks send mail inside the request: a sign-in request then takes measurably longer for a
    customer's address than for an unknown one, which tells a stranger who is a customer."""
    if settings.DEBUG or getattr(settings, "TASKS_MODE", "immediate") != "immediate":
        return []
    return [
        checks.Warning(
            "TASKS_MODE=immediate sends e-mail inside the request.",
            hint="Set TASKS_MODE=database and run `manage.py db_worker` (README, Production).",
            id="portal.W001",
        )
    ]
