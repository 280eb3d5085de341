"""How log lines are written: one JSON object per line (``LOG_FORMAT=json``) or plain text.

Loaded by ``settings.LOGGING`` before the apps are ready, so it imports nothing of Django's models.
Structured fields travel in ``extra={"fields": {...}}``; nothing else a record carries is written
(django.request attaches the whole request, which must never reach a log).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...fields, "exc"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update({key: value for key, value in fields.items() if key not in line})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, separators=(",", ":"))


class RouteNotPathFilter(logging.Filter):
    """Django's own request lines ("Not Found: /s/demo/account/sign-in/<token>/") name the route instead.

    Paths can hold sign-in tokens and ids; django.request and django.security pass the request along
    with the path as an argument, so the path is swapped for the route name (or "-").
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple) and path in record.args:
            route = route_name(request)
            record.args = tuple(route if arg == path else arg for arg in record.args)
        return True


def route_name(request: Any) -> str:
    """The matched URL's name (``selfservice:account``), never the path; "-" when nothing matched."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else "-"
