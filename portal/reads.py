"""The one upstream read path: every app reads the API through here, with one cache policy per operation.

- ``read(studio, operation, fetch, key=...)``: one value, or the ``ApiError`` why there is none;
- ``read_many(Read(...), ...)``: several at once, loaded concurrently (``UPSTREAM_CONCURRENCY``), as
  ``Cached`` results that say whether a value is stale (for pages that show "may be out of date");
- ``call(studio, operation, fetch)``: one uncached call (writes use it too); ``read_now(Read(...))``:
  a read that must see the upstream as it is now (reconciling a lost answer), kept for the next reader;
- ``invalidate(studio, operation, key)``: what a write calls for every cached read it changed.

Every call goes through the API's rate-limit rule: after a 429 an operation is left alone for the rest
of the minute, for the whole studio and every worker (the pause is kept in the shared cache).

``POLICY`` is the one table of cache policy. An operation in it is kept in cache layer one
(``portal.lib.cache``, stale-while-revalidate, one refresh per key); any other operation is called
every time. Member-private data stays uncached, except the member's own bookings, which the
schedule reads for every page, and contracts, which every account page and contract form checks.
The other caches are the per-process studio lookup (``portal.studios``) and the rendered public pages
(``portal.pagecache``), which ``invalidate`` renders again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.cache import cache

from portal import counting, pagecache
from portal.lib import cache as swr
from portal.lib import concurrency
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym.client import PerfectGymClient
from portal.upstream import client_for

logger = logging.getLogger("portal.reads")

T = TypeVar("T")
Cached = swr.Cached
DAY = 24 * 3600.0


@dataclass(frozen=True)
class Policy:
    fresh: float  # seconds served without asking the upstream
    stale: float  # older than fresh, younger than this: served at once, refreshed behind it
    ttl: float  # how long the last known value is kept for when the upstream is down
    private: bool = False  # a member's own data: its key must name the member (never one entry for all)


MEMBER = {"private": True}
POLICY: dict[str, Policy] = {
    # Studio-wide and public: the same for every visitor.
    "getStudioInformation": Policy(fresh=300, stale=3600, ttl=DAY),
    "getActiveClasses": Policy(fresh=300, stale=3600, ttl=DAY),
    "getClassSlotsForMultipleClasses": Policy(fresh=30, stale=300, ttl=DAY),
    "getUtilization": Policy(fresh=60, stale=600, ttl=DAY),
    "getBookableAppointments": Policy(fresh=300, stale=3600, ttl=DAY),
    "getBookableAppointmentSlots": Policy(fresh=60, stale=300, ttl=DAY),
    "getBookableTrialOfferClasses": Policy(fresh=120, stale=120, ttl=DAY),
    "getBookableTrialOfferAppointments": Policy(fresh=120, stale=120, ttl=DAY),
    "getTrialOfferConfig": Policy(fresh=300, stale=300, ttl=DAY),
    "getClassSlotsForTrialOffers": Policy(fresh=30, stale=120, ttl=DAY),
    "getBookableAppointmentSlotsForTrialOffers": Policy(fresh=60, stale=300, ttl=DAY),
    "getContractCancelationReasonData": Policy(fresh=300, stale=3600, ttl=DAY),
    # A member's own bookings: every schedule page marks them (a write invalidates them).
    "getClassBookingsByCustomerId": Policy(fresh=60, stale=600, ttl=3600, **MEMBER),
    "getAppointmentBookings": Policy(fresh=60, stale=600, ttl=3600, **MEMBER),
    # A member's contracts and account: every account page and contract write checks them (the writes that
    # change them invalidate them; reconciling reads them now). Never served stale while the API answers;
    # while it does not, the last known value is shown, labelled as possibly out of date.
    "getContractData": Policy(fresh=60, stale=60, ttl=3600, **MEMBER),
    "getCustomerById": Policy(fresh=60, stale=60, ttl=3600, **MEMBER),
}


def scope(studio: Studio) -> str:
    return f"studio:{studio.pk}"


# --- The API's rate limit: after a 429, leave the operation alone for the rest of the minute ----------
def _pause_key(studio: Studio, operation: str) -> str:
    return f"upstream:429:{scope(studio)}:{operation}"


def paused_until(studio: Studio, operation: str) -> float | None:
    until = cache.get(_pause_key(studio, operation))
    return until if until and until > swr.clock() else None


def any_paused(studio: Studio, *operations: str) -> bool:
    """True while one of ``operations`` is paused after a 429 (pages say "booking is not possible")."""
    found = cache.get_many([_pause_key(studio, operation) for operation in operations])
    now = swr.clock()
    return any(until and until > now for until in found.values())


def lift_pauses(studio: Studio, *operations: str) -> None:
    """End the pauses of ``operations`` (the fault drill starts each phase in a new minute)."""
    cache.delete_many([_pause_key(studio, operation) for operation in operations])


def _pause(studio: Studio, operation: str, retry_after: float | None) -> None:
    seconds = swr.rest_of_minute(retry_after)
    cache.set(_pause_key(studio, operation), swr.clock() + seconds, timeout=math.ceil(seconds) + 1)
    logger.warning("upstream rate limit: pausing op=%s scope=%s for %.0fs", operation, scope(studio), seconds)


@contextmanager
def guard(studio: Studio, operation: str) -> Iterator[None]:
    """Raise ``PausedLocally`` without calling while ``operation`` is paused; start the pause on a 429."""
    until = paused_until(studio, operation)
    if until is not None:
        raise errors.PausedLocally(operation, error_message="paused after a 429", retry_after=until - swr.clock())
    try:
        yield
    except errors.PausedLocally:
        raise
    except errors.RateLimited as exc:
        _pause(studio, exc.operation or operation, exc.retry_after)
        raise


def call(studio: Studio, operation: str, fetch: Callable[[PerfectGymClient], T], *, language: str | None = None) -> T:
    """One upstream call now, through the 429 pause. ``language``: None is the visitor's."""
    # Every call of the one read and write path counts for its studio (portal.counting: upstream health).
    with counting.calls_of(studio), guard(studio, operation):
        return fetch(client_for(studio, language=language))


# --- Cached reads -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Read(Generic[T]):
    """One read: ``fetch`` asks the client and returns the value to keep (small, picklable, never None).

    ``key`` tells apart the reads of one operation (a customer, a window start, a language). Cached
    values are read in the studio's language, so they do not depend on the visitor's, unless the
    read names a ``language`` (and has it in its key).
    """

    studio: Studio
    operation: str
    fetch: Callable[[PerfectGymClient], T]
    key: tuple[Hashable, ...] = ()
    language: str | None = None

    @property
    def policy(self) -> Policy | None:
        return POLICY.get(self.operation)

    def load(self) -> T:
        language = self.language
        if language is None and self.policy is not None:
            language = self.studio.default_language
        return call(self.studio, self.operation, self.fetch, language=language)

    def source(self, policy: Policy) -> swr.Source[T]:
        if policy.private and not self.key:
            raise ValueError(f"{self.operation} is a member's own data: its cache key must name the member")
        return swr.Source(
            _cache_key(self.studio, self.operation, self.key),
            self.load,
            fresh_for=policy.fresh,
            serve_stale_for=policy.stale,
            keep_for=policy.ttl,
            generation=_generation(self.studio, self.operation),
        )


def _cache_key(studio: Studio, operation: str, key: tuple[Hashable, ...]) -> str:
    return ":".join(["rd", str(studio.pk), operation, *map(str, key)])


def _generation(studio: Studio, operation: str) -> str:
    return f"rd:{studio.pk}:{operation}:generation"


def read_many(*reads: Read[Any]) -> list[Cached[Any]]:
    """Each read's result in order: cached ones per ``POLICY``, the rest called; all that must go
    upstream are called concurrently."""
    cached = [(index, item.source(item.policy)) for index, item in enumerate(reads) if item.policy is not None]
    direct = [(index, item) for index, item in enumerate(reads) if item.policy is None]
    results: dict[int, Cached[Any]] = {}
    if cached:
        found = swr.fetch(*[source for _index, source in cached])
        for (index, _source), result in zip(cached, found, strict=True):
            results[index] = result
    if direct:
        values = concurrency.gather(*[item.load for _index, item in direct], return_exceptions=True)
        for (index, _item), value in zip(direct, values, strict=True):
            if isinstance(value, errors.ApiError):
                results[index] = Cached(None, error=value)
            elif isinstance(value, BaseException):
                raise value
            else:
                results[index] = Cached(value, stored_at=swr.clock())
    return [results[index] for index in range(len(reads))]


def read(
    studio: Studio,
    operation: str,
    fetch: Callable[[PerfectGymClient], T],
    *,
    key: tuple[Hashable, ...] = (),
    language: str | None = None,
) -> T:
    """The value (possibly stale when the upstream is down); raises the ``ApiError`` when there is none."""
    if operation not in POLICY:
        return call(studio, operation, fetch, language=language)
    result = read_many(Read(studio, operation, fetch, key, language))[0]
    if not result.has_value or result.value is None:
        raise result.error or errors.Unavailable(operation)
    return result.value


def value(wanted: Read[T]) -> T:
    """``read`` for a prepared ``Read``."""
    return read(wanted.studio, wanted.operation, wanted.fetch, key=wanted.key, language=wanted.language)


def read_now(wanted: Read[T]) -> T:
    """The value as the upstream has it now, never from the cache (reconciling a lost answer); raises
    ``ApiError``. A cached read keeps what it found, so the page shown next needs no second call."""
    value = wanted.load()
    if wanted.policy is not None:
        swr.put(wanted.source(wanted.policy), value)
    return value


def invalidate(studio: Studio, operation: str, key: tuple[Hashable, ...] | None = None) -> None:
    """After a write: the next read of this key (``None``: of every key of the operation) asks the upstream,
    and the studio's kept public pages are rendered again (``portal.pagecache``)."""
    pagecache.bump(studio.slug)
    if key is None:
        swr.bump(_generation(studio, operation))
    else:
        swr.invalidate(_cache_key(studio, operation, key))
