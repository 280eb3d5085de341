"""Cache layer one: upstream values in the shared cache, stale-while-revalidate, one refresh per key.

What it holds: the values of upstream reads whose operation has a cache policy (``portal.reads.POLICY``),
each under its own key; nothing else. How it is invalidated: entries age out by their policy (fresh,
then stale, then gone after ``keep_for``), and a write drops the keys it touched with ``invalidate``
(or every key of an operation with ``bump``); cached values are never edited.

A ``Source`` names one cached upstream read (its key, its loader and how long it stays fresh).
``fetch(*sources)`` answers from the cache when it can and loads what is missing **concurrently**
(``portal.lib.concurrency``), so a cold page costs about one upstream round trip and a warm one none:

- fresh: the cached value, no upstream call;
- stale (older than ``fresh_for``, younger than ``serve_stale_for``): the cached value at once, and
  one background refresh per key at a time (a lock in the shared cache): no thundering herd;
- missing, invalidated or too old: loaded now; requests that find the key's lock taken serve the
  last known value meanwhile, or wait for the loader when there is none;
- a failed load keeps the last known value, flags it ``stale`` ("may be out of date") and is not
  retried for ``retry_after_failure`` seconds; with no value at all the error is remembered for
  as long, so a down upstream is asked once per key and interval, not once per visitor.

Each entry is two cache keys: a small ``meta`` (version, times, failure) read on every request,
and the value. Callers use ``portal.reads``, which builds the sources from its policy table.
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache

from portal.lib import concurrency
from portal.perfectgym import errors

logger = logging.getLogger("portal.cache")

T = TypeVar("T")
PREFIX = "swr:"
WAIT_STEP = 0.02
# Told what each lookup found: "fresh", "stale" (served while refreshing or after a failed refresh),
# "miss" (loaded now, or waited for another loader) or "failure" (a remembered failed load).
# portal.metrics counts them in-process; a listener must be cheap and never touch the cache.
lookup_listeners: list[Callable[[str], None]] = []


def clock() -> float:
    """Wall-clock seconds; shared across workers through the cache (tests replace it)."""
    return time.time()


@dataclass(frozen=True)
class Source(Generic[T]):
    """One cached upstream read. ``load`` returns the value (never None) or raises an ``ApiError``."""

    key: str
    load: Callable[[], T]
    fresh_for: float
    # Older than this, a value is not served without trying a refresh first (unless that fails).
    serve_stale_for: float = 300.0
    # How long the last known value is kept as a fallback for when the upstream is down.
    keep_for: float = 24 * 3600.0
    # After a failed load, the upstream is asked again for this key only after this long.
    retry_after_failure: float = 10.0
    # A cache key whose value changes (``bump``) invalidate every entry that names it.
    generation: str | None = None


@dataclass(frozen=True)
class Cached(Generic[T]):
    value: T | None
    stored_at: float | None = None
    stale: bool = False  # the last refresh failed: show the value with a "may be out of date" note
    error: errors.ApiError | None = None  # why there is no (current) value
    version: str | None = None  # changes whenever the value does (keys for whatever is derived from it)

    @property
    def has_value(self) -> bool:
        return self.stored_at is not None


# --- Keys --------------------------------------------------------------
def _meta_key(key: str) -> str:
    return f"{PREFIX}m:{key}"


def _data_key(key: str) -> str:
    return f"{PREFIX}d:{key}"


def _lock_key(key: str) -> str:
    return f"{PREFIX}l:{key}"


def _lock_timeout() -> int:
    # Longer than one load can take with its read retries; a crashed loader's lock expires by itself.
    per_try = settings.UPSTREAM_CONNECT_TIMEOUT + settings.UPSTREAM_READ_TIMEOUT
    return int(min(120, per_try * (1 + settings.UPSTREAM_GET_RETRIES) + 5))


def _wait_limit() -> float:
    return settings.UPSTREAM_CONNECT_TIMEOUT + settings.UPSTREAM_READ_TIMEOUT


# --- Errors remembered in meta (exceptions themselves are not cached) ------------------------------
def _error_record(exc: errors.ApiError) -> dict[str, Any]:
    return {"class": type(exc).__name__, "operation": exc.operation, "status": exc.status}


def _error_from(record: dict[str, Any] | None) -> errors.ApiError:
    record = record or {}
    klass = getattr(errors, str(record.get("class")), None)
    if not (isinstance(klass, type) and issubclass(klass, errors.ApiError)):
        klass = errors.Unavailable
    return klass(str(record.get("operation") or "cache"), status=record.get("status"))


# --- Reading --------------------------------------------------------------------------------------
@dataclass
class _Plan:
    source: Source[Any]
    meta: dict[str, Any]  # empty when the key has no entry
    generation: Any
    value: Any = None
    has_value: bool = False
    version: str | None = None
    result: Cached[Any] | None = None

    def cached(self, *, stale: bool) -> Cached[Any]:
        """The value found in the cache, as a result."""
        return Cached(self.value, self.meta["at"], stale=stale, version=self.version)

    def remembered_failure(self) -> Cached[Any]:
        return Cached(None, error=_error_from(self.meta.get("error")))


def fetch(*sources: Source[Any]) -> list[Cached[Any]]:
    """The values of ``sources`` in order; what must be loaded now is loaded concurrently."""
    now = clock()
    generation_keys = {source.generation for source in sources if source.generation}
    found = cache.get_many([_meta_key(source.key) for source in sources] + sorted(generation_keys))
    plans = [
        _Plan(
            source, found.get(_meta_key(source.key)) or {}, found.get(source.generation) if source.generation else None
        )
        for source in sources
    ]
    _read_values(plans)
    to_load: list[_Plan] = []
    to_wait: list[_Plan] = []
    for plan in plans:
        step = _plan_warm(plan, now) if plan.has_value else _plan_cold(plan, now)
        _tell_lookup(plan, now)
        if step == "load":
            to_load.append(plan)
        elif step == "wait":
            to_wait.append(plan)
    _load_all(to_load)
    if to_wait:
        _wait_for_loaders(to_wait)
    return [_result(plan) for plan in plans]


def _tell_lookup(plan: _Plan, now: float) -> None:
    if not lookup_listeners:
        return
    if plan.result is None:  # "load" or "wait": no usable value in the cache
        result = "miss"
    elif not plan.result.has_value:
        result = "failure"
    elif plan.result.stale or now >= plan.meta["until"]:
        result = "stale"
    else:
        result = "fresh"
    for listener in lookup_listeners:
        listener(result)


def fetch_one(source: Source[T]) -> Cached[T]:
    return fetch(source)[0]


def _take_lock(source: Source[Any]) -> bool:
    """One loader per key across workers: True for the request that may load it."""
    return bool(cache.add(_lock_key(source.key), 1, timeout=_lock_timeout()))


def _plan_cold(plan: _Plan, now: float) -> str:
    """No value cached: a remembered failure, or ``"load"`` it (holding the lock), or ``"wait"`` for its loader."""
    meta = plan.meta
    if meta.get("fail") is not None and now < meta.get("until", 0):
        plan.result = plan.remembered_failure()
        return "done"
    return "load" if _take_lock(plan.source) else "wait"


def _plan_warm(plan: _Plan, now: float) -> str:
    """A value is cached: serve it (refreshing behind it when stale), or ``"load"`` it again now."""
    source, meta = plan.source, plan.meta
    age = now - meta["at"]
    invalid = meta.get("inv") or (source.generation is not None and meta.get("gen") != plan.generation)
    failed = meta.get("fail") is not None
    if not invalid and now < meta["until"]:
        plan.result = plan.cached(stale=failed)
    elif not invalid and age <= source.serve_stale_for:
        if _take_lock(source):
            concurrency.background(lambda: _load(plan))
        plan.result = plan.cached(stale=failed)
    elif _take_lock(source):
        return "load"
    else:
        # Someone else is refreshing it right now: the last known value meanwhile.
        plan.result = plan.cached(stale=failed or age > source.serve_stale_for)
    return "done"


def _load_all(plans: list[_Plan]) -> None:
    """Load these (their locks are held) concurrently."""
    if not plans:
        return
    results = concurrency.gather(*[lambda plan=plan: _load(plan) for plan in plans])
    for plan, result in zip(plans, results, strict=True):
        plan.result = result


def _result(plan: _Plan) -> Cached[Any]:
    if plan.result is None:  # every path of ``fetch`` sets it; a gap would be a bug here
        raise RuntimeError(f"no result for {plan.source.key}")
    return plan.result


def _read_values(plans: list[_Plan]) -> None:
    missing = [plan for plan in plans if plan.meta.get("v") is not None]
    if not missing:
        return
    stored = cache.get_many([_data_key(plan.source.key) for plan in missing])
    for plan in missing:
        item = stored.get(_data_key(plan.source.key))
        if item is None:
            continue  # evicted: load again
        version, value = item
        plan.value, plan.has_value, plan.version = value, True, version


def _load(plan: _Plan) -> Cached:
    """Load one source (its lock is held), store the outcome and release the lock."""
    source = plan.source
    try:
        try:
            value = source.load()
        except errors.ApiError as exc:
            return _store_failure(plan, exc)
        return _store(source, value, generation=plan.generation)
    finally:
        # Only once the outcome is stored: a request in between would find neither the lock nor the value.
        cache.delete(_lock_key(source.key))


def _store(source: Source, value: Any, *, generation: Any, stored_at: float | None = None) -> Cached:
    now = clock()
    version = uuid.uuid4().hex
    timeout = int(source.keep_for)
    cache.set(_data_key(source.key), (version, value), timeout=timeout)
    meta = {
        "v": version,
        "at": stored_at or now,
        "until": now + source.fresh_for,
        "gen": generation,
        "fail": None,
        "keep": timeout,
    }
    cache.set(_meta_key(source.key), meta, timeout=timeout)
    return Cached(value, meta["at"], version=version)


def rest_of_minute(retry_after: float | None = None) -> float:
    """The API's rate-limit rule: after a 429 an endpoint is left alone for the rest of the minute."""
    rest = 60 - clock() % 60
    if retry_after is not None and 0 < retry_after <= 60:
        return max(rest, retry_after)
    return rest


def _failure_pause(source: Source, exc: errors.ApiError) -> float:
    if isinstance(exc, errors.RateLimited):
        return max(source.retry_after_failure, rest_of_minute(exc.retry_after))
    return source.retry_after_failure


def _store_failure(plan: _Plan, exc: errors.ApiError) -> Cached:
    source, now = plan.source, clock()
    logger.info(
        "cache refresh failed key=%s error=%s status=%s trace_id=%s",
        source.key,
        type(exc).__name__,
        exc.status,
        exc.trace_id or "-",
    )
    pause = _failure_pause(source, exc)
    if plan.has_value:
        meta = {**plan.meta, "until": now + pause, "fail": now, "error": _error_record(exc)}
        cache.set(_meta_key(source.key), meta, timeout=int(source.keep_for))
        return Cached(plan.value, plan.meta["at"], stale=True, error=exc, version=plan.version)
    meta = {"v": None, "until": now + pause, "fail": now, "error": _error_record(exc)}
    cache.set(_meta_key(source.key), meta, timeout=math.ceil(pause) + 1)
    return Cached(None, error=exc)


def _wait_for_loaders(plans: list[_Plan]) -> None:
    """Another request holds the lock of these cold keys: wait for its result, then load if it never came."""
    deadline = clock() + _wait_limit()
    pending = list(plans)
    while pending and clock() < deadline:
        time.sleep(WAIT_STEP)
        metas = cache.get_many([_meta_key(plan.source.key) for plan in pending])
        for plan in pending:
            plan.meta = metas.get(_meta_key(plan.source.key)) or {}
        _read_values(pending)
        for plan in pending:
            if plan.has_value:
                plan.result = plan.cached(stale=plan.meta.get("fail") is not None)
            elif plan.meta.get("v") is None and plan.meta.get("fail") is not None:
                plan.result = plan.remembered_failure()
        pending = [plan for plan in pending if plan.result is None]
    # The other loader vanished (its lock will expire): load ourselves rather than fail.
    _load_all(pending)


# --- Changing what is cached ---------------------------------------------------------------------
def invalidate(*keys: str) -> None:
    """The next read of these keys loads them again (the old value stays as the fallback)."""
    metas = cache.get_many([_meta_key(key) for key in keys])
    for key in keys:
        meta = metas.get(_meta_key(key))
        if meta is None:
            continue
        if meta.get("v") is None:
            cache.delete(_meta_key(key))  # a remembered failure: ask again now
        else:
            cache.set(_meta_key(key), {**meta, "inv": True}, timeout=meta.get("keep"))


def put(source: Source[T], value: T) -> None:
    """Store a value just read from the upstream (e.g. to reconcile a lost answer): it counts as fresh."""
    _store(source, value, generation=cache.get(source.generation) if source.generation else None)


def bump(generation: str) -> None:
    """Invalidate every entry whose source names this generation key."""
    cache.set(generation, uuid.uuid4().hex, timeout=None)
