"""Run a self-service write at most once per idempotency key.

Writes are never retried automatically. When a write's answer is lost
(``OutcomeUnknown``), the outcome is found out by READING (``reconcile``) before
anything is written again:

    new key             -> write
    DONE / FAILED       -> the earlier outcome, nothing is sent
    PENDING (fresh)     -> another request is sending it right now: wait
    UNKNOWN / stale     -> reconcile; happened -> DONE; did not -> write (once)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.perfectgym import errors
from portal.user_messages import message_for
from selfservice.models import MemberRequest
from selfservice.texts import error_sentence

logger = logging.getLogger("portal.selfservice")

# Longer than one upstream write can take (connect + read timeout): older PENDING rows were interrupted.
STALE_AFTER = timedelta(seconds=30)

NOT_SENT = _("Your request did not reach the studio's system. Please send it again.")
IN_PROGRESS = _("Your request is being sent right now. Please wait a moment and reload the page.")


class NotYours(Exception):
    """The key belongs to another member or another action: treated as not found."""


@dataclass
class Outcome:
    request: MemberRequest
    ok: bool
    message: str = ""  # for the member when not ok
    error: errors.ApiError | None = None
    fresh: bool = False  # True when this call did the write (audit and email once)

    @property
    def result(self) -> dict[str, Any]:
        return self.request.result


def parse_key(raw: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except (TypeError, ValueError):
        return None


def run_once(
    studio,
    customer_id: int,
    key: uuid.UUID,
    action: str,
    write: Callable[[], dict[str, Any]],
    reconcile: Callable[[], dict[str, Any] | None],
    *,
    target: dict[str, Any],
) -> Outcome:
    """``write`` does the upstream call and returns the confirmation's data.

    ``reconcile`` reads upstream: the confirmation's data when the write happened,
    None when it did not; it may raise ApiError when reading fails too.
    """
    request, created = _claim(studio, customer_id, key, action, target)
    if not created:
        if request.state == MemberRequest.State.DONE:
            return Outcome(request, ok=True)
        if request.state == MemberRequest.State.FAILED:
            return Outcome(request, ok=False, message=request.result.get("message", str(NOT_SENT)))
        if request.state == MemberRequest.State.PENDING and timezone.now() - request.updated_at < STALE_AFTER:
            return Outcome(request, ok=False, message=str(IN_PROGRESS))
        # UNKNOWN or an interrupted PENDING: read before writing again.
        outcome = _reconcile(request, reconcile)
        if outcome is not None:
            return outcome
        # It did not happen: take the write over, but only one request may.
        taken = MemberRequest.objects.filter(pk=request.pk, updated_at=request.updated_at).update(
            state=MemberRequest.State.PENDING, updated_at=timezone.now()
        )
        if taken != 1:
            return Outcome(request, ok=False, message=str(IN_PROGRESS))
        request.refresh_from_db()
    return _write(request, write, reconcile)


def _claim(studio, customer_id: int, key: uuid.UUID, action: str, target: dict) -> tuple[MemberRequest, bool]:
    try:
        with transaction.atomic():
            created = MemberRequest.objects.create(
                studio=studio, key=key, customer_id=customer_id, action=action, target=target
            )
            return created, True
    except IntegrityError:
        request = earlier(studio, customer_id, key, action)
        if request is None or request.target != target:
            raise NotYours() from None
        return request, False


def earlier(studio, customer_id: int, key: uuid.UUID | None, action: str) -> MemberRequest | None:
    """This member's earlier request with this key and action, if any."""
    if key is None:
        return None
    return MemberRequest.objects.filter(studio=studio, key=key, customer_id=customer_id, action=action).first()


def _finish(request: MemberRequest, state: str, result: dict[str, Any]) -> None:
    request.state = state
    request.result = result
    request.save(update_fields=["state", "result", "updated_at"])


def _write(request: MemberRequest, write, reconcile) -> Outcome:
    try:
        result = write()
    except errors.OutcomeUnknown as exc:
        logger.warning("write outcome unknown action=%s request=%s", request.action, request.pk)
        outcome = _reconcile(request, reconcile, exc)
        if outcome is not None:
            return outcome
        # Reading showed it did not happen: the member may send it again with a new form.
        _finish(request, MemberRequest.State.FAILED, {"message": str(NOT_SENT)})
        return Outcome(request, ok=False, message=str(NOT_SENT), error=exc, fresh=True)
    except errors.ApiError as exc:
        message = error_sentence(exc)
        _finish(request, MemberRequest.State.FAILED, {"message": message, "status": exc.status})
        return Outcome(request, ok=False, message=message, error=exc, fresh=True)
    _finish(request, MemberRequest.State.DONE, result)
    return Outcome(request, ok=True, fresh=True)


def _reconcile(request: MemberRequest, reconcile, cause: errors.ApiError | None = None) -> Outcome | None:
    """DONE when reading shows the write happened; UNKNOWN when reading fails; None when it did not happen."""
    try:
        found = reconcile()
    except errors.ApiError as exc:
        _finish(request, MemberRequest.State.UNKNOWN, {})
        unknown = cause or errors.OutcomeUnknown(request.action, trace_id=exc.trace_id)
        return Outcome(request, ok=False, message=message_for(unknown), error=unknown, fresh=cause is not None)
    if found is None:
        return None
    _finish(request, MemberRequest.State.DONE, found)
    return Outcome(request, ok=True, fresh=True)
