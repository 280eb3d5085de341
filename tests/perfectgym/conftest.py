"""Fixtures for the typed client: a client on a fake tenant and the `responses` mock."""

from __future__ import annotations

import logging

import pytest
import requests
import responses

from portal.perfectgym.client import PerfectGymClient

BASE = "https://tenant.example"


@pytest.fixture
def sleeps() -> list[float]:
    """Every delay the client asked for between attempts."""
    return []


@pytest.fixture
def client(sleeps) -> PerfectGymClient:
    return PerfectGymClient(base_url=BASE, api_key="k", session=requests.Session(), language="en", sleep=sleeps.append)


@pytest.fixture
def api():
    """The fake tenant; every registered answer must be used by the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def upstream_log(caplog):
    """The client's log lines, even if the "portal" logger stops propagating to root."""
    caplog.set_level(logging.DEBUG, logger="portal.perfectgym")
    logger: logging.Logger | None = logging.getLogger("portal.perfectgym")
    reached: list[logging.Handler] = []
    while logger is not None:
        reached.extend(logger.handlers)
        logger = logger.parent if logger.propagate else None
    added = caplog.handler not in reached
    if added:
        logging.getLogger("portal.perfectgym").addHandler(caplog.handler)
    yield caplog
    if added:
        logging.getLogger("portal.perfectgym").removeHandler(caplog.handler)
