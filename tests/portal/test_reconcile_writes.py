"""The job every minute: writes whose answer was lost are settled by reading, without the member sending again."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from portal import writes
from portal.models import AuditEntry, Write
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from tests.bookings.conftest import customer_id, signed_in
from tests.bookings.helpers import htmx, slot, text

SCHEDULE = "/s/demo/classes/"


@pytest.fixture
def mia_id(demo_client) -> int:
    return customer_id(demo_client, "mia@example.com")


@pytest.fixture
def mia(demo_studio, mia_id):
    return signed_in(demo_studio, mia_id)


@pytest.fixture
def pilates(demo_studio):
    return slot(demo_studio, "Pilates Mat")


def book(browser, slot_id: int, key: str):
    data = {"key": key, "next": SCHEDULE}
    return browser.post(f"{SCHEDULE}{slot_id}/book/", data, **htmx(HTTP_ACCEPT_LANGUAGE="de"))


def active_bookings(demo_client, customer: int, slot_id: int) -> list[m.ClassSlotBookingResult]:
    found = demo_client.get_class_bookings_by_customer_id(customer)
    return [b for b in found if b.class_slot_id == slot_id and b.booking_status != "CANCELED"]


@pytest.fixture
def reading_fails(monkeypatch):
    """While set, reading a member's class bookings fails (the upstream is still struggling)."""
    state = {"failing": True}
    original = PerfectGymClient.get_class_bookings_by_customer_id

    def read(self, customer):
        if state["failing"]:
            raise errors.Unavailable("getClassBookingsByCustomerId", error_message="ReadTimeout")
        return original(self, customer)

    monkeypatch.setattr(PerfectGymClient, "get_class_bookings_by_customer_id", read)
    return state


def lose_the_answer(monkeypatch, *, booked: bool) -> None:
    original = PerfectGymClient.book_class_slot

    def lost(self, request):
        if booked:
            original(self, request)
        raise errors.OutcomeUnknown("bookClassSlot", error_message="ReadTimeout")

    monkeypatch.setattr(PerfectGymClient, "book_class_slot", lost)


def unknown_booking(mia, pilates, monkeypatch, reading_fails, *, booked: bool, key: str = "") -> Write:
    """Mia books; the answer is lost and reading fails too: the write stays unknown."""
    lose_the_answer(monkeypatch, booked=booked)
    response = book(mia, pilates.id, key or str(uuid.uuid4()))
    assert "konnten noch nicht prüfen, ob Sie gebucht sind" in text(response)
    return Write.objects.get(action="class.book")


def reconciled(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, outcome__startswith="reconciled:"))


def test_a_lost_booking_that_happened_becomes_done_with_its_booking_id(
    mia, mia_id, pilates, demo_client, monkeypatch, reading_fails
):
    row = unknown_booking(mia, pilates, monkeypatch, reading_fails, booked=True)
    assert row.state == Write.State.UNKNOWN

    reading_fails["failing"] = False  # the upstream recovered; nobody sends the form again
    counts = writes.reconcile_unknown()

    assert counts["done"] == 1 and counts["still unknown"] == 0
    row.refresh_from_db()
    [booking] = active_bookings(demo_client, mia_id, pilates.id)
    assert row.state == Write.State.DONE and row.result["booking_id"] == booking.booking_id
    [entry] = reconciled("class.book")
    assert entry.outcome == "reconciled:done" and entry.actor == f"customer:{mia_id}"
    assert entry.details == {"write": row.pk, "slot": pilates.id, "booking": booking.booking_id, "status": "BOOKED"}


def test_the_form_sent_again_afterwards_shows_the_booking_and_sends_nothing(
    mia, pilates, demo_client, mia_id, monkeypatch, reading_fails
):
    form_key = str(uuid.uuid4())
    unknown_booking(mia, pilates, monkeypatch, reading_fails, booked=True, key=form_key)
    reading_fails["failing"] = False
    writes.reconcile_unknown()

    monkeypatch.setattr(PerfectGymClient, "validate_class_slot", lambda self, request: pytest.fail("sent again"))
    again = book(mia, pilates.id, form_key)
    assert "Sie sind gebucht." in text(again)
    assert len(active_bookings(demo_client, mia_id, pilates.id)) == 1


def test_a_lost_booking_that_never_arrived_fails(mia, mia_id, pilates, demo_client, monkeypatch, reading_fails):
    row = unknown_booking(mia, pilates, monkeypatch, reading_fails, booked=False)
    reading_fails["failing"] = False

    counts = writes.reconcile_unknown()

    assert counts["failed"] == 1
    row.refresh_from_db()
    assert row.state == Write.State.FAILED and row.result == {"reason": "NOT_FOUND"}
    assert active_bookings(demo_client, mia_id, pilates.id) == []
    [entry] = reconciled("class.book")
    assert entry.outcome == "reconciled:failed" and entry.details == {"write": row.pk, "slot": pilates.id}


def test_while_reading_still_fails_the_write_stays_unknown(mia, pilates, monkeypatch, reading_fails):
    row = unknown_booking(mia, pilates, monkeypatch, reading_fails, booked=True)

    counts = writes.reconcile_unknown()

    assert counts["still unknown"] == 1 and counts["done"] == counts["failed"] == 0
    row.refresh_from_db()
    assert row.state == Write.State.UNKNOWN and row.result == {}
    assert reconciled("class.book") == []


def test_a_write_unreadable_for_over_a_day_stays_and_is_counted_apart(mia, pilates, monkeypatch, reading_fails):
    row = unknown_booking(mia, pilates, monkeypatch, reading_fails, booked=True)
    Write.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=2))

    counts = writes.reconcile_unknown()

    assert counts["unknown for over a day"] == 1 and counts["still unknown"] == 0
    assert Write.objects.get(pk=row.pk).state == Write.State.UNKNOWN


def interrupted(studio, customer: int, slot_id: int, *, minutes_ago: float) -> Write:
    """A booking request that stopped while sending (a worker restarted): its row stays PENDING."""
    row = Write.objects.create(
        studio=studio, key=uuid.uuid4(), actor=f"customer:{customer}", action="class.book", target={"slot": slot_id}
    )
    Write.objects.filter(pk=row.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return row


def test_a_stale_pending_write_is_reconciled(demo_studio, demo_client, mia_id, pilates):
    demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=pilates.id))
    row = interrupted(demo_studio, mia_id, pilates.id, minutes_ago=5)

    counts = writes.reconcile_unknown()

    assert counts["done"] == 1
    row.refresh_from_db()
    assert row.state == Write.State.DONE and row.result["status"] == "BOOKED"


def test_a_write_being_sent_right_now_is_left_alone(demo_studio, mia_id, pilates, monkeypatch):
    row = interrupted(demo_studio, mia_id, pilates.id, minutes_ago=0.5)
    monkeypatch.setattr(PerfectGymClient, "_call", lambda *args, **kwargs: pytest.fail("nothing may be read"))

    counts = writes.reconcile_unknown()

    assert counts["done"] == counts["failed"] == counts["still unknown"] == 0
    assert Write.objects.get(pk=row.pk).state == Write.State.PENDING
    assert reconciled("class.book") == []


def test_what_a_request_did_meanwhile_is_never_overwritten(demo_studio, mia_id, pilates, monkeypatch):
    """The member sends the same form again while the job reads: the request reads and writes as it always
    does, and the job, finding the row touched, leaves the request's outcome as it is."""
    row = interrupted(demo_studio, mia_id, pilates.id, minutes_ago=5)  # nothing was booked upstream
    original = PerfectGymClient.get_class_bookings_by_customer_id
    requests: list[writes.Outcome] = []

    def read_while_the_member_clicks(self, customer):
        found = original(self, customer)  # what the job reads: not booked (yet)
        if not requests:
            booked = {"status": "BOOKED", "booking_id": 4711}
            requests.append(
                writes.run_once(
                    demo_studio,
                    row.actor,
                    row.key,
                    lambda: booked,
                    lambda: None,
                    action=row.action,
                    target=row.target,
                    audit={"slot": pilates.id},
                )  # fmt: skip
            )
        return found

    monkeypatch.setattr(PerfectGymClient, "get_class_bookings_by_customer_id", read_while_the_member_clicks)
    counts = writes.reconcile_unknown()

    assert [request.state for request in requests] == [Write.State.DONE]
    assert counts["busy"] == 1 and counts["failed"] == 0
    row.refresh_from_db()
    assert row.state == Write.State.DONE and row.result["booking_id"] == 4711
    assert reconciled("class.book") == []  # one audit entry, the request's own
    assert AuditEntry.objects.get(action="class.book").outcome == "done"


def test_a_new_form_for_the_same_slot_meanwhile_still_reads_first(demo_studio, mia_id, pilates, monkeypatch):
    """While the job reads, the lost write stays unknown to every request: a new form reads before it writes."""
    row = interrupted(demo_studio, mia_id, pilates.id, minutes_ago=5)
    original = PerfectGymClient.get_class_bookings_by_customer_id
    seen: list[str] = []

    def read_while_the_member_clicks(self, customer):
        if not seen:
            seen.append(Write.objects.get(pk=row.pk).state)
            assert Write.objects.unfinished(demo_studio, row.actor, row.action).filter(pk=row.pk).exists()
        return original(self, customer)

    monkeypatch.setattr(PerfectGymClient, "get_class_bookings_by_customer_id", read_while_the_member_clicks)
    writes.reconcile_unknown()
    assert seen == [Write.State.UNKNOWN]


def test_writes_nobody_can_read_back_are_counted_and_left(demo_studio, mia_id):
    row = Write.objects.create(
        studio=demo_studio, key=uuid.uuid4(), actor=f"customer:{mia_id}", action="contact_amendment",
        state=Write.State.UNKNOWN,
    )  # fmt: skip

    counts = writes.reconcile_unknown()

    assert counts["no reconciler"] == 1
    assert Write.objects.get(pk=row.pk).state == Write.State.UNKNOWN


def test_every_write_action_that_can_be_read_back_has_a_reconciler():
    assert set(writes.reconcilable_actions()) >= {
        "class.book",
        "appointment.book",
        "class.cancel",
        "appointment.cancel",
        "cancelation",
        "cancelation_withdrawal",
        "idle_period_withdrawal",
        "amendment_withdrawal",
        "online_cancelation",
    }


def test_the_command_prints_counts(mia, pilates, monkeypatch, reading_fails):
    unknown_booking(mia, pilates, monkeypatch, reading_fails, booked=True)
    reading_fails["failing"] = False
    out = StringIO()

    call_command("reconcile_writes", stdout=out)

    lines = out.getvalue().splitlines()
    assert "done: 1" in lines and "failed: 0" in lines and "still unknown: 0" in lines
    assert "unknown for over a day: 0" in lines and "no reconciler: 0" in lines


def test_the_command_fails_when_a_reconciler_breaks(demo_studio, mia_id, pilates, monkeypatch):
    row = interrupted(demo_studio, mia_id, pilates.id, minutes_ago=5)
    monkeypatch.setitem(writes._reconcilers, "class.book", writes._Registered(lambda studio, row: 1 / 0, None))

    with pytest.raises(CommandError):
        call_command("reconcile_writes", stdout=StringIO())
    assert Write.objects.get(pk=row.pk).state == Write.State.UNKNOWN  # read again next time
