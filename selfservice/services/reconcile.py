"""What became of a self-service write whose answer was lost, read in the background.

``manage.py reconcile_writes`` (``portal.writes.reconcile_unknown``) calls these with the stored write.
The row holds who sent it (its actor) and what it was about (its target), never the form's values, so
only what can be told from those is read here:

- a cancelation: the form's end date and reason are not in the row, but the contract could not be
  canceled when the form was sent (the page offers no cancelation then), so a cancelation the member
  (not the studio) filed since is this one, to whatever date the studio's system has;
- withdrawing a cancelation, an idle period or a pending change: the target names what went away;
- a cancelation without login: its record (the row's key is its reference) names customer and date.

- an idle period request: the start date and reason it was sent with (the write's ``details``).

Left to the member's next request with the same form (``portal.writes.run_once`` reads then):
- a contact or address change (``contact_amendment``, ``address_amendment``): the values sent are
  personal data and never stored, and a change that applied at once leaves nothing else to recognise.
"""

from __future__ import annotations

from typing import Any

from portal import writes
from portal.models import Studio, Write
from portal.notifications import notify
from portal.perfectgym import models as m
from selfservice.models import OnlineCancelation
from selfservice.services import amendments, contracts
from selfservice.services.idle_periods import REQUEST, idle_period_lists
from selfservice.services.idle_periods import WITHDRAWAL as IDLE_PERIOD_WITHDRAWAL


def _contract(studio: Studio, customer_id: int, contract_id: int) -> m.ContractData | None:
    """The contract as the upstream has it now (None when the member has no such contract)."""
    found = contracts.contract_data(studio, customer_id, now=True)
    return next((data for data in found if data.id == contract_id), None)


def _confirmation(kind: str, row: Write, data: m.ContractData | None, status: str | None) -> writes.Result:
    """What the confirmation page and e-mail show (``contracts.confirmation_context``), from the contract now."""
    end = data.cancelation_date if data else None
    result: dict[str, Any] = {
        "kind": kind,
        "contract_id": row.target["contract_id"],
        "rate_name": data.rate_name if data else "",
        "end_date": end.isoformat() if end else None,
        "status": status,
        "received_at": row.created_at.isoformat(),
    }
    if kind == "cancelation":
        result["reason"] = (data.cancelation_reason if data else None) or ""
    return result


def cancelation_filed(studio: Studio, row: Write) -> writes.Result | None:
    """``cancelation``: the contract has a cancelation the member filed."""
    data = _contract(studio, writes.customer_of(row), row.target["contract_id"])
    if data is None or data.cancelation_status is None or data.cancelation_origin == "STUDIO":
        return None
    return _confirmation("cancelation", row, data, data.cancelation_status)


def cancelation_withdrawn(studio: Studio, row: Write) -> writes.Result | None:
    """``cancelation_withdrawal``: the cancelation is gone, or its withdrawal waits for the studio."""
    data = _contract(studio, writes.customer_of(row), row.target["contract_id"])
    status = data.cancelation_status if data else None
    if status is None:
        return _confirmation("withdrawal", row, data, "WITHDRAWN")
    if status == "PENDING_WITHDRAWAL_VERIFICATION":
        return _confirmation("withdrawal", row, data, status)
    return None


def send_confirmation(row: Write) -> None:
    """The e-mail a member gets after a cancelation or its withdrawal went through (in the studio's language:
    the member's is not stored)."""
    notify(contracts.CONFIRMATION, {"request": row.pk}, language=row.studio.default_language)


def idle_period_withdrawn(studio: Studio, row: Write) -> writes.Result | None:
    """``idle_period_withdrawal``: the idle period is no longer listed."""
    idle_period_id = row.target["idle_period_id"]
    lists = idle_period_lists(studio, row.target["contract_id"])
    listed = {period.id for period in lists.current_and_upcoming_idle_periods + lists.past_idle_periods}
    return None if idle_period_id in listed else {"kind": IDLE_PERIOD_WITHDRAWAL, "idle_period_id": idle_period_id}


def idle_period_requested(studio: Studio, row: Write) -> writes.Result | None:
    """``idle_period``: an idle period of the contract with the start date and reason the form sent (its
    audit details, stored with the write), as the foreground reconcile matches it."""
    start, reason = row.details.get("start_date"), row.details.get("reason_id")
    if start is None or reason is None:
        raise writes.CannotTell("written before the details were kept")
    lists = idle_period_lists(studio, row.target["contract_id"])
    for period in lists.current_and_upcoming_idle_periods:
        if period.start_date.isoformat() == start and period.idle_period_reason.id == reason:
            return {
                "kind": REQUEST,
                "idle_period_id": period.id,
                "contract_id": row.target["contract_id"],
                "start_date": start,
                "end_date": period.end_date.isoformat(),
                "state": period.state,
            }
    return None


def amendment_withdrawn(studio: Studio, row: Write) -> writes.Result | None:
    """``amendment_withdrawal``: the change no longer waits for the studio."""
    kind = row.target["kind"]
    pending = amendments.KINDS[kind].read(studio, writes.customer_of(row)).pending_amendment
    if pending is not None and pending.id == row.target["amendment_id"]:
        return None
    return {"kind": amendments.WITHDRAWAL, "amendment": kind}


def online_cancelation_filed(studio: Studio, row: Write) -> writes.Result | None:
    """``online_cancelation``: the matched contract has a cancelation the customer filed (to the date asked
    for, when one was); its record says so then, as if the answer had arrived."""
    record = OnlineCancelation.objects.filter(studio=studio, reference=row.key).first()
    if record is None or record.matched_customer_id is None:
        raise writes.CannotTell("the declaration's record was not completed")  # staff see it in admin
    data = _contract(studio, record.matched_customer_id, row.target["contract_id"])
    if data is None or data.cancelation_status is None or data.cancelation_origin == "STUDIO":
        return None
    asked = None if record.earliest_possible else record.requested_end_date
    if asked is not None and data.cancelation_date != asked:
        return None
    OnlineCancelation.objects.filter(pk=record.pk).update(
        outcome=OnlineCancelation.Outcome.FILED,
        filed_status=data.cancelation_status,
        filed_end_date=data.cancelation_date,
    )
    return {"status": data.cancelation_status}


RECONCILERS: dict[str, writes.Reconciler] = {
    contracts.CANCELATION: cancelation_filed,
    contracts.WITHDRAWAL: cancelation_withdrawn,
    IDLE_PERIOD_WITHDRAWAL: idle_period_withdrawn,
    REQUEST: idle_period_requested,
    amendments.WITHDRAWAL: amendment_withdrawn,
    "online_cancelation": online_cancelation_filed,
}
# Run once the write is found DONE: what the member gets after a write that went through.
AFTERWARDS = {contracts.CANCELATION: send_confirmation, contracts.WITHDRAWAL: send_confirmation}
