"""Two members booking the last place at the same moment: one gets it, nobody overbooks."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.upstream import client_for


@pytest.mark.django_db(transaction=True)
def test_last_place_is_not_given_twice():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip(
            "SQLite's shared in-memory test database locks tables instead of waiting; CI runs this on PostgreSQL"
        )
    call_command("load_demo", "--no-admin", verbosity=0)
    studio = Studio.objects.get(slug="demo")
    client = client_for(studio)
    members = [
        client.search_customers(m.CustomerSearchRequest(email=email))[0].id
        for email in ("mia@example.com", "tom@example.com", "sara@example.com")
    ]
    cycling = next(c for c in client.all_active_classes() if c.title == "Indoor Cycling")
    slot = next(
        s
        for s in client.all_class_slots(cycling.id)
        if client.validate_class_slot(
            m.ClassSlotBookingRequest(customer_id=members[0], class_slot_id=s.id)
        ).validation_status
        == "AVAILABLE"
        and (s.max_participants or 0) - (s.booked_participants or 0) == 1
    )
    results: list[str] = []
    barrier = threading.Barrier(len(members))

    def book(customer_id: int) -> None:
        barrier.wait()
        try:
            outcome = client_for(studio).book_class_slot(
                m.ClassSlotBookingRequest(customer_id=customer_id, class_slot_id=slot.id)
            )
            results.append(outcome.booking_status)
        except errors.ApiError as exc:
            results.append(exc.error_code or str(exc.status))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(customer_id,)) for customer_id in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results.count("BOOKED") == 1, results
    after = client.get_class_slot_by_id(cycling.id, slot.id)
    assert after.booked_participants <= after.max_participants
