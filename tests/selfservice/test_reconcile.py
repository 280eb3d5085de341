"""Self-service writes whose answer was lost, settled by the job every minute (``reconcile_writes``)."""

from __future__ import annotations

import uuid
from datetime import date

from django.core import mail

from portal import writes
from portal.models import AuditEntry, Write
from portal.perfectgym import models as m
from selfservice.models import OnlineCancelation
from tests.selfservice.conftest import main_text


def unknown(studio, actor: str, action: str, target: dict, key: uuid.UUID | None = None) -> Write:
    """A write of ``action`` whose answer was lost while reading failed too (as ``run_once`` leaves it)."""
    return Write.objects.create(
        studio=studio, key=key or uuid.uuid4(), actor=actor, action=action, target=target, state=Write.State.UNKNOWN
    )


def settled(row: Write) -> Write:
    writes.reconcile_unknown()
    row.refresh_from_db()
    return row


def cancel(demo_client, member, end_date: date | None = None) -> m.ContractCancelationRequest:
    reason = demo_client.get_contract_cancelation_reason_data()[0]
    request = m.ContractCancelationRequest(
        contract_id=member.contract_id,
        cancelation_date=end_date or member.contract.available_cancelation_dates[0],
        cancelation_reason_id=reason.cancelation_reason_id,
    )
    demo_client.create_contract_cancelation_amendment(member.id, request)
    return request


class TestCancelation:
    def test_one_that_arrived_is_done_confirmed_and_mailed(self, demo_studio, demo_client, client, sign_in_as, mia):
        request = cancel(demo_client, mia)
        row = unknown(demo_studio, f"customer:{mia.id}", "cancelation", {"contract_id": mia.contract_id})

        assert settled(row).state == Write.State.DONE
        assert row.result["kind"] == "cancelation" and row.result["status"] == "CANCELED"
        assert row.result["end_date"] == request.cancelation_date.isoformat()
        entry = AuditEntry.objects.get(action="cancelation")
        assert entry.outcome == "reconciled:done"
        assert entry.details == {"write": row.pk, "contract_id": mia.contract_id, "status": "CANCELED"}
        assert len(mail.outbox) == 1  # the confirmation a member gets after a cancelation went through
        # The member's confirmation page for that form shows it, as after an answer that arrived.
        sign_in_as(mia)
        page = client.get(f"/s/demo/account/confirmations/{row.key}/", HTTP_ACCEPT_LANGUAGE="de")
        assert "Ihr Vertrag ist gekündigt." in main_text(page)

    def test_one_that_never_arrived_fails_without_mail(self, demo_studio, mia):
        row = unknown(demo_studio, f"customer:{mia.id}", "cancelation", {"contract_id": mia.contract_id})

        assert settled(row).state == Write.State.FAILED
        assert AuditEntry.objects.get(action="cancelation").outcome == "reconciled:failed"
        assert mail.outbox == []

    def test_a_cancelation_by_the_studio_is_not_the_members(self, demo_studio, paul):
        row = unknown(demo_studio, f"customer:{paul.id}", "cancelation", {"contract_id": paul.contract_id})
        assert settled(row).state == Write.State.FAILED

    def test_its_withdrawal_that_arrived_is_done(self, demo_studio, demo_client, jonas):
        demo_client.withdraw_contract_cancelation(jonas.id, jonas.contract_id)
        target = {"contract_id": jonas.contract_id}
        row = unknown(demo_studio, f"customer:{jonas.id}", "cancelation_withdrawal", target)

        assert settled(row).state == Write.State.DONE
        assert row.result["kind"] == "withdrawal"
        assert row.result["status"] in ("WITHDRAWN", "PENDING_WITHDRAWAL_VERIFICATION")
        assert len(mail.outbox) == 1

    def test_its_withdrawal_that_never_arrived_fails(self, demo_studio, jonas):
        target = {"contract_id": jonas.contract_id}
        row = unknown(demo_studio, f"customer:{jonas.id}", "cancelation_withdrawal", target)
        assert settled(row).state == Write.State.FAILED


def test_a_withdrawn_idle_period(demo_studio, demo_client, lea):
    listed = demo_client.get_idle_periods(lea.contract_id).current_and_upcoming_idle_periods
    pending = next(p for p in listed if p.state == "PENDING_VERIFICATION")
    target = {"contract_id": lea.contract_id, "idle_period_id": pending.id}
    still_there = unknown(demo_studio, f"customer:{lea.id}", "idle_period_withdrawal", target)
    assert settled(still_there).state == Write.State.FAILED

    demo_client.withdraw_idle_period(lea.contract_id, pending.id)
    gone = unknown(demo_studio, f"customer:{lea.id}", "idle_period_withdrawal", target)
    assert settled(gone).state == Write.State.DONE
    assert gone.result == {"kind": "idle_period_withdrawal", "idle_period_id": pending.id}


def test_a_withdrawn_change_of_contact_data(demo_studio, demo_client, tom):
    pending = demo_client.get_customer_contact_data(tom.id).pending_amendment
    target = {"amendment_id": pending.id, "kind": "contact"}
    still_there = unknown(demo_studio, f"customer:{tom.id}", "amendment_withdrawal", target)
    assert settled(still_there).state == Write.State.FAILED

    demo_client.withdraw_amendment(tom.id, pending.id)
    gone = unknown(demo_studio, f"customer:{tom.id}", "amendment_withdrawal", target)
    assert settled(gone).state == Write.State.DONE
    assert AuditEntry.objects.filter(action="amendment_withdrawal", outcome="reconciled:done").count() == 1


def test_an_idle_period_request_is_found_by_the_start_date_and_reason_it_was_sent_with(demo_studio, demo_client, lea):
    listed = demo_client.get_idle_periods(lea.contract_id).current_and_upcoming_idle_periods
    holiday = next(p for p in listed if p.state == "PENDING_VERIFICATION")
    sent = {"start_date": holiday.start_date.isoformat(), "reason_id": holiday.idle_period_reason.id}
    target = {"contract_id": lea.contract_id}
    created = unknown(demo_studio, f"customer:{lea.id}", "idle_period", target)
    Write.objects.filter(pk=created.pk).update(details={"contract_id": lea.contract_id, **sent})
    assert settled(created).state == Write.State.DONE and created.result["idle_period_id"] == holiday.id

    other = unknown(demo_studio, f"customer:{lea.id}", "idle_period", target)
    Write.objects.filter(pk=other.pk).update(details={**sent, "start_date": "2031-01-01"})
    assert settled(other).state == Write.State.FAILED

    older = unknown(demo_studio, f"customer:{lea.id}", "idle_period", target)  # written before details were kept
    assert settled(older).state == Write.State.UNKNOWN


class TestCancelationWithoutLogin:
    def declaration(self, studio, member, *, matched: bool = True) -> OnlineCancelation:
        """A declaration forwarded to the studio because filing it went unanswered."""
        return OnlineCancelation.objects.create(
            studio=studio,
            nonce=uuid.uuid4().hex,
            kind=OnlineCancelation.Kind.ORDINARY,
            first_name="Mia",
            last_name="Schneider",
            date_of_birth=date(1990, 1, 1),
            email="mia@example.com",
            contract_identifier=str(member.contract_id),
            outcome=OnlineCancelation.Outcome.FORWARDED,
            matched_customer_id=member.id if matched else None,
            matched_contract_id=member.contract_id if matched else None,
        )

    def test_one_that_was_filed_is_done_and_its_record_says_so(self, demo_studio, demo_client, mia):
        record = self.declaration(demo_studio, mia)
        request = cancel(demo_client, mia)
        row = unknown(
            demo_studio, "anonymous", "online_cancelation", {"contract_id": mia.contract_id}, record.reference
        )

        assert settled(row).state == Write.State.DONE and row.result == {"status": "CANCELED"}
        record.refresh_from_db()
        assert record.outcome == OnlineCancelation.Outcome.FILED
        assert record.filed_end_date == request.cancelation_date and record.filed_status == "CANCELED"
        entry = AuditEntry.objects.get(action="online_cancelation")
        assert entry.actor == "anonymous" and entry.outcome == "reconciled:done"

    def test_one_that_was_not_filed_fails_and_stays_forwarded(self, demo_studio, mia):
        record = self.declaration(demo_studio, mia)
        row = unknown(
            demo_studio, "anonymous", "online_cancelation", {"contract_id": mia.contract_id}, record.reference
        )

        assert settled(row).state == Write.State.FAILED
        record.refresh_from_db()
        assert record.outcome == OnlineCancelation.Outcome.FORWARDED and record.filed_end_date is None

    def test_a_record_that_was_never_completed_cannot_tell(self, demo_studio, mia):
        record = self.declaration(demo_studio, mia, matched=False)
        row = unknown(
            demo_studio, "anonymous", "online_cancelation", {"contract_id": mia.contract_id}, record.reference
        )

        assert writes.reconcile_unknown()["still unknown"] == 1
        assert Write.objects.get(pk=row.pk).state == Write.State.UNKNOWN
