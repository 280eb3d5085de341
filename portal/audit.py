"""Writing the audit trail of self-service actions."""

from __future__ import annotations

from typing import Any

from portal.models import AuditEntry, Studio
from portal.perfectgym.errors import ApiError, PausedLocally


def record(
    studio: Studio,
    action: str,
    *,
    actor: str,
    outcome: str,
    error: ApiError | None = None,
    upstream_status: int | None = None,
    trace_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry. ``actor`` is ``customer:<id>``, ``lead`` or ``anonymous``; no names or addresses.

    ``details`` holds ids and dates the studio needs to act (contract id, end date), nothing more.
    """
    if isinstance(error, PausedLocally):  # nothing was sent: there is no upstream answer to record
        outcome = f"{outcome}:paused"
    elif error is not None:
        upstream_status = upstream_status or error.status
        trace_id = trace_id or error.trace_id
    return AuditEntry.objects.create(
        studio=studio,
        action=action,
        actor=actor,
        outcome=outcome[:40],
        upstream_status=upstream_status,
        trace_id=trace_id or "",
        details=details or {},
    )
