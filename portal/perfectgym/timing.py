"""Counting upstream calls per portal response (for the Server-Timing header), and telling listeners.

``call_listeners`` are told of every attempt (operation, HTTP status or None when no answer came,
milliseconds); ``portal.metrics`` registers one at start-up. The client itself knows nothing of them.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class UpstreamTimer:
    calls: int = 0
    total_ms: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, duration_ms: float) -> None:
        with self._lock:  # calls may run concurrently in worker threads
            self.calls += 1
            self.total_ms += duration_ms

    def header_value(self) -> str:
        noun = "call" if self.calls == 1 else "calls"
        return f'upstream;dur={self.total_ms:.1f};desc="{self.calls} {noun}"'


current_timer: contextvars.ContextVar[UpstreamTimer | None] = contextvars.ContextVar("upstream_timer", default=None)
# The studio whose calls these are (set by portal.reads.call), so listeners can count per studio; None: nobody's.
current_studio_pk: contextvars.ContextVar[int | None] = contextvars.ContextVar("upstream_studio_pk", default=None)
CallListener = Callable[[str, int | None, float], None]
call_listeners: list[CallListener] = []


def record_call(duration_ms: float, operation: str = "", status: int | None = None) -> None:
    timer = current_timer.get()
    if timer is not None:
        timer.record(duration_ms)
    for listener in call_listeners:
        listener(operation, status, duration_ms)
