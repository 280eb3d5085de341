"""Studios: general information and utilization."""

from __future__ import annotations

from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, operation


def _studio_info(ctx: SandboxRequest) -> dict:
    found = ctx.store.all("studio_info")
    if not found:
        raise ApiProblem.not_found("studio")
    return found[0]


@operation("GET", "/v1/studios/information", "getStudioInformation")
def get_studio_information(ctx: SandboxRequest) -> dict:
    info = dict(_studio_info(ctx))
    info.pop("id", None)
    info.pop("utilization", None)
    return info


@operation("GET", "/v1/studios/utilization", "getUtilization")
def get_utilization(ctx: SandboxRequest) -> dict:
    info = _studio_info(ctx)
    utilization = info.get("utilization") or {"count": 0, "capacity": 120}
    # Check-ins move with the hour so the demo looks alive without stored history.
    hour = ctx.now.hour
    busy = {6: 0.2, 7: 0.35, 8: 0.3, 12: 0.3, 17: 0.55, 18: 0.7, 19: 0.6, 20: 0.4}.get(hour, 0.15)
    capacity = utilization.get("capacity") or 120
    return {"count": int(capacity * busy), "capacity": capacity}
