"""Send a booking at most once per idempotency key, and find out lost answers by reading.

Every booking form carries a random key. The first request with a key stores a PENDING
attempt (unique per studio and key) and sends; a second request with the same key (a double
click, a reloaded form) never sends again:

    new key                   -> send
    DONE / REFUSED            -> the stored outcome, nothing is sent
    PENDING, fresh            -> another request is sending it right now: wait for its outcome
    FAILED (nothing happened) -> send again (the member asked again; it is still one booking)
    UNKNOWN / PENDING, stale  -> reconcile by reading the member's bookings; booked -> DONE,
                                 not booked -> send once

An unresolved attempt for the same member and slot under another key is reconciled the same
way before anything is sent, so a member who reloads after a lost answer is not booked twice.
Writes are never retried automatically.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import BookingAttempt
from portal.models import Studio
from portal.perfectgym import errors

logger = logging.getLogger("portal.bookings")

State = BookingAttempt.State
# Longer than one upstream write can take (connect + read timeout): older PENDING rows were interrupted.
STALE_AFTER = timedelta(seconds=30)
WAIT_FOR_OTHER = 12.0  # seconds a repeated request waits for the one that is sending
WAIT_STEP = 0.1


@dataclass(frozen=True)
class Sent:
    """What a send or a reconciliation found: DONE with a booking, or REFUSED with a validationStatus."""

    state: str
    outcome: str
    booking_id: int | None = None


@dataclass
class Result:
    attempt: BookingAttempt | None
    state: str  # a BookingAttempt.State, or "mismatch" for a key that belongs to another form
    outcome: str = ""  # validationStatus, bookingStatus or the error class
    booking_id: int | None = None
    error: errors.ApiError | None = None
    fresh: bool = False  # this request did the write (audit once)


def parse_key(raw: str | None, scope: str = "") -> uuid.UUID | None:
    """The idempotency key of one booking: the form's random key, narrowed to what is booked.

    A page has one booking form for all its slots; each slot's button books with its own key.
    """
    try:
        key = uuid.UUID(str(raw))
    except (TypeError, ValueError):
        return None
    return uuid.uuid5(key, scope) if scope else key


def run(
    studio: Studio,
    *,
    customer_id: int,
    kind: str,
    target: str,
    key: uuid.UUID,
    send: Callable[[], Sent],
    reconcile: Callable[[], Sent | None],
) -> Result:
    """Book through ``send`` once for ``key``; ``reconcile`` reads whether the booking exists (None: it does not)."""
    attempt, created = _claim_new(studio, customer_id, kind, target, key)
    if not created:
        if attempt.customer_id != customer_id or attempt.kind != kind or attempt.target != target:
            return Result(None, "mismatch")
        settled = _settle_existing(attempt, reconcile)
        if settled is not None:
            return settled
    # This request owns the attempt (PENDING). Earlier unresolved attempts for the same thing first.
    earlier = _reconcile_earlier(studio, customer_id, kind, target, attempt, reconcile)
    if earlier is not None:
        return earlier
    return _send(attempt, send, reconcile)


def _claim_new(studio, customer_id, kind, target, key) -> tuple[BookingAttempt, bool]:
    try:
        with transaction.atomic():
            attempt = BookingAttempt.objects.create(
                studio=studio, key=key, customer_id=customer_id, kind=kind, target=target, state=State.PENDING
            )
        return attempt, True
    except IntegrityError:
        return BookingAttempt.objects.get(studio=studio, key=key), False


def _result(attempt: BookingAttempt, **extra) -> Result:
    return Result(attempt, attempt.state, attempt.outcome, attempt.booking_id, **extra)


def _take_over(attempt: BookingAttempt) -> bool:
    """Make this request the sender of an existing attempt; False when another request was quicker."""
    taken = BookingAttempt.objects.filter(pk=attempt.pk, state=attempt.state, updated_at=attempt.updated_at).update(
        state=State.PENDING, updated_at=timezone.now()
    )
    if taken:
        attempt.refresh_from_db()
    return bool(taken)


def _settle_existing(attempt: BookingAttempt, reconcile) -> Result | None:
    """The outcome of a key seen before, or None when this request should send."""
    deadline = time.monotonic() + WAIT_FOR_OTHER
    while True:
        if attempt.state in (State.DONE, State.REFUSED):
            return _result(attempt)
        stale = timezone.now() - attempt.updated_at > STALE_AFTER
        lost = attempt.state == State.UNKNOWN or (attempt.state == State.PENDING and stale)
        if attempt.state == State.FAILED and _take_over(attempt):
            return None  # nothing happened last time: send
        if lost and _take_over(attempt):
            return _after_reconcile(attempt, reconcile)
        if time.monotonic() > deadline:
            return _result(attempt)  # still PENDING: the page says it is being sent
        time.sleep(WAIT_STEP)
        attempt.refresh_from_db()


def _after_reconcile(attempt: BookingAttempt, reconcile) -> Result | None:
    """Reconcile an attempt whose answer was lost; None when it did not happen (then send)."""
    try:
        found = reconcile()
    except errors.ApiError as exc:
        _finish(attempt, State.UNKNOWN, type(exc).__name__)
        return _result(attempt, error=exc)
    if found is None:
        return None
    _finish(attempt, found.state, found.outcome, found.booking_id)
    return _result(attempt)


def _reconcile_earlier(studio, customer_id, kind, target, attempt, reconcile) -> Result | None:
    earlier = BookingAttempt.objects.filter(
        studio=studio, customer_id=customer_id, kind=kind, target=target, state=State.UNKNOWN
    ).exclude(pk=attempt.pk)
    if not earlier.exists():
        return None
    try:
        found = reconcile()
    except errors.ApiError as exc:
        # Still unknown: do not send a second booking on top of one that may exist.
        _finish(attempt, State.UNKNOWN, type(exc).__name__)
        return _result(attempt, error=exc)
    if found is not None:
        earlier.update(state=found.state, outcome=found.outcome, booking_id=found.booking_id)
        _finish(attempt, found.state, found.outcome, found.booking_id)
        return _result(attempt)
    earlier.update(state=State.FAILED, outcome="NOT_FOUND")
    return None


def _send(attempt: BookingAttempt, send, reconcile) -> Result:
    try:
        sent = send()
    except errors.OutcomeUnknown as exc:
        logger.info("booking outcome unknown attempt=%s trace_id=%s", attempt.pk, exc.trace_id or "-")
        found = _after_reconcile(attempt, reconcile)
        if found is None:
            _finish(attempt, State.FAILED, "NOT_FOUND")
            return _result(attempt, error=exc, fresh=True)
        return Result(found.attempt, found.state, found.outcome, found.booking_id, error=found.error, fresh=True)
    except errors.ApiError as exc:
        _finish(attempt, State.FAILED, type(exc).__name__)
        return _result(attempt, error=exc, fresh=True)
    except BaseException:
        # A programming error: the booking may have been sent; the next request reconciles.
        _finish(attempt, State.UNKNOWN, "error")
        raise
    _finish(attempt, sent.state, sent.outcome, sent.booking_id)
    return _result(attempt, fresh=True)


def _finish(attempt: BookingAttempt, state: str, outcome: str, booking_id: int | None = None) -> None:
    attempt.state, attempt.outcome, attempt.booking_id = state, outcome[:64], booking_id
    attempt.save(update_fields=["state", "outcome", "booking_id", "updated_at"])
