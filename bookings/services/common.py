"""What every bookings service shares: the app's own errors, the outcome views get, and the write steps.

Upstream errors arrive here as ``ApiError`` and leave as translated sentences (``bookings.texts``,
``portal.user_messages``) or as ``NotYours``/``Unreachable``; views never see the client's errors.
Writes go through ``portal.writes`` (one write per idempotency key, lost answers reconciled by reading).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.utils import formats
from django.utils.functional import Promise

from bookings import texts
from bookings.sources import AppointmentSlot, read
from portal import reads, writes
from portal.lib import cache as swr
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym.client import PerfectGymClient
from portal.reads import Cached
from portal.user_messages import message_for
from portal.writes import member_actor as actor

if TYPE_CHECKING:
    from bookings.services.schedule import SlotView


class NotYours(Exception):
    """The booking does not exist or belongs to another member: the view answers 404."""


class Unreachable(Exception):
    """The upstream could not say whose booking this is: ``message`` explains it to the member."""

    def __init__(self, error: errors.ApiError | str) -> None:
        super().__init__(error if isinstance(error, str) else type(error).__name__)
        self.message = error if isinstance(error, str) else message_for(error)


@dataclass
class Outcome:
    ok: bool
    message: str
    status: int = 200  # for the view: 200 done, 422 refused or failed, 404 unknown slot
    slot: SlotView | None = None
    appointment_slot: AppointmentSlot | None = None
    in_progress: bool = False  # another request is sending this form right now: the page polls


def when(value: datetime | None) -> str:
    """A date and time in the active language (the value is already in the studio's zone)."""
    if value is None:
        return ""
    return f"{formats.date_format(value, 'DATE_FORMAT')}, {formats.time_format(value, 'TIME_FORMAT')}"


def first_error(results: list[Cached[Any]]) -> errors.ApiError | None:
    return next((result.error for result in results if result.error is not None), None)


# How old a listing may be and still offer booking: the booking call validates upstream anyway, so
# a listing the upstream could not refresh a moment ago is still good enough to book from.
BOOKABLE_AGE = 15 * 60.0


def booking_available(studio: Studio, loaded: list[Cached[Any]], *operations: str) -> bool:
    """Whether a page offers booking: something listed, not too old, and the booking operations
    themselves not paused after a 429 (a failed or paused *read* does not switch booking off)."""
    if not loaded or any(not result.has_value for result in loaded):
        return False
    oldest = min(result.stored_at or 0.0 for result in loaded)
    if swr.clock() - oldest > BOOKABLE_AGE:
        return False
    return not reads.any_paused(studio, *operations)


class Owned(Protocol):
    @property
    def customer_id(self) -> int | None: ...


OwnedT = TypeVar("OwnedT", bound=Owned)
T = TypeVar("T")
RequestT = TypeVar("RequestT")


def owned(fetch: Callable[[], OwnedT], customer_id: int) -> OwnedT:
    """A booking read by its id, when it is the member's: NotYours for anyone else's, Unreachable when
    the upstream could not say."""
    try:
        found = fetch()
    except errors.NotFound as exc:
        raise NotYours from exc
    except errors.ApiError as exc:
        raise Unreachable(exc) from exc
    if found.customer_id != customer_id:
        raise NotYours
    return found


# --- Writes ----------------------------------------------------------------------------------------
def _status_from_error(exc: errors.BadRequest, known: Mapping[str, object]) -> str | None:
    """A 400 of a book call carries the validationStatus as ``errormessage.booking.<status>``."""
    code = (exc.error_code or "").rsplit(".", 1)[-1].upper()
    return code if code in known and code != "AVAILABLE" else None


Step = tuple[str, Callable[[PerfectGymClient, RequestT], T]]  # an operation and the client's method for it


def validate_then_book(
    studio: Studio,
    request: RequestT,
    validate: Step[RequestT, Any],
    book: Step[RequestT, T],
    statuses: Mapping[str, object],
) -> T:
    """Validate, then book (never retried); a refusal at either step is refused with its status.

    The validation writes nothing and the book call validates upstream too: when the validation cannot
    answer (timed out, failed, or paused after a 429), the booking goes ahead without it.
    """
    try:
        validation = read(studio, validate[0], lambda client: validate[1](client, request))
    except (errors.Unavailable, errors.RateLimited):
        validation = None
    if validation is not None and validation.validation_status != "AVAILABLE":
        raise writes.Refused({"status": validation.validation_status})
    try:
        result = read(studio, book[0], lambda client: book[1](client, request))
    except errors.BadRequest as exc:
        status = _status_from_error(exc, statuses)
        if status is None:
            raise
        raise writes.Refused({"status": status}) from exc
    return result


def unfinished_message(
    outcome: writes.Outcome,
    *,
    unconfirmed: Promise = texts.UNCONFIRMED,
    not_sent: Promise = texts.NOT_SENT,
    refused: Callable[[errors.BadRequest], str] | None = None,
) -> str:
    """Why a write did not go through (or is not known to have), in the member's words."""
    if outcome.expired:
        return str(texts.FORM_EXPIRED)
    if outcome.in_progress:
        return str(texts.IN_PROGRESS)
    if outcome.unknown:
        return str(unconfirmed)
    if outcome.error is None or outcome.result.get("reason") == "NOT_FOUND":
        return str(not_sent)
    if refused is not None and isinstance(outcome.error, errors.BadRequest):
        return refused(outcome.error)
    return message_for(outcome.error)


def booking_message(outcome: writes.Outcome, results: Mapping[str, Promise], refusal: Callable[[str], str]) -> str:
    """What a booking attempt says: the booking's status, the refusal, or why it did not go through."""
    status = outcome.result.get("status", "")
    if outcome.ok:
        return str(results.get(status, results["BOOKED"]))
    if outcome.state == writes.State.REFUSED and status:
        return refusal(status)
    return unfinished_message(outcome)


# --- Cancelations ----------------------------------------------------------------------------------
def _cancel_refused(exc: errors.BadRequest) -> str:
    return str(texts.CANCEL_ERROR_CODES.get(exc.error_code or "") or texts.CANCEL_REFUSED)


def _already_canceled(exc: errors.BadRequest) -> bool:
    return texts.CANCEL_ERROR_CODES.get(exc.error_code or "") is texts.ALREADY_CANCELED


def cancel_once(
    studio: Studio,
    customer_id: int,
    action: str,
    booking_id: int,
    *,
    send: Callable[[], object] | None = None,
    canceled: Callable[[], bool] | None = None,
    done: Promise = texts.CANCELED,
    details: dict[str, Any] | None = None,
    changes: Sequence[writes.Change] = (),
    poll: bool = False,
) -> Outcome:
    """Send one cancelation through ``portal.writes``; ``canceled`` reads whether it happened after a lost answer.

    A booking is canceled once: its id is the idempotency key, so no form has to carry one.
    ``poll``: only show what became of the cancelation being sent (``send`` and ``canceled`` unused).
    """
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"{studio.pk}/{action}/{booking_id}")

    def write() -> writes.Result:
        try:
            if send is not None:
                send()
        except errors.BadRequest as exc:
            if not _already_canceled(exc):
                raise
        return {"status": "CANCELED"}

    def reconcile() -> writes.Result | None:
        return {"status": "CANCELED"} if canceled and canceled() else None

    outcome = writes.run_once(
        studio,
        actor(customer_id),
        key,
        write,
        reconcile,
        action=action,
        target={"booking": booking_id},
        audit={"booking": booking_id, **(details or {})},
        changes=changes,
        poll=poll,
    )
    if isinstance(outcome.error, errors.NotFound):
        raise NotYours from outcome.error
    if outcome.ok:
        return Outcome(True, str(done))
    if outcome.in_progress:
        return Outcome(False, str(texts.CANCEL_IN_PROGRESS), status=202, in_progress=True)
    message = unfinished_message(
        outcome, unconfirmed=texts.CANCEL_UNCONFIRMED, not_sent=texts.CANCEL_NOT_SENT, refused=_cancel_refused
    )
    return Outcome(False, message, status=422)


def http_status(outcome: writes.Outcome) -> int:
    """For the view: 200 done, 202 still being sent (the page polls), 422 refused or failed."""
    if outcome.ok:
        return 200
    return 202 if outcome.in_progress else 422


def not_cancelable(active: bool, can_cancel: bool) -> Outcome | None:
    """The answer without sending anything: already canceled (done), or too late to cancel online."""
    if not active:
        return Outcome(True, str(texts.ALREADY_CANCELED))
    if not can_cancel:
        return Outcome(False, str(texts.CANCEL_TOO_LATE), status=422)
    return None
