"""What every self-service topic shares: the app's errors, the write outcome and the audit entry.

The contract with the views: a service the views call raises ``NotOwned`` (the view answers 404),
``Refused`` (a check before writing failed) or ``Unavailable`` (the studio's system could not
answer), each with the member's sentence, and never an ``ApiError`` (``translated``). Readers that
other services build on raise ``ApiError`` for those to handle (reconciling a write reads too).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, cast

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from portal import writes
from portal.models import Studio
from portal.notifications import EmailDeliveryFailed, send_email
from portal.perfectgym import errors
from portal.writes import member_actor as actor
from selfservice.texts import error_sentence

logger = logging.getLogger("portal.selfservice")

P = ParamSpec("P")
R = TypeVar("R")


class NotOwned(Exception):
    """The id is not one of the signed-in customer's own (or the studio's system does not know it): 404."""


class Refused(Exception):
    """A check before writing failed; ``message`` is the member's sentence, ``field`` the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Unavailable(Exception):
    """The studio's system could not answer; ``message`` is the member's sentence (the view answers 503)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def translated(service: Callable[P, R]) -> Callable[P, R]:
    """For the services views call: upstream errors become this app's own (``NotOwned``, ``Unavailable``)."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except errors.NotFound:
            raise NotOwned("not found upstream") from None
        except errors.ApiError as exc:
            raise Unavailable(error_sentence(exc)) from exc

    return wrapper


IN_PROGRESS = gettext_lazy("Your request is being sent right now. Please wait a moment and reload the page.")
NOT_SENT = gettext_lazy("Your request did not reach the studio's system. Please send it again.")


@dataclass
class Outcome:
    """What became of one self-service write (``portal.writes``), with the member's sentence when not ok."""

    write: writes.Outcome
    message: str = ""

    ok = property(lambda self: self.write.ok)
    fresh = property(lambda self: self.write.fresh)
    error = property(lambda self: self.write.error)
    result = property(lambda self: self.write.result)
    key = property(lambda self: self.write.key)
    in_progress = property(lambda self: self.write.in_progress)

    @property
    def renew_key(self) -> bool:
        """The form's key is used up: the page offers a new form (a fresh key) to send again."""
        return self.write.settled and not self.write.ok


def _message(outcome: writes.Outcome) -> str:
    if outcome.ok:
        return ""
    if outcome.in_progress:
        return str(IN_PROGRESS)
    if outcome.error is None or outcome.result.get("reason") == "NOT_FOUND":
        return str(NOT_SENT)  # reading showed it did not happen
    return error_sentence(outcome.error)


def once(
    studio: Studio,
    customer_id: int,
    key: uuid.UUID,
    action: str,
    write: Callable[[], writes.Result],
    reconcile: Callable[[], writes.Result | None],
    *,
    target: dict[str, Any],
    audit: dict[str, Any],
    changes: Sequence[writes.Change] = (),
) -> Outcome:
    """Run ``write`` once for the form's ``key``; a key of another member, action or target is not theirs.

    ``audit``: the ids the audit trail records for the write, ``changes`` the cached reads it changes
    (``portal.writes`` records and invalidates them once)."""
    done = writes.run_once(
        studio, actor(customer_id), key, write, reconcile, action=action, target=target, audit=audit, changes=changes
    )
    if done.expired:
        raise NotOwned(key)
    return Outcome(done, _message(done))


@dataclass(frozen=True)
class Resent:
    """What a form's key says about the form being sent again (double click, reload, retry).

    ``done``: it went through before: show its outcome, send nothing. ``resuming``: its outcome is not
    known yet: it is found out by reading before anything else, even where the page would no longer
    offer the action (it may be exactly what happened).
    """

    done: bool = False
    resuming: bool = False
    key: uuid.UUID | None = None
    target: dict[str, Any] | None = None

    def about(self, target: dict[str, Any]) -> Resent:
        """The same, when the earlier form was about ``target``; else a form sent for the first time."""
        return self if self.target == target else Resent()


def resent(studio: Studio, customer_id: int, raw_key: str | None, action: str) -> Resent:
    """The member's earlier write with the posted key, as the page needs it (nothing posted: not resent)."""
    found = writes.earlier(studio, actor(customer_id), writes.parse_key(raw_key), action)
    if found is None:
        return Resent()
    return Resent(done=found.ok, resuming=found.unfinished, key=found.key, target=found.target)


def write_status(studio: Studio, customer_id: int, raw_key: str | None, action: str) -> Outcome | None:
    """What became of a form being sent (the page polls this while the first request is still sending)."""
    found = writes.earlier(studio, actor(customer_id), writes.parse_key(raw_key), action)
    return Outcome(found, _message(found)) if found is not None else None


def send_mail(
    to: list[str], subject: str | Promise, template: str, context: dict[str, Any], *, language: str, studio: Studio
) -> bool:
    """Mail for the member, sent now (in the worker); a failure is logged without addresses and is False."""
    try:
        send_email(
            to,
            cast(str, subject),  # lazy: rendered in ``language``
            f"selfservice/{template}",
            {"studio": studio, **context},
            language=language,
            reply_to=[studio.contact_email] if studio.contact_email else None,
        )
    except (EmailDeliveryFailed, ValueError):
        logger.warning("selfservice email failed template=%s", template)
        return False
    return True
