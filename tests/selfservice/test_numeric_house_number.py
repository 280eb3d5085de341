"""Customers whose house number arrives as a number, as in the vendor's own example (``"houseNumber": 89``).

Sign-in and the cancelation without login both search customers: such an answer must not stop them.
"""

from __future__ import annotations

import pytest
from django.core import mail

from sandbox.models import SandboxObject
from selfservice.models import OnlineCancelation
from tests.selfservice.test_online_cancelation import declaration, submit


@pytest.fixture
def numeric_house_numbers(demo_studio, mia):
    for customer in SandboxObject.objects.filter(studio=demo_studio, kind="customer"):
        customer.data["houseNumber"] = 89
        customer.save()


def test_sign_in_works(client, numeric_house_numbers):
    response = client.post("/s/demo/account/", {"email": "mia@example.com"})
    assert response.status_code == 200
    assert [message.to for message in mail.outbox] == [["mia@example.com"]]


def test_cancelation_without_login_finds_the_member(client, numeric_house_numbers, mia):
    response = submit(client, declaration(mia), Origin="http://testserver")
    assert response.status_code == 200
    assert OnlineCancelation.objects.get().matched_customer_id == mia.id
