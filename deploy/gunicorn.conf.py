"""Gunicorn settings of one reference instance (scripts/deploy_local.py adds --bind, --workers, --threads).

Run as ``gunicorn portal.wsgi -c deploy/gunicorn.conf.py --bind ... --workers 2 --threads 4``.
"""

from __future__ import annotations

import contextlib

wsgi_app = "portal.wsgi"
worker_class = "gthread"
# Longer than nginx keeps idle upstream connections (keepalive_timeout 60s in nginx.conf.template):
# the instance must not close a connection nginx is about to reuse.
keepalive = 75
# A stop (Ctrl-C of deploy_local.py) waits this long for requests in flight.
graceful_timeout = 10
timeout = 60
# Prometheus multiprocess mode: empty PROMETHEUS_MULTIPROC_DIR at start, forget ended workers' gauges.
with contextlib.suppress(ImportError):
    from portal.gunicorn_hooks import child_exit, on_starting  # noqa: F401
