"""API ids are int64 and may be negative: pages list such items and their links resolve."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from sandbox.models import SandboxObject

NEGATIVE = -9007199254740991  # the vendor's own example id


def renumber(studio, kind: str, title: str) -> None:
    """Give one sandbox entity the vendor's negative id, and point references to it there."""
    entity = SandboxObject.objects.get(studio=studio, kind=kind, data__title=title)
    SandboxObject.objects.filter(pk=entity.pk).update(id=NEGATIVE)
    for ref_kind, field in (("trial_class", "classId"), ("trial_appointment", "bookableAppointmentId")):
        for ref in SandboxObject.objects.filter(studio=studio, kind=ref_kind):
            if ref.data.get(field) == entity.pk:
                ref.data[field] = NEGATIVE
                ref.save()


def hrefs(response) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', response.content.decode())]


def test_appointment_type_with_a_negative_id_is_listed_and_opens(client, demo_studio):
    renumber(demo_studio, "appointment_type", "Körperanalyse (InBody)")
    listing = client.get("/s/demo/appointments/")
    assert listing.status_code == 200
    link = f"/s/demo/appointments/{NEGATIVE}/"
    assert link in hrefs(listing)
    page = client.get(link)
    assert page.status_code == 200
    assert "Körperanalyse (InBody)" in page.content.decode()


def test_trial_class_with_a_negative_id_is_listed_and_opens(client, demo_studio):
    renumber(demo_studio, "class", "Zumba")
    listing = client.get("/s/demo/trial/?lang=en")
    assert listing.status_code == 200
    links = [h for h in hrefs(listing) if f"/trial/class/{NEGATIVE}/" in h]
    assert links
    assert client.get(links[0]).status_code == 200


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("trialoffers:class", {"offer_id": NEGATIVE}),
        ("selfservice:cancel-contract", {"contract_id": NEGATIVE}),
        ("selfservice:withdraw-idle-period", {"contract_id": NEGATIVE, "idle_period_id": -1}),
        ("selfservice:withdraw-amendment", {"amendment_id": NEGATIVE}),
        ("bookings-book-class", {"slot_id": NEGATIVE}),
        ("bookings-appointment", {"type_id": NEGATIVE}),
        ("bookings-cancel-appointment", {"booking_id": NEGATIVE}),
        ("bookings-ics", {"kind": "class", "booking_id": NEGATIVE}),
    ],
)
def test_signed_ids_reverse_and_resolve(name, kwargs):
    url = reverse(name, kwargs={"slug": "demo", **kwargs})
    assert resolve(url).kwargs.items() >= {"slug": "demo", **kwargs}.items()


def test_ids_beyond_int64_match_no_page(client, demo_studio):
    assert client.get("/s/demo/appointments/9223372036854775808/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("bookings-appointment", kwargs={"slug": "demo", "type_id": 2**63})
