"""The journey's own rows as the services change them, and the one-write-per-form claim.

Each upstream write is recorded ahead in the lead's or booking's status, so a step that stops half-way
(a crash, a timeout) leaves a row that the next submit reads before it sends anything again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from portal import writes
from portal.lib import ratelimit
from portal.models import Studio
from portal.perfectgym import errors
from portal.user_messages import message_for
from trialoffers.models import BookingStatus, Lead, LeadStatus, TrialBooking
from trialoffers.outcomes import Next, Outcome

T = TypeVar("T")


def form_key(studio: Studio, action: str, nonce: str) -> uuid.UUID:
    """The key of one form's write in ``portal.writes`` (the journey's or the voucher form's nonce)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{studio.pk}/{action}/{nonce}")


def alone(studio: Studio, action: str, nonce: str, work: Callable[[], T]) -> T | None:
    """Run ``work`` as the one write of this form (``portal.writes``); None while another request runs it.

    The journey's own rows (lead creation, booking and voucher status) record each upstream write ahead
    and are read before anything is sent again, so the claim is never final: it ends "not written", and
    the next submit of the same form goes on where this one stopped (another time, a fixed form).
    """
    done: list[T] = []

    def write() -> writes.Result:
        done.append(work())
        raise writes.NotWritten({})

    target = {"form": nonce}
    writes.run_once(studio, "lead", form_key(studio, action, nonce), write, lambda: None, action=action, target=target)
    return done[0] if done else None


def busy(studio: Studio, action: str, nonce: str) -> bool:
    """Another request is running this form's write right now."""
    found = writes.earlier(studio, "lead", form_key(studio, action, nonce), action)
    return found is not None and found.in_progress


def within_limits(studio: Studio, scope: str, client_ip: str, email: str) -> bool:
    """A form's rate limits (``scope``: "trial-lead" or "voucher"): per connection an hour, per address a day."""
    within_ip = ratelimit.hit(
        f"{scope}-ip:{studio.pk}", client_ip, limit=studio.lead_limit_per_ip_per_hour, window=3600
    )
    within_email = ratelimit.hit(
        f"{scope}-email:{studio.pk}", email, limit=studio.lead_limit_per_email_per_day, window=86400
    )
    return within_ip and within_email


def set_lead(lead: Lead, *, status: str | None = None, reason: str | None = None, **changes: object) -> None:
    if status is not None:
        changes["status"] = status
    if reason is not None:
        changes["failure_reason"] = reason
    for name, value in changes.items():
        setattr(lead, name, value)
    lead.save(update_fields=[*changes, "updated_at"])


def set_booking(booking: TrialBooking, **changes: object) -> None:
    for name, value in changes.items():
        setattr(booking, name, value)
    booking.save(update_fields=[*changes, "updated_at"])


def _record(lead: Lead, booking: TrialBooking | None, lead_status: str, booking_status: str, reason: str) -> None:
    if booking is not None:
        set_booking(booking, status=booking_status, failure_reason=reason)
    set_lead(lead, status=lead_status, reason=reason)


def fail(lead: Lead, reason: str, booking: TrialBooking | None = None) -> Outcome:
    """The studio's system refused: recorded, and the visitor's way forward for ``reason``."""
    _record(lead, booking, LeadStatus.FAILED, BookingStatus.FAILED, reason)
    return Outcome.of(reason, booking=booking)


def upstream_failure(lead: Lead, exc: errors.ApiError, booking: TrialBooking | None = None) -> Outcome:
    """A write was refused for a transport reason: nothing happened, the visitor may send again."""
    return _try_again(lead, exc, message_for(exc), booking)


def unanswered(exc: errors.ApiError) -> bool:
    """A pre-check (a validation call, it writes nothing) that could not answer: timed out, failed or
    paused after a 429. The write behind it validates upstream too and its refusals are handled, so
    the journey goes on without the pre-check instead of stopping the visitor."""
    return isinstance(exc, errors.Unavailable | errors.RateLimited)


def validation_failure(lead: Lead, exc: errors.ApiError, booking: TrialBooking | None = None) -> Outcome:
    """A validation call refused by the API itself (not an unanswered one, see ``unanswered``): nothing
    happened, the visitor may send again."""
    return _try_again(lead, exc, message_for(exc), booking)


def _try_again(lead: Lead, exc: errors.ApiError, text: str, booking: TrialBooking | None) -> Outcome:
    reason = f"UPSTREAM_{type(exc).__name__.upper()}"[:60]
    _record(lead, booking, LeadStatus.FAILED, BookingStatus.FAILED, reason)
    return Outcome(next=Next.TRY_AGAIN, reason=reason, text=text, booking=booking)


def unknown(lead: Lead, reason: str, booking: TrialBooking | None = None) -> Outcome:
    """Nobody knows whether the write went through: the next attempt reads first."""
    _record(lead, booking, LeadStatus.UNKNOWN, BookingStatus.UNKNOWN, reason)
    return Outcome.of(reason, booking=booking)
