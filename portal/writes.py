"""Send an upstream write at most once per idempotency key: the one mechanism every app uses.

Every form that writes carries a random key. The first request with a key claims it (a ``Write``
row, unique per studio and key) and writes; writes are never retried automatically:

    new key                      -> write
    another actor, action, form  -> EXPIRED ("this form has expired"), nothing is sent
    DONE / REFUSED               -> the stored outcome, nothing is sent
    PENDING, fresh               -> IN_PROGRESS at once; the page polls until the first request is done
    FAILED (nothing happened)    -> write again (the member asked again; it is still one write)
    UNKNOWN / PENDING, stale     -> reconcile by reading; happened -> DONE, did not -> write once

Before a new key writes, this actor's unknown writes of the same action and target (an earlier form
whose answer was lost) are reconciled the same way, so a reload after a lost answer never writes twice.

Nobody has to send the form again for that: ``reconcile_unknown`` (``manage.py reconcile_writes``, every
minute) reads what became of every UNKNOWN and stale PENDING write, with the reader each app registers
per action (``register_reconciler``), and never writes.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from portal import audit, reads
from portal.lib import crypto
from portal.models import Studio, Write
from portal.perfectgym import errors

logger = logging.getLogger("portal.writes")

State = Write.State
IN_PROGRESS = "in_progress"
EXPIRED = "expired"

Result = dict[str, Any]
Change = tuple[str, tuple[Hashable, ...] | None]  # a cached read: (operation, key), None for every key
Reconcile = Callable[[], Result | None]


class Refused(Exception):
    """Raised by a write when the studio's system said no: stored as REFUSED with ``result``."""

    def __init__(self, result: Result) -> None:
        super().__init__(result)
        self.result = result


class NotWritten(Exception):
    """Raised by a write that sent nothing that counts: stored as FAILED, the same key may write again."""

    def __init__(self, result: Result) -> None:
        super().__init__(result)
        self.result = result


@dataclass
class Outcome:
    """What became of one write: ``state`` is a Write.State, IN_PROGRESS or EXPIRED."""

    state: str
    write: Write | None = None
    error: errors.ApiError | None = None
    fresh: bool = False  # this request wrote or reconciled (audit and e-mail once)
    result: Result = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state == State.DONE

    @property
    def in_progress(self) -> bool:
        return self.state == IN_PROGRESS

    @property
    def expired(self) -> bool:
        return self.state == EXPIRED

    @property
    def unknown(self) -> bool:
        return self.state == State.UNKNOWN

    @property
    def settled(self) -> bool:
        """Nothing more will happen with this key on its own: a new attempt is a new form."""
        return self.state in (State.DONE, State.REFUSED, State.FAILED)

    @property
    def unfinished(self) -> bool:
        """Sent, but its outcome is not known yet: the next request reads before anything else."""
        return self.state in (State.PENDING, State.UNKNOWN, IN_PROGRESS)

    @property
    def key(self) -> uuid.UUID | None:
        return self.write.key if self.write else None

    @property
    def target(self) -> dict[str, Any]:
        return self.write.target if self.write else {}


def parse_key(raw: str | None, scope: str = "") -> uuid.UUID | None:
    """The form's random key; narrowed to ``scope`` where one form writes several things (slot buttons)."""
    try:
        key = uuid.UUID(str(raw))
    except (TypeError, ValueError):
        return None
    return uuid.uuid5(key, scope) if scope else key


def run_once(
    studio: Studio,
    actor: str,
    key: uuid.UUID,
    write: Callable[[], Result],
    reconcile: Callable[[], Result | None],
    *,
    action: str,
    target: dict[str, Any] | None = None,
    audit: dict[str, Any] | None = None,
    changes: Sequence[Change] = (),
    poll: bool = False,
) -> Outcome:
    """``write`` sends and returns what the confirmation shows (or raises Refused, NotWritten, ApiError).

    ``reconcile`` reads upstream: the confirmation's data when the write happened, None when it did not;
    it may raise ApiError when reading fails too.
    ``audit``: the ids the audit trail records, once, by the request that wrote or reconciled.
    ``changes``: the cached reads the write changes, invalidated after it (a refusal too: it means the
    page showed something out of date).
    ``poll``: only what became of the write with ``key`` (the page asks while it is sent); sends nothing.
    """
    if poll:
        return earlier(studio, actor, key, action) or Outcome(EXPIRED)
    target = target or {}
    row, created = Write.claim(studio, key, actor=actor, action=action, target=target, details=audit)
    outcome = None if created else _sent_before(row, actor, action, target, reconcile)
    outcome = outcome or _reconcile_earlier(row, reconcile) or _write(row, write, reconcile)
    if outcome.fresh and audit is not None:
        _record(studio, action, actor, outcome, audit)
    if outcome.fresh:
        for operation, read_key in changes:
            reads.invalidate(studio, operation, read_key)
    return outcome


def _sent_before(row: Write, actor: str, action: str, target: dict[str, Any], reconcile: Reconcile) -> Outcome | None:
    """The answer for a key that was claimed before, or None when it is to be written (again)."""
    if not row.belongs_to(actor, action, target):
        return Outcome(EXPIRED)
    if row.state in (State.DONE, State.REFUSED):
        return _stored(row)
    if row.state == State.PENDING and not row.is_stale:
        return Outcome(IN_PROGRESS, row)
    if not row.take_over():
        return Outcome(IN_PROGRESS, row)  # another request was quicker
    if row.state == State.FAILED:  # nothing happened: the member asked again
        return None
    return _reconcile(row, reconcile)  # lost or interrupted: read before writing again


# Ids and states of a write's result that the audit trail keeps (never names or addresses).
AUDITED_RESULT = {
    "status": "status",
    "booking_id": "booking",
    "idle_period_id": "idle_period_id",
    "state": "state",
    "applied": "applied",
}


def _record(studio: Studio, action: str, actor: str, outcome: Outcome, details: dict[str, Any]) -> None:
    found = {name: outcome.result[key] for key, name in AUDITED_RESULT.items() if key in outcome.result}
    audit.record(studio, action, actor=actor, outcome=outcome.state, error=outcome.error, details={**details, **found})


def earlier(studio: Studio, actor: str, key: uuid.UUID | None, action: str) -> Outcome | None:
    """This actor's earlier write with this key and action (a form sent again), without sending anything."""
    if key is None:
        return None
    row = Write.objects.filter(studio=studio, key=key, actor=actor, action=action).first()
    if row is None:
        return None
    if row.state == State.PENDING and not row.is_stale:
        return Outcome(IN_PROGRESS, row)
    return _stored(row)


def _stored(row: Write) -> Outcome:
    return Outcome(row.state, row, error=row.error(), result=row.result)


def _reconcile(row: Write, reconcile: Reconcile, cause: errors.ApiError | None = None) -> Outcome | None:
    """DONE when reading shows the write happened; UNKNOWN when reading fails; None when it did not."""
    try:
        found = reconcile()
    except errors.ApiError as exc:
        unknown = cause or errors.OutcomeUnknown(row.action, trace_id=exc.trace_id)
        row.finish(State.UNKNOWN, {})
        return Outcome(State.UNKNOWN, row, error=unknown, fresh=cause is not None)
    if found is None:
        return None
    row.finish(State.DONE, found)
    return Outcome(State.DONE, row, fresh=True, result=found)


def _reconcile_earlier(row: Write, reconcile: Reconcile) -> Outcome | None:
    """An earlier form of this actor for the same thing whose answer was lost: read before writing on top."""
    if not row.target:  # a write about nothing in particular (a contact change): nothing to compare
        return None
    earlier_rows = Write.objects.unfinished(row.studio, row.actor, row.action).exclude(pk=row.pk)
    unknown = [other for other in earlier_rows if other.target == row.target]
    if not unknown:
        return None
    try:
        found = reconcile()
    except errors.ApiError as exc:
        # Still unknown: do not send a second write on top of one that may exist.
        row.finish(State.UNKNOWN, {})
        return Outcome(State.UNKNOWN, row, error=errors.OutcomeUnknown(row.action, trace_id=exc.trace_id))
    for other in unknown:
        other.finish(State.DONE if found is not None else State.FAILED, found or {"reason": "NOT_FOUND"})
    if found is None:
        return None
    row.finish(State.DONE, found)
    return Outcome(State.DONE, row, fresh=True, result=found)


def _write(row: Write, write: Callable[[], Result], reconcile: Reconcile) -> Outcome:
    try:
        result = write()
    except Refused as refused:
        row.finish(State.REFUSED, refused.result)
        return Outcome(State.REFUSED, row, fresh=True, result=refused.result)
    except NotWritten as failed:
        row.finish(State.FAILED, failed.result)
        return Outcome(State.FAILED, row, fresh=True, result=failed.result)
    except errors.OutcomeUnknown as exc:
        logger.info("write outcome unknown action=%s write=%s trace_id=%s", row.action, row.pk, exc.trace_id or "-")
        found = _reconcile(row, reconcile, exc)
        if found is not None:
            found.error = found.error or exc
            return found
        row.finish(State.FAILED, {"reason": "NOT_FOUND"})  # reading showed it did not happen
        return Outcome(State.FAILED, row, error=exc, fresh=True, result=row.result)
    except errors.ApiError as exc:
        # A 4xx is the studio's "no" to this request; anything else means nothing happened.
        state = State.REFUSED if isinstance(exc, REFUSALS) else State.FAILED
        row.finish(state, Write.error_result(exc))
        return Outcome(state, row, error=exc, fresh=True, result=row.result)
    except BaseException:
        # A programming error: the write may have been sent; the next request reconciles.
        row.finish(State.UNKNOWN, {})
        raise
    row.finish(State.DONE, result)
    return Outcome(State.DONE, row, fresh=True, result=result)


REFUSALS = (errors.BadRequest, errors.NotFound, errors.Conflict, errors.Forbidden, errors.Unauthorized)


def pending_response(request: HttpRequest, poll_url: str, message: str) -> HttpResponse:
    """The answer while the first request still sends: HTMX polls a small fragment, other browsers reload."""
    context = {"poll_url": poll_url, "message": message}
    template = "portal/_write_pending.html" if getattr(request, "htmx", False) else "portal/write_pending.html"
    return render(request, template, context, status=202)


# --- Reconciling in the background (manage.py reconcile_writes, every minute) ----------------------------
# Apps register in ``AppConfig.ready``; this module imports no app.

# Reads upstream whether the write stored in the row happened, from what the row holds (its actor and
# target): the result (what the confirmation shows) when it did, None when it did not; raises ApiError
# when it cannot read. Never writes upstream.
Reconciler = Callable[[Studio, Write], Result | None]
# For an app whose outcome lives in its own write-ahead rows beside ``Write`` (the trial journey: its
# Write row is only the form's claim): reconciles those by reading and returns counts named as below.
Sweep = Callable[[datetime], dict[str, int]]

# What ``reconcile_unknown`` counts, always all of them (a monitor can rely on the names).
DONE, FAILED = "done", "failed"  # it happened / it did not
STILL_UNKNOWN = "still unknown"  # reading failed again: tried again next time
OVERDUE = "unknown for over a day"  # the same, sent more than RECONCILE_OVERDUE ago: for staff to look at
BUSY = "busy"  # a request or another run had the row at that moment
UNREADABLE = "no reconciler"  # an action nobody can read back: left to the member's next request
CRASHED = "errors"  # a reconciler raised something other than ApiError (logged)
COUNTS = (DONE, FAILED, STILL_UNKNOWN, OVERDUE, BUSY, UNREADABLE, CRASHED)
RECONCILE_OVERDUE = timedelta(days=1)


class CannotTell(Exception):
    """Raised by a reconciler when the row lacks what reading needs (a record that was never completed):
    the row stays as it is, counted with those whose reading failed."""


def member_actor(customer_id: int) -> str:
    """The actor of a member's write (and audit entry): ``customer:<id>``, never a name or address."""
    return f"customer:{customer_id}"


def customer_of(row: Write) -> int:
    """The member who sent a write (actor ``customer:<id>``); ValueError for a lead or anonymous."""
    prefix, _, customer_id = row.actor.partition(":")
    if prefix != "customer":
        raise ValueError(f"not a member's write: {row.actor}")
    return int(customer_id)


@dataclass(frozen=True)
class _Registered:
    read: Reconciler
    then: Callable[[Write], None] | None


_reconcilers: dict[str, _Registered] = {}
_sweeps: dict[str, Sweep] = {}


def register_reconciler(action: str, read: Reconciler, *, then: Callable[[Write], None] | None = None) -> None:
    """``read`` tells whether a stored write of ``action`` happened; ``then(row)`` runs once it is found
    DONE (what the member gets after a write that went through, e.g. the confirmation e-mail)."""
    _reconcilers[action] = _Registered(read, then)


def register_sweep(name: str, sweep: Sweep) -> None:
    _sweeps[name] = sweep


def reconcilable_actions() -> list[str]:
    return sorted(_reconcilers)


def reconcile_unknown(now: datetime | None = None) -> dict[str, int]:
    """Read what became of every UNKNOWN and stale PENDING write and settle it: DONE (with what was
    found) or FAILED ``{"reason": "NOT_FOUND"}``, one audit entry each; UNKNOWN while reading fails.

    Each row is claimed without hiding it (``_claim``), and settled only if nobody touched it since: a
    request meanwhile (the member sent the form again, or a new one for the same thing) still reads
    before it writes, and what it found or wrote is never overwritten; two runs never settle a row twice.
    """
    now = now or timezone.now()
    counts: Counter[str] = Counter(dict.fromkeys(COUNTS, 0))
    for name, sweep in _sweeps.items():  # first: they settle the claims of their own forms too
        try:
            counts.update(sweep(now))
        except Exception:
            logger.exception("reconcile sweep failed sweep=%s", name)
            counts[CRASHED] += 1
    lost = Q(state=State.UNKNOWN) | Q(state=State.PENDING, updated_at__lt=now - Write.STALE_AFTER)
    rows = Write.objects.filter(lost)
    counts[UNREADABLE] += rows.exclude(action__in=list(_reconcilers)).count()
    for row in rows.filter(action__in=list(_reconcilers)).select_related("studio").order_by("created_at"):
        counts[_reconcile_row(row, now)] += 1
    logger.info("writes reconciled %s", dict(counts))
    return dict(counts)


def _reconcile_row(row: Write, now: datetime) -> str:
    claimed = _claim(row)
    if claimed is None:  # a request (the member sent the form again) or another run was quicker
        return BUSY
    registered = _reconcilers[row.action]
    try:
        # Outside a request: in the studio's language, like everything else the portal does on its own.
        with translation.override(row.studio.default_language):
            found = registered.read(row.studio, row)
    except (errors.ApiError, crypto.DecryptionError, CannotTell) as exc:
        logger.info("write still unknown action=%s write=%s error=%s", row.action, row.pk, type(exc).__name__)
        return OVERDUE if now - row.created_at > RECONCILE_OVERDUE else STILL_UNKNOWN
    except Exception:
        logger.exception("reconciler failed action=%s write=%s", row.action, row.pk)
        return CRASHED
    state, result = (State.DONE, found) if found is not None else (State.FAILED, {"reason": "NOT_FOUND"})
    if not _settle(row, claimed, state, result):
        return BUSY  # a request settled (or took over) the row while this run read: its outcome stands
    outcome = Outcome(f"reconciled:{state}", row, result=result)
    _record(row.studio, row.action, row.actor, outcome, {"write": row.pk, **row.target})
    if state == State.DONE and registered.then is not None:
        try:
            registered.then(row)
        except Exception:
            logger.exception("after reconciling failed action=%s write=%s", row.action, row.pk)
            return CRASHED
    return DONE if state == State.DONE else FAILED


def _claim(row: Write) -> datetime | None:
    """This run's claim on a lost write, or None when the row changed since it was listed.

    Unlike ``Write.take_over`` the row is not marked PENDING (a stale PENDING row becomes UNKNOWN): a
    fresh PENDING row is one a request is sending, and a new form for the same thing would write on top
    of it without reading first. Only its timestamp changes, so ``_settle`` can tell whether anyone
    touched the row while this run read.
    """
    listed = Write.objects.filter(pk=row.pk, state=row.state, updated_at=row.updated_at)
    if not listed.update(state=State.UNKNOWN, updated_at=timezone.now()):
        return None
    row.refresh_from_db()
    return row.updated_at


def _settle(row: Write, claimed: datetime, state: str, result: Result) -> bool:
    """Finish a row this run claimed, unless someone touched it since (then its outcome stands)."""
    held = Write.objects.filter(pk=row.pk, state=State.UNKNOWN, updated_at=claimed)
    if not held.update(state=state, result=result, updated_at=timezone.now()):
        return False
    row.refresh_from_db()
    return True
