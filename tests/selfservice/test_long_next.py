"""Over-long return addresses ("?next=") are dropped, never turned into a redirect Django refuses."""

from __future__ import annotations

import logging

from django.core import mail

from tests.selfservice.test_sign_in import ACCOUNT, ask_for_link, link_from

LONG_QUERY = "q=" + "x" * 17 * 1024


def test_signed_out_visit_with_a_huge_query_goes_to_sign_in(client, demo_studio, caplog):
    caplog.set_level(logging.WARNING)
    response = client.get(f"/s/demo/account/contact/?{LONG_QUERY}")
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_a_query_of_normal_length_is_still_kept(client, demo_studio):
    response = client.get("/s/demo/account/contact/?from=home")
    assert response["Location"] == "/s/demo/account/?next=%2Fs%2Fdemo%2Faccount%2Fcontact%2F%3Ffrom%3Dhome"


def test_the_sign_in_page_ignores_an_over_long_next(client, demo_studio, mia):
    target = f"/s/demo/account/contact/?{LONG_QUERY}"
    assert client.get(ACCOUNT, {"next": target}).status_code == 200
    assert ask_for_link(client, mia.email, next=target).status_code == 200
    link = link_from(mail.outbox[0])
    assert "next" not in link
    # A link carrying one anyway (typed in, or from an older mail) leads to the overview.
    assert client.post(f"{link}?next={target}")["Location"] == ACCOUNT
