"""The sandbox's operation registry: the same paths as the real API.

An operation is a function ``handler(ctx, **path_params)`` that returns the JSON
answer (dict or list), ``None`` for an empty 200, or raises ``ApiProblem``.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, overload

from django.utils import timezone

from sandbox.datetimes import format_datetime
from sandbox.errors import ApiProblem
from sandbox.store import Store

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from portal.models import Studio


@dataclass
class SandboxRequest:
    studio: Studio
    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: dict[str, UploadedFile]
    language: str
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self.store = Store(self.studio)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.studio.timezone)

    @property
    def now(self) -> datetime:
        return timezone.now().astimezone(self.zone)

    @property
    def today(self) -> date:
        return self.now.date()

    def fmt(self, value: datetime) -> str:
        """A date-time the way the API writes it (zone id in brackets)."""
        return format_datetime(value.astimezone(self.zone))

    # Typed access to the input, answering 400 like the API for bad values.
    @overload
    def query_int(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int: ...

    @overload
    def query_int(self, name: str, *, required: Literal[True]) -> int: ...

    @overload
    def query_int(self, name: str) -> int | None: ...

    def query_int(
        self,
        name: str,
        default: int | None = None,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        required: bool = False,
    ) -> int | None:
        raw = self.query.get(name)
        if raw is None or raw == "":
            if required:
                raise ApiProblem.validation(name, f"{name} is required")
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ApiProblem.validation(name, f"{name} must be a number") from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise ApiProblem.validation(name, f"{name} is out of range")
        return value

    def query_date(self, name: str, default: date) -> date:
        raw = self.query.get(name)
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ApiProblem.validation(name, f"{name} must be a date (YYYY-MM-DD)") from None

    def body_dict(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise ApiProblem.validation("body", "A JSON object is required")
        return self.body

    def require_fields(self, data: dict[str, Any], *names: str, prefix: str = "") -> None:
        for name in names:
            if data.get(name) in (None, ""):
                raise ApiProblem.validation(f"{prefix}{name}", f"{prefix}{name} must not be empty")


Handler = Callable[..., Any]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str
    operation_id: str
    handler: Handler


ROUTES: list[Route] = []


def operation(method: str, template: str, operation_id: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``METHOD /v1/...`` (path params in braces)."""
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$"

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, re.compile(regex), template, operation_id, handler))
        return handler

    return register


def resolve(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """Find the route; literal segments win over path parameters (``/classes/slots``)."""
    matches: list[tuple[int, Route, dict[str, str]]] = []
    for route in ROUTES:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            matches.append((route.template.count("{"), route, found.groupdict()))
    if not matches:
        return None
    matches.sort(key=lambda item: item[0])
    _, route, params = matches[0]
    return route, params


def path_exists(path: str) -> bool:
    return any(route.pattern.match(path) for route in ROUTES)


def int_param(value: str | int, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiProblem.validation(name, f"{name} must be a number") from None
