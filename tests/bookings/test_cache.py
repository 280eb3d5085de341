"""The read path: portal.lib.cache (stale-while-revalidate, one refresh per key), portal.reads (cache policy,
invalidation by key, 429 pause) and portal.lib.concurrency."""

from __future__ import annotations

import threading
import time
import types

import pytest
from django.db import connection
from django.test import override_settings

from portal import reads
from portal.lib import cache as swr
from portal.lib import concurrency
from portal.perfectgym import errors
from portal.perfectgym.timing import UpstreamTimer, current_timer, record_call


class Clock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(swr, "clock", fake)
    return fake


class Loader:
    """A source's loader that counts its calls and answers what it is told to."""

    def __init__(self) -> None:
        self.calls = 0
        self.answer: object = "v1"

    def __call__(self):
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def source(loader, **kwargs) -> swr.Source:
    return swr.Source("test:key", loader, **{"fresh_for": 30, **kwargs})


def test_a_fresh_value_is_served_without_loading_again(clock):
    loader = Loader()
    assert swr.fetch_one(source(loader)).value == "v1"
    clock.now += 29
    result = swr.fetch_one(source(loader))
    assert (result.value, result.stale, loader.calls) == ("v1", False, 1)


def test_a_stale_value_is_served_at_once_and_refreshed_once(clock):
    loader = Loader()
    swr.fetch_one(source(loader))
    clock.now += 31
    loader.answer = "v2"
    # The pool is off in tests: the background refresh runs inline, after the stale value was chosen.
    first = swr.fetch_one(source(loader))
    assert first.value == "v1" and not first.stale
    assert loader.calls == 2
    assert swr.fetch_one(source(loader)).value == "v2"
    assert loader.calls == 2


def test_only_one_refresh_per_key_while_its_lock_is_held(clock):
    loader = Loader()
    swr.fetch_one(source(loader))
    clock.now += 31
    from django.core.cache import cache

    cache.add(swr._lock_key("test:key"), 1)  # another worker is refreshing it
    for _ in range(5):
        assert swr.fetch_one(source(loader)).value == "v1"
    assert loader.calls == 1


def test_a_value_too_old_to_serve_is_refreshed_before_answering(clock):
    loader = Loader()
    swr.fetch_one(source(loader, serve_stale_for=60))
    clock.now += 61
    loader.answer = "v2"
    assert swr.fetch_one(source(loader, serve_stale_for=60)).value == "v2"


def test_a_failed_refresh_keeps_the_last_value_flags_it_and_backs_off(clock):
    loader = Loader()
    swr.fetch_one(source(loader, serve_stale_for=60))
    clock.now += 61
    loader.answer = errors.Unavailable("getThing", status=503)
    result = swr.fetch_one(source(loader, serve_stale_for=60))
    assert (result.value, result.stale) == ("v1", True)
    assert isinstance(result.error, errors.Unavailable)
    calls = loader.calls
    clock.now += 5  # within retry_after_failure (10 s): nobody asks the upstream
    assert swr.fetch_one(source(loader, serve_stale_for=60)).stale
    assert loader.calls == calls
    clock.now += 6
    loader.answer = "v2"
    result = swr.fetch_one(source(loader, serve_stale_for=60))
    assert (result.value, result.stale) == ("v2", False)


def test_a_cold_failure_is_remembered_briefly(clock):
    loader = Loader()
    loader.answer = errors.Unavailable("getThing", status=503)
    first = swr.fetch_one(source(loader))
    assert not first.has_value and isinstance(first.error, errors.Unavailable)
    second = swr.fetch_one(source(loader))
    assert isinstance(second.error, errors.Unavailable)
    assert loader.calls == 1
    clock.now += 11
    loader.answer = "v1"
    assert swr.fetch_one(source(loader)).value == "v1"


def test_invalidate_loads_again_but_keeps_the_value_as_fallback(clock):
    loader = Loader()
    swr.fetch_one(source(loader))
    swr.invalidate("test:key")
    loader.answer = errors.Unavailable("getThing", status=503)
    result = swr.fetch_one(source(loader))
    assert (result.value, result.stale, loader.calls) == ("v1", True, 2)


STUDIO = types.SimpleNamespace(pk=1, slug="one", default_language="de")


@pytest.fixture
def no_client(monkeypatch):
    """``portal.reads`` hands each fetch a client; these tests' fetches answer without one."""
    monkeypatch.setattr(reads, "client_for", lambda studio, language=None: None)


def test_a_write_invalidates_one_key_or_every_key_of_an_operation(clock, no_client):
    loader = Loader()

    def slots(start: str) -> reads.Read:
        return reads.Read(STUDIO, "getClassSlotsForMultipleClasses", lambda _client: loader(), key=(start,))

    reads.read_many(slots("a"), slots("b"))
    reads.read_many(slots("a"), slots("b"))
    assert loader.calls == 2  # fresh: from the cache
    reads.invalidate(STUDIO, "getClassSlotsForMultipleClasses", ("a",))
    reads.read_many(slots("a"), slots("b"))
    assert loader.calls == 3  # only the invalidated key
    reads.invalidate(STUDIO, "getClassSlotsForMultipleClasses")
    reads.read_many(slots("a"), slots("b"))
    assert loader.calls == 5  # every key of the operation


def test_operations_without_a_policy_are_asked_every_time(clock, no_client):
    loader = Loader()
    assert "getCustomerContactData" not in reads.POLICY  # member-private: never cached
    for _ in range(2):
        assert reads.read(STUDIO, "getCustomerContactData", lambda _client: loader()) == "v1"
    assert loader.calls == 2


def test_read_now_asks_the_upstream_and_keeps_the_answer_for_the_next_reader(clock, no_client):
    loader = Loader()
    wanted = reads.Read(STUDIO, "getClassBookingsByCustomerId", lambda _client: loader(), key=(7,))
    reads.read_many(wanted)
    loader.answer = "v2"
    assert reads.read_now(wanted) == "v2"
    assert reads.read_many(wanted)[0].value == "v2" and loader.calls == 2


def test_bumping_a_generation_invalidates_every_entry_that_names_it(clock):
    loader = Loader()
    named = swr.Source("test:key", loader, fresh_for=30, generation="test:gen")
    swr.fetch_one(named)
    swr.bump("test:gen")
    loader.answer = "v2"
    assert swr.fetch_one(named).value == "v2"


def test_several_missing_sources_load_in_one_go(clock):
    a, b = Loader(), Loader()
    b.answer = "b"
    results = swr.fetch(swr.Source("k:a", a, fresh_for=5), swr.Source("k:b", b, fresh_for=5))
    assert [r.value for r in results] == ["v1", "b"]


# --- The 429 pause ---------------------------------------------------------------------------------------
def test_after_a_429_the_endpoint_is_left_alone_for_the_rest_of_the_minute(clock):
    clock.now = 60 * 1000 + 15  # 15 s into a minute
    calls = []

    def call():
        calls.append(1)
        raise errors.RateLimited("getClassSlots", status=429)

    one, two = types.SimpleNamespace(pk=1, slug="one"), types.SimpleNamespace(pk=2, slug="two")
    with pytest.raises(errors.RateLimited), reads.guard(one, "getClassSlots"):
        call()
    for _ in range(3):
        with pytest.raises(errors.RateLimited), reads.guard(one, "getClassSlots"):
            call()
    assert len(calls) == 1
    assert reads.any_paused(one, "getActiveClasses", "getClassSlots")
    # Other endpoints and other studios are not affected.
    with reads.guard(one, "getActiveClasses"):
        pass
    with reads.guard(two, "getClassSlots"):
        pass
    clock.now = 60 * 1001 + 1  # the next minute
    with reads.guard(one, "getClassSlots"):
        pass
    assert not reads.any_paused(one, "getClassSlots")


def test_a_refresh_that_hits_the_rate_limit_backs_off_until_the_next_minute(clock):
    clock.now = 60 * 1000 + 50
    loader = Loader()
    short = {"fresh_for": 5, "serve_stale_for": 5}
    swr.fetch_one(source(loader, **short))
    clock.now += 6
    loader.answer = errors.RateLimited("getThing", status=429, retry_after=4)
    assert swr.fetch_one(source(loader, **short)).stale
    clock.now += 3  # still the same minute: not asked again
    swr.fetch_one(source(loader, **short))
    assert loader.calls == 2


# --- Concurrency -----------------------------------------------------------------------------------------
def test_gather_keeps_order_and_raises_the_first_error():
    assert concurrency.gather(lambda: 1, lambda: 2, lambda: 3) == [1, 2, 3]
    boom = errors.Unavailable("x")
    with pytest.raises(errors.Unavailable):
        concurrency.gather(lambda: 1, lambda: (_ for _ in ()).throw(boom))
    assert concurrency.gather(lambda: 1, lambda: (_ for _ in ()).throw(boom), return_exceptions=True) == [1, boom]


@pytest.mark.django_db(transaction=True)
@override_settings(UPSTREAM_CONCURRENCY=4)
def test_the_thread_pool_runs_calls_at_the_same_time_and_counts_them_for_server_timing():
    timer = UpstreamTimer()
    token = current_timer.set(timer)
    threads: set[str] = set()
    # All four must be running at once to pass the barrier (overlap, not wall time, is checked).
    together = threading.Barrier(4, timeout=10)

    def call():
        threads.add(threading.current_thread().name)
        connection.ensure_connection()  # a pool thread opens its own connection...
        together.wait()
        record_call(200.0)
        return threading.current_thread().name

    try:
        names = concurrency.gather(call, call, call, call)
    finally:
        current_timer.reset(token)
    assert len(set(names)) == 4 and any(name.startswith("upstream") for name in names)
    assert timer.calls == 4  # the copied context carried the response's timer into the threads


@pytest.mark.django_db(transaction=True)
@override_settings(UPSTREAM_CONCURRENCY=4)
def test_pool_threads_close_their_database_connections():
    from django.db import connections

    seen = []

    def call():
        connection.ensure_connection()
        seen.append(connections["default"])
        return True

    concurrency.gather(lambda: True, call)
    time.sleep(0.05)
    pool_connection = seen[0]
    assert pool_connection.connection is None  # closed when the call ended


@pytest.mark.django_db(transaction=True)
@override_settings(UPSTREAM_CONCURRENCY=4)
def test_a_cold_schedule_loads_its_upstream_reads_concurrently(demo_studio_committed, upstream_latency, monkeypatch):
    """The five reads of a cold schedule are in flight together, not one after the other.

    Measured by overlap, not by wall time (speed is the benchmark's job): the sandbox's
    injected latency is replaced by a pause that counts how many calls wait at once.
    """
    import threading
    import types

    from bookings import services

    lock, in_flight, peak = threading.Lock(), [0], [0]

    def pause(seconds: float) -> None:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(seconds)
        with lock:
            in_flight[0] -= 1

    monkeypatch.setattr("sandbox.views.time", types.SimpleNamespace(sleep=pause, time=time.time))
    timer = UpstreamTimer()
    token = current_timer.set(timer)
    try:
        data = services.schedule_data(demo_studio_committed, None)
    finally:
        current_timer.reset(token)
    assert data.slots and not data.problem
    assert timer.calls == 5
    assert peak[0] >= 4, f"at most {peak[0]} upstream calls were in flight at once"


def test_background_work_never_counts_for_the_current_response():
    timer = UpstreamTimer()
    token = current_timer.set(timer)
    try:
        concurrency.background(lambda: record_call(5.0))
    finally:
        current_timer.reset(token)
    assert timer.calls == 0
