"""Typed readers for deployment settings taken from the environment.

Each helper raises ImproperlyConfigured with the variable's name when its value
cannot be used, so a bad deployment fails at start-up instead of at the first
request (healthchecks' ``hc/settings.py`` does the same).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

N = TypeVar("N", int, float)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    """A string, also read from the file named by ``NAME_FILE`` (Docker/K8s secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def _envnumber(name: str, default: N, parse: Callable[[str], N], what: str, minimum: N | None, maximum: N | None) -> N:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = parse(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {what}; got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}; got {value}")
    return value


def envint(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    return _envnumber(name, default, int, "a whole number", minimum, maximum)


def envfloat(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    return _envnumber(name, default, float, "a number", minimum, maximum)


def envlist(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def envrates(name: str, allowed: tuple[int, ...]) -> dict[int, float]:
    """Parse ``"500:0.01,503:0.05"`` into ``{500: 0.01, 503: 0.05}``."""
    raw = os.environ.get(name, "").strip()
    rates: dict[int, float] = {}
    if not raw:
        return rates
    for part in raw.split(","):
        status_text, _, rate_text = part.partition(":")
        try:
            status, rate = int(status_text), float(rate_text)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must look like '500:0.01,503:0.05'; got {raw!r}") from exc
        if status not in allowed or not 0 <= rate <= 1:
            raise ImproperlyConfigured(
                f"{name}: status must be one of {allowed} and rate between 0 and 1; got {part!r}"
            )
        rates[status] = rate
    return rates
