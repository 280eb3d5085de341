"""Fault injection: added latency, error rates per status and timeouts.

Configured per studio in admin or for all sandbox studios by environment
(SANDBOX_LATENCY_MS, SANDBOX_ERROR_RATES, SANDBOX_TIMEOUT_RATE); the larger wins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class FaultPlan:
    latency_ms: int
    error_status: int | None
    timeout: bool


def plan_for(studio, rng: random.Random | None = None) -> FaultPlan:
    rng = rng or random
    latency = max(studio.sandbox_latency_ms or 0, settings.SANDBOX_LATENCY_MS)
    rates: dict[int, float] = dict(settings.SANDBOX_ERROR_RATES)
    for status, rate in (studio.sandbox_error_rates or {}).items():
        rates[int(status)] = max(rates.get(int(status), 0.0), float(rate))
    error_status = None
    roll = rng.random()
    cumulative = 0.0
    for status, rate in sorted(rates.items()):
        cumulative += rate
        if roll < cumulative:
            error_status = status
            break
    timeout_rate = max(studio.sandbox_timeout_rate or 0.0, settings.SANDBOX_TIMEOUT_RATE)
    timeout = error_status is None and rng.random() < timeout_rate
    return FaultPlan(latency_ms=latency, error_status=error_status, timeout=timeout)
