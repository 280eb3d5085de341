"""The move of booking attempts and member requests into ``portal.Write`` keeps the existing records."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("bookings", "0001_initial"), ("selfservice", "0002_signinrequest"), ("portal", "0004_write")]
AFTER = [
    ("bookings", "0002_move_attempts_to_portal_write"),
    ("selfservice", "0003_move_member_requests_to_portal_write"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_earlier_writes_keep_their_outcome_and_are_answered_as_before(old_schema):
    Studio = old_schema.get_model("portal", "Studio")
    studio = Studio.objects.create(name="Old", slug="old")
    BookingAttempt = old_schema.get_model("bookings", "BookingAttempt")
    MemberRequest = old_schema.get_model("selfservice", "MemberRequest")
    booked, lost, refused, canceled = (uuid.uuid4() for _ in range(4))
    BookingAttempt.objects.create(
        studio=studio,
        key=booked,
        customer_id=7,
        kind="class",
        target="41",
        state="done",
        outcome="BOOKED",
        booking_id=9,
    )
    BookingAttempt.objects.create(
        studio=studio,
        key=lost,
        customer_id=7,
        kind="appointment",
        target="3@2026-12-04T10:00:00+01:00",
        state="unknown",
    )
    MemberRequest.objects.create(
        studio=studio, key=refused, customer_id=7, action="cancelation", state="failed", result={"status": 400}
    )
    MemberRequest.objects.create(
        studio=studio, key=canceled, customer_id=7, action="cancelation", state="done", target={"contract_id": 5},
        result={"kind": "cancelation", "status": "CANCELED"},
    )  # fmt: skip

    apps = migrate(AFTER)
    Write = apps.get_model("portal", "Write")
    rows = {row.key: row for row in Write.objects.filter(studio_id=studio.pk)}
    assert rows[booked].state == "done" and rows[booked].result == {"status": "BOOKED", "booking_id": 9}
    assert rows[booked].action == "class.book" and rows[booked].target == {"slot": 41}
    assert rows[booked].actor == "customer:7"
    assert rows[lost].state == "unknown" and rows[lost].target == {
        "appointment": 3,
        "start": "2026-12-04T10:00:00+01:00",
    }
    assert rows[refused].state == "refused" and rows[refused].result["error"] == "BadRequest"
    assert rows[canceled].state == "done" and rows[canceled].result["status"] == "CANCELED"
    assert rows[canceled].target == {"contract_id": 5}
