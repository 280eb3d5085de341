"""Rate limits on member pages hold behind a proxy, whatever X-Forwarded-For the client sends."""

from __future__ import annotations

import pytest

from selfservice.views.sign_in import SIGN_IN_LIMIT_PER_IP

ACCOUNT = "/s/demo/account/"


def spoofed_sign_ins(client, count: int) -> list[int]:
    # Each request claims another address left of the proxy's; REMOTE_ADDR is the proxy (127.0.0.1).
    return [
        client.post(
            ACCOUNT,
            {"email": f"person{n}@example.org"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 127.0.0.1",
        ).status_code
        for n in range(count)
    ]


@pytest.mark.parametrize("setting", [("TRUSTED_PROXY_COUNT", 1), ("TRUST_X_FORWARDED_FOR", True)])
def test_spoofed_forwarded_for_does_not_pass_the_sign_in_limit(client, demo_studio, settings, setting):
    settings.TRUSTED_PROXY_COUNT = 0
    setattr(settings, *setting)
    statuses = spoofed_sign_ins(client, 50)
    assert statuses.count(200) == SIGN_IN_LIMIT_PER_IP == 20
    assert statuses[SIGN_IN_LIMIT_PER_IP:] == [429] * 30


def test_clients_behind_the_proxy_have_their_own_budgets(client, demo_studio, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed_sign_ins(client, SIGN_IN_LIMIT_PER_IP + 1)
    other = client.post(ACCOUNT, {"email": "else@example.org"}, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert other.status_code == 200
