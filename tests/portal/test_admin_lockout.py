"""Admin sign-in: after AXES_FAILURE_LIMIT wrong passwords even the right one is refused, until unlocked."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

LOGIN = "/admin/login/?next=/admin/"
PROXY = "10.0.0.2"  # the reverse proxy: every request arrives from it


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("staff", password="staff-password", is_staff=True)


def sign_in(client: Client, username: str, password: str, *, address: str = "198.51.100.7", spoof: str = ""):
    """A sign-in through one trusted proxy, which appends the address it saw to X-Forwarded-For."""
    forwarded = f"{spoof}, {address}" if spoof else address
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def test_thirty_wrong_passwords_then_the_right_one_is_still_refused(client, staff):
    for _ in range(30):
        assert sign_in(client, "staff", "wrong").status_code in (200, 429)
    response = sign_in(client, "staff", "staff-password")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Sign-in blocked" in text
    assert "Signing in is blocked for 60 minutes." in text
    assert "csrftoken" not in response.cookies
    assert not signed_in(client)


def test_the_limit_is_five_by_default_and_a_success_before_it_resets_the_count(client, staff):
    for _ in range(4):
        sign_in(client, "staff", "wrong")
    assert sign_in(client, "staff", "staff-password").status_code == 302  # the fifth try, right: in
    client.logout()
    for _ in range(4):
        sign_in(client, "staff", "wrong")
    assert sign_in(client, "staff", "staff-password").status_code == 302  # counted afresh after the success
    client.logout()
    for _ in range(5):
        sign_in(client, "staff", "wrong")
    assert sign_in(client, "staff", "staff-password").status_code == 429


def test_the_address_is_the_one_the_proxy_saw_not_the_one_the_client_wrote(client, staff):
    # One address guessing many names, each request claiming another address in X-Forwarded-For.
    for n in range(30):
        sign_in(client, f"guess{n}", "wrong", spoof=f"203.0.113.{n}")
    assert sign_in(client, "staff", "staff-password", spoof="203.0.113.200").status_code == 429
    # A colleague at another address is not locked out by it.
    colleague = Client()
    assert sign_in(colleague, "staff", "staff-password", address="192.0.2.44").status_code == 302


def test_many_addresses_guessing_one_name_lock_that_name(client, staff):
    for n in range(10):
        sign_in(client, "staff", "wrong", address=f"203.0.113.{n}")
    assert sign_in(client, "staff", "staff-password", address="192.0.2.44").status_code == 429


@pytest.mark.parametrize(
    ("command", "args"),
    [("axes_reset", []), ("axes_reset_username", ["staff"]), ("axes_reset_ip", ["198.51.100.7"])],
)
def test_an_operator_can_lift_the_lock(client, staff, command, args, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["ip_address"] if command == "axes_reset_ip" else ["username"]
    for _ in range(6):
        sign_in(client, "staff", "wrong")
    assert sign_in(client, "staff", "staff-password").status_code == 429
    call_command(command, *args, verbosity=0)
    assert sign_in(client, "staff", "staff-password").status_code == 302
    assert signed_in(client)
