"""Independent upstream calls at the same time, so a page costs one round trip instead of several.

One small thread pool per process (``UPSTREAM_CONCURRENCY`` threads, default 8) is shared by all
requests. Each call runs in a copy of the caller's context, so the active language and the
Server-Timing counter (``portal.perfectgym.timing``) carry over; database connections a call
opened in a pool thread are closed when it ends (the in-process sandbox reads the database).

``UPSTREAM_CONCURRENCY = 0`` runs everything inline in the calling thread: the test suite does
that, because pytest-django's ``db`` fixture wraps each test in a transaction that other threads
cannot see.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

from portal.perfectgym.timing import current_timer

logger = logging.getLogger("portal.concurrency")

T = TypeVar("T")
DEFAULT_SIZE = 8

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_size = 0
_worker = threading.local()


def pool_size() -> int:
    return max(0, int(getattr(settings, "UPSTREAM_CONCURRENCY", DEFAULT_SIZE)))


def _pool() -> ThreadPoolExecutor | None:
    """The shared pool, created lazily (after gunicorn forks) and again when the setting changes (tests)."""
    global _executor, _executor_size
    size = pool_size()
    if size == 0:
        return None
    executor = _executor
    if executor is not None and _executor_size == size:
        return executor  # the usual case: no lock to take
    with _lock:
        if _executor is None or _executor_size != size:
            old = _executor
            _executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="upstream")
            _executor_size = size
            if old is not None:
                old.shutdown(wait=False)
        return _executor


def in_pool_thread() -> bool:
    return getattr(_worker, "active", False)


def _in_worker(call: Callable[[], T]) -> Callable[[], T]:
    def run() -> T:
        _worker.active = True
        try:
            return call()
        finally:
            _worker.active = False
            # This thread is not a request thread: nobody else would ever close what the call opened.
            connections.close_all()

    return run


def _capture(call: Callable[[], T]) -> tuple[bool, Any]:
    try:
        return True, call()
    except Exception as exc:  # noqa: BLE001  (handed back to the caller, who decides)
        return False, exc


def _future_outcome(future: Future) -> tuple[bool, Any]:
    try:
        return True, future.result()
    except Exception as exc:  # noqa: BLE001
        return False, exc


def gather(*calls: Callable[[], Any], return_exceptions: bool = False) -> list[Any]:
    """Run the calls concurrently and return their results in order.

    The first call runs in the calling thread (one fewer hand-over, one fewer pool thread); the
    others in the pool. All calls finish before this returns. An exception is raised (the first
    in order) unless ``return_exceptions``, which puts it in the result list instead. Calls made
    from a pool thread run inline, so nested use can never wait on a pool it is blocking.
    """
    executor = _pool()
    if executor is None or len(calls) <= 1 or in_pool_thread():
        outcomes = [_capture(call) for call in calls]
    else:
        futures = [executor.submit(contextvars.copy_context().run, _in_worker(call)) for call in calls[1:]]
        outcomes = [_capture(calls[0])] + [_future_outcome(future) for future in futures]
    if not return_exceptions:
        for ok, value in outcomes:
            if not ok:
                raise value
    return [value for _ok, value in outcomes]


def background(call: Callable[[], Any]) -> None:
    """Run ``call`` later in the pool (inline when the pool is off); errors are logged, not raised.

    The call does not count towards the current response's Server-Timing: the response does not wait for it.
    """

    def logged() -> None:
        try:
            call()
        except Exception:  # noqa: BLE001  (nobody is waiting for this result)
            logger.exception("background task failed")

    executor = _pool()
    if executor is None or in_pool_thread():
        token = current_timer.set(None)
        try:
            logged()
        finally:
            current_timer.reset(token)
        return
    context = contextvars.copy_context()
    context.run(current_timer.set, None)
    executor.submit(context.run, _in_worker(logged))
