"""Bookings and cancelations whose answer was lost, settled by the job every minute (``reconcile_writes``)."""

from __future__ import annotations

import uuid

import pytest

from portal import writes
from portal.models import AuditEntry, Write
from portal.perfectgym import models as m
from tests.bookings.helpers import slot
from tests.bookings.test_appointments import first_free, type_id


def unknown(studio, customer: int, action: str, target: dict) -> Write:
    """A write of ``action`` whose answer was lost while reading failed too (as ``run_once`` leaves it)."""
    return Write.objects.create(
        studio=studio,
        key=uuid.uuid4(),
        actor=f"customer:{customer}",
        action=action,
        target=target,
        state=Write.State.UNKNOWN,
    )


def settled(row: Write) -> Write:
    writes.reconcile_unknown()
    row.refresh_from_db()
    return row


def book_upstream(demo_client, customer: int, atype: int, free) -> m.AppointmentBookingResult:
    """Booked in the studio's system (the write that happened, whatever the portal learned of it)."""
    request = m.AppointmentBookingRequest(
        customer_id=customer, bookable_appointment_id=atype, start_date_time=free.start_raw, end_date_time=free.end_raw
    )
    return demo_client.book_appointment_booking(request)


@pytest.fixture
def probetraining_slot(demo_studio, demo_client):
    atype = type_id(demo_client, "Probetraining")
    return atype, first_free(demo_studio, atype)


def test_a_lost_appointment_booking_that_happened_is_done(demo_studio, demo_client, mia_id, probetraining_slot):
    atype, free = probetraining_slot
    booked = book_upstream(demo_client, mia_id, atype, free)
    row = unknown(demo_studio, mia_id, "appointment.book", {"appointment": atype, "start": free.start_raw})

    assert settled(row).state == Write.State.DONE
    assert row.result == {"status": booked.booking_status, "booking_id": booked.booking_id}
    entry = AuditEntry.objects.get(action="appointment.book")
    assert entry.outcome == "reconciled:done" and entry.details["booking"] == booked.booking_id


def test_a_lost_appointment_booking_that_never_arrived_fails(demo_studio, mia_id, probetraining_slot):
    atype, free = probetraining_slot
    row = unknown(demo_studio, mia_id, "appointment.book", {"appointment": atype, "start": free.start_raw})

    assert settled(row).state == Write.State.FAILED
    assert AuditEntry.objects.get(action="appointment.book").outcome == "reconciled:failed"


@pytest.mark.parametrize("canceled", [True, False])
def test_a_lost_class_cancelation(demo_studio, demo_client, mia_id, canceled):
    pilates = slot(demo_studio, "Pilates Mat")
    booking = demo_client.book_class_slot(m.ClassSlotBookingRequest(customer_id=mia_id, class_slot_id=pilates.id))
    if canceled:
        demo_client.cancel_class_slot_by_id(booking.booking_id)
    row = unknown(demo_studio, mia_id, "class.cancel", {"booking": booking.booking_id})

    assert settled(row).state == (Write.State.DONE if canceled else Write.State.FAILED)
    assert row.result == ({"status": "CANCELED"} if canceled else {"reason": "NOT_FOUND"})
    entry = AuditEntry.objects.get(action="class.cancel")
    assert entry.details["booking"] == booking.booking_id and entry.actor == f"customer:{mia_id}"


def test_a_lost_appointment_cancelation_that_happened_is_done(demo_studio, demo_client, mia_id, probetraining_slot):
    atype, free = probetraining_slot
    booked = book_upstream(demo_client, mia_id, atype, free)
    demo_client.delete_appointment_booking(booked.booking_id)
    row = unknown(demo_studio, mia_id, "appointment.cancel", {"booking": booked.booking_id})

    assert settled(row).state == Write.State.DONE
    assert AuditEntry.objects.get(action="appointment.cancel").outcome == "reconciled:done"
