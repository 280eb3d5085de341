"""Fault injection: added latency, error rates per status and timeouts.

Configured per studio in admin (``SandboxFaults``, an inline on the studio page)
or for all sandbox studios by environment (SANDBOX_LATENCY_MS,
SANDBOX_ERROR_RATES, SANDBOX_TIMEOUT_RATE); the larger wins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from portal.models import Studio
from sandbox.models import SandboxFaults


@dataclass(frozen=True)
class FaultPlan:
    latency_ms: int
    error_status: int | None
    timeout: bool


def plan_for(studio: Studio, rng: random.Random | None = None) -> FaultPlan:
    """What goes wrong with this one request (``studio.sandbox_faults`` is best selected with the studio)."""
    draw = rng.random if rng is not None else random.random
    own = getattr(studio, "sandbox_faults", None) or SandboxFaults(studio=studio)
    latency = max(own.latency_ms or 0, settings.SANDBOX_LATENCY_MS)
    rates: dict[int, float] = dict(settings.SANDBOX_ERROR_RATES)
    for status, rate in (own.error_rates or {}).items():
        rates[int(status)] = max(rates.get(int(status), 0.0), float(rate))
    error_status = None
    roll = draw()
    cumulative = 0.0
    for status, rate in sorted(rates.items()):
        cumulative += rate
        if roll < cumulative:
            error_status = status
            break
    timeout_rate = max(own.timeout_rate or 0.0, settings.SANDBOX_TIMEOUT_RATE)
    timeout = error_status is None and draw() < timeout_rate
    return FaultPlan(latency_ms=latency, error_status=error_status, timeout=timeout)


def configure(studio: Studio, **fields: Any) -> SandboxFaults:
    """Set some of a studio's fault settings (``latency_ms``, ``error_rates``, ``timeout_rate``), keep the rest.

    For tests, benchmarks and the shell; staff use the inline on the studio's admin page.
    """
    faults, _ = SandboxFaults.objects.update_or_create(studio=studio, defaults=fields)
    return faults
