"""Where a studio's client comes from: one pooled session per studio per process."""

from __future__ import annotations

import threading

import requests
from django.conf import settings
from django.utils.module_loading import import_string
from requests.adapters import HTTPAdapter

from portal.models import Studio
from portal.perfectgym.client import PerfectGymClient

# Requests to this base never leave the process: the sandbox adapter answers them.
SANDBOX_INPROCESS_BASE = "http://sandbox.internal"

_sessions: dict[tuple, requests.Session] = {}
_sessions_lock = threading.Lock()


def _new_session(sandbox: bool) -> requests.Session:
    session = requests.Session()
    # max_retries=0: retrying is the client's decision (reads only), never urllib3's.
    session.mount("https://", HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0))
    session.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0))
    if sandbox:
        # Named in settings, not imported: the portal knows no app, the sandbox included.
        session.mount(SANDBOX_INPROCESS_BASE + "/", import_string(settings.SANDBOX_ADAPTER)())
    return session


def session_for(studio: Studio) -> requests.Session:
    key = ("sandbox", studio.pk) if studio.is_sandbox else ("live", studio.pk, studio.api_base_url)
    session = _sessions.get(key)
    if session is None:
        with _sessions_lock:
            session = _sessions.get(key)
            if session is None:
                session = _sessions[key] = _new_session(studio.is_sandbox)
    return session


def base_url_for(studio: Studio) -> str:
    if studio.is_sandbox:
        return f"{SANDBOX_INPROCESS_BASE}/sandbox/{studio.slug}"
    return studio.api_base_url


def client_for(studio: Studio, *, language: str | None = None) -> PerfectGymClient:
    return PerfectGymClient(
        base_url=base_url_for(studio),
        api_key=studio.api_key,
        session=session_for(studio),
        language=language,
    )


def reset_sessions() -> None:
    """Drop pooled sessions (tests; after a studio's base URL changes)."""
    with _sessions_lock:
        for session in _sessions.values():
            session.close()
        _sessions.clear()
