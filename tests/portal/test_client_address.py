"""The client address behind reverse proxies: only what a trusted proxy appended counts.

A client can send any X-Forwarded-For it likes; each trusted proxy appends the address it was
connected from. With N trusted proxies the client is the N-th entry from the right.
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from portal.lib.ratelimit import client_ip, exceeded, hit

SPOOFED = "203.0.113.7, 127.0.0.1"


def request(forwarded: str | None = None, remote: str = "10.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(SPOOFED)) == "10.0.0.1"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # One proxy (nginx appends $remote_addr): the right-most entry, whatever the client wrote before it.
        (1, "198.51.100.4", "198.51.100.4"),
        (1, f"{SPOOFED}, 198.51.100.4", "198.51.100.4"),
        # Two proxies (CDN, then nginx): the CDN appended the client, nginx appended the CDN.
        (2, "203.0.113.9, 198.51.100.4, 192.0.2.10", "198.51.100.4"),
        (2, " 198.51.100.4 ,192.0.2.10 ", "198.51.100.4"),
    ],
)
def test_the_address_the_outermost_trusted_proxy_appended(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded)) == expected


@pytest.mark.parametrize("forwarded", [None, "", "192.0.2.10"])
def test_too_few_entries_fall_back_to_the_connecting_address(settings, forwarded):
    # The request did not pass all the proxies: nothing in the header can be trusted to name the client.
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(forwarded)) == "10.0.0.1"


def test_the_old_switch_means_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUST_X_FORWARDED_FOR = True
    assert client_ip(request(SPOOFED)) == "127.0.0.1"


def test_spoofed_left_entries_share_one_budget(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    allowed = [hit("test", client_ip(request(f"203.0.113.{n}, 127.0.0.1")), limit=20) for n in range(50)]
    assert allowed.count(True) == 20


def test_exceeded_counts_nothing_itself():
    assert not exceeded("test", "192.0.2.1", limit=2, window=60)
    hit("test", "192.0.2.1", limit=2, window=60)
    assert not exceeded("test", "192.0.2.1", limit=2, window=60)
    hit("test", "192.0.2.1", limit=2, window=60)
    assert exceeded("test", "192.0.2.1", limit=2, window=60)
    assert exceeded("test", "192.0.2.1", limit=2, window=60)
    assert not exceeded("test", "192.0.2.2", limit=2, window=60)
