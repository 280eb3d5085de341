"""Gunicorn server hooks for prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``).

Import them in the gunicorn config file: ``from portal.gunicorn_hooks import child_exit, on_starting``.
Each worker writes its metrics to files in that directory; the directory must start empty at each
deployment start, or counts of an earlier run (other pids) are added in. ``on_starting`` empties it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

# prometheus-client's file names: <kind>_<pid>.db (live gauges: gauge_live<mode>_<pid>.db).
METRIC_FILE_PATTERNS = ("counter_*.db", "histogram_*.db", "gauge_*.db", "summary_*.db")


def on_starting(server: Any) -> None:
    """In the master, before any worker: remove the metric files an earlier run left behind."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    for pattern in METRIC_FILE_PATTERNS:  # only prometheus' files, whatever else the directory holds
        for stale in Path(directory).glob(pattern):
            stale.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges no longer count (its counters and histograms still do)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
