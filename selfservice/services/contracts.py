"""A member's contracts: the account overview, cancelation and its withdrawal, and their confirmation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from portal import reads, writes
from portal.models import Studio, Write
from portal.notifications import notify
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.services import cancelation_reasons as studio_cancelation_reasons
from portal.upstream import client_for
from selfservice import display
from selfservice.services.common import NotOwned, Outcome, Resent, actor, once, resent, translated
from selfservice.texts import CANCELATION_STATUS, CONTRACT_STATUS, CUSTOMER_STATUS, error_sentence, unit_count

# Message kind (``portal.notifications``), registered in ``SelfserviceConfig.ready``.
CONFIRMATION = "selfservice.confirmation"
# The write actions of this topic (``portal.writes``).
CANCELATION = "cancelation"
WITHDRAWAL = "cancelation_withdrawal"


@dataclass(frozen=True)
class Contract:
    """One contract, ready to show."""

    data: m.ContractData
    today: date

    @property
    def id(self) -> int:
        return self.data.id

    @property
    def rate_name(self) -> str:
        return self.data.rate_name

    @property
    def status_label(self) -> str:
        return str(CONTRACT_STATUS.get(self.data.contract_status, self.data.contract_status))

    @property
    def cancelation_label(self) -> str:
        status = self.data.cancelation_status
        return str(CANCELATION_STATUS.get(status, status))

    @property
    def price(self) -> str:
        return display.money(self.data.price_details.current_price)

    @property
    def frequency(self) -> str:
        return display.payment_frequency(self.data.price_details.payment_frequency)

    @property
    def notice_period(self) -> str:
        period = self.data.cancelation_period
        return unit_count(period.period_value, period.period_unit) if period else ""

    @property
    def is_canceled(self) -> bool:
        return self.data.cancelation_status is not None

    @property
    def can_cancel(self) -> bool:
        return not self.is_canceled and bool(self.data.available_cancelation_dates)

    @property
    def can_withdraw(self) -> bool:
        status = self.data.cancelation_status
        if status not in ("CANCELED", "PENDING_VERIFICATION") or self.data.cancelation_origin == "STUDIO":
            return False
        return self.data.cancelation_date is None or self.data.cancelation_date >= self.today


# Every write that may change a member's contracts invalidates them (for every member and language:
# such writes are rare, and the key holds both).
CONTRACTS_CHANGED: list[writes.Change] = [("getContractData", None)]


def _contracts_read(studio: Studio, customer_id: int) -> reads.Read[list[m.ContractData]]:
    language = translation.get_language()
    fetch = lambda client: client.get_contract_data(customer_id)  # noqa: E731
    return reads.Read(studio, "getContractData", fetch, (customer_id, language), language)


def customer_read(studio: Studio, customer_id: int) -> reads.Read[m.Customer]:
    """The one read of a customer's master record (the account page; the address on file)."""
    language = translation.get_language()
    fetch = lambda client: client.get_customer_by_id(customer_id)  # noqa: E731
    return reads.Read(studio, "getCustomerById", fetch, (customer_id, language), language)


def contract_data(studio: Studio, customer_id: int, *, now: bool = False) -> list[m.ContractData]:
    """The one reader of a member's contracts, per member and language; raises ApiError.

    ``now``: as the upstream has it now, never from the cache (reconciling, and the status after a write).
    """
    wanted = _contracts_read(studio, customer_id)
    return reads.read_now(wanted) if now else reads.value(wanted)


def read_cancelation_reasons(studio: Studio) -> list[m.ContractCancelationReason]:
    """The studio's cancelation reasons, the same for every member: cached per language; raises ApiError.
    The one reader is ``portal.services.cancelation_reasons`` (staff choose the studio's default there)."""
    return studio_cancelation_reasons(studio)


cancelation_reasons = translated(read_cancelation_reasons)


def _contracts(studio: Studio, customer_id: int) -> list[Contract]:
    today = display.studio_today(studio)
    return [Contract(data, today) for data in contract_data(studio, customer_id)]


def _find_contract(studio: Studio, customer_id: int, contract_id: int) -> m.ContractData | None:
    """The contract as the upstream has it now."""
    for data in contract_data(studio, customer_id, now=True):
        if data.id == contract_id:
            return data
    return None


@translated
def own_contract(studio: Studio, customer_id: int, contract_id: int) -> Contract:
    """The signed-in customer's contract, re-read from the API; any other id raises NotOwned."""
    for contract in _contracts(studio, customer_id):
        if contract.id == contract_id:
            return contract
    raise NotOwned(contract_id)


@dataclass(frozen=True)
class Account:
    customer: m.Customer
    contracts: list[Contract]
    problem: str = ""  # contracts could not be read
    stale: bool = False  # the studio's system is not answering: the last known data, labelled so

    @property
    def status_label(self) -> str:
        return str(CUSTOMER_STATUS.get(self.customer.status, self.customer.status))


@translated
def account(studio: Studio, customer_id: int) -> Account:
    """The account page: the customer (Unavailable when unreadable) and the contracts (a sentence when they
    fail); while the studio's system is not answering, the last known of both."""
    customer, contracts = reads.read_many(customer_read(studio, customer_id), _contracts_read(studio, customer_id))
    if customer.value is None:
        raise customer.error or errors.Unavailable("getCustomerById")
    stale = customer.stale or contracts.stale
    if contracts.value is None:
        problem = error_sentence(contracts.error or errors.Unavailable("getContractData"))
        return Account(customer.value, [], problem=problem, stale=stale)
    today = display.studio_today(studio)
    return Account(customer.value, [Contract(data, today) for data in contracts.value], stale=stale)


@dataclass(frozen=True)
class ContractPage:
    """A contract's cancel or withdraw page, and what the posted form's key says (``Resent``)."""

    contract: Contract
    resent: Resent

    @property
    def can_cancel(self) -> bool:
        return self.contract.can_cancel or self.resent.resuming

    @property
    def can_withdraw(self) -> bool:
        return self.contract.can_withdraw or self.resent.resuming


@translated
def contract_page(
    studio: Studio, customer_id: int, contract_id: int, *, action: str, raw_key: str | None
) -> ContractPage:
    """The member's own contract (NotOwned first), then the earlier write of the form with ``raw_key``."""
    contract = own_contract(studio, customer_id, contract_id)
    return ContractPage(contract, resent(studio, customer_id, raw_key, action))


def _contract_write(
    studio: Studio,
    customer_id: int,
    contract: Contract,
    *,
    key: uuid.UUID,
    action: str,
    write: Callable[[], writes.Result],
    reconcile: Callable[[], writes.Result | None],
    details: dict[str, Any],
    language: str,
) -> Outcome:
    """A cancelation or its withdrawal: once per key, audited, confirmed by e-mail when it went through."""
    target = {"contract_id": contract.id}
    outcome = once(
        studio, customer_id, key, action, write, reconcile, target=target, audit=details, changes=CONTRACTS_CHANGED
    )
    if outcome.ok and outcome.fresh and outcome.write.write is not None:
        notify(CONFIRMATION, {"request": outcome.write.write.pk}, language=language)
    return outcome


@translated
def cancel_contract(
    studio: Studio,
    customer_id: int,
    contract: Contract,
    *,
    end_date: date,
    reason: m.ContractCancelationReason,
    key: uuid.UUID,
    language: str,
) -> Outcome:
    """File an ordinary cancelation (end date and reason already checked against the offered ones)."""
    received_at = timezone.now()

    def result(status: str | None) -> writes.Result:
        return {
            "kind": "cancelation",
            "contract_id": contract.id,
            "rate_name": contract.rate_name,
            "end_date": end_date.isoformat(),
            "reason": reason.cancelation_reason_name,
            "status": status,
            "received_at": received_at.isoformat(),
        }

    def write() -> writes.Result:
        request = m.ContractCancelationRequest(
            contract_id=contract.id, cancelation_date=end_date, cancelation_reason_id=reason.cancelation_reason_id
        )
        client_for(studio).create_contract_cancelation_amendment(customer_id, request)
        return result(_status_after_write(studio, customer_id, contract.id))

    def reconcile() -> writes.Result | None:
        data = _find_contract(studio, customer_id, contract.id)
        if data and data.cancelation_status and data.cancelation_date == end_date:
            return result(data.cancelation_status)
        return None

    details = {"contract_id": contract.id, "end_date": end_date.isoformat(), "reason_id": reason.cancelation_reason_id}
    return _contract_write(
        studio, customer_id, contract, key=key, action=CANCELATION, write=write, reconcile=reconcile,
        details=details, language=language,
    )  # fmt: skip


@translated
def withdraw_cancelation(
    studio: Studio, customer_id: int, contract: Contract, *, key: uuid.UUID, language: str
) -> Outcome:
    received_at = timezone.now()
    end_date = contract.data.cancelation_date

    def result(status: str | None) -> writes.Result:
        return {
            "kind": "withdrawal",
            "contract_id": contract.id,
            "rate_name": contract.rate_name,
            "end_date": end_date.isoformat() if end_date else None,
            "status": status,
            "received_at": received_at.isoformat(),
        }

    def write() -> writes.Result:
        client_for(studio).withdraw_contract_cancelation(customer_id, contract.id)
        return result(_status_after_write(studio, customer_id, contract.id, default="WITHDRAWN"))

    def reconcile() -> writes.Result | None:
        data = _find_contract(studio, customer_id, contract.id)
        if data is None or data.cancelation_status is None:
            return result("WITHDRAWN")
        if data.cancelation_status == "PENDING_WITHDRAWAL_VERIFICATION":
            return result(data.cancelation_status)
        return None

    return _contract_write(
        studio, customer_id, contract, key=key, action=WITHDRAWAL, write=write, reconcile=reconcile,
        details={"contract_id": contract.id}, language=language,
    )  # fmt: skip


def _status_after_write(studio: Studio, customer_id: int, contract_id: int, default: str | None = None) -> str | None:
    """The cancelation status after a write, for the confirmation; None when the read fails."""
    try:
        data = _find_contract(studio, customer_id, contract_id)
    except errors.ApiError:
        return None
    if data is None:
        return None
    return data.cancelation_status or default


def confirmation(studio: Studio, customer_id: int, key: uuid.UUID) -> dict[str, Any] | None:
    """The result of the member's own cancelation or withdrawal with this key, once it is done."""
    found = Write.objects.filter(
        studio=studio, key=key, actor=actor(customer_id), state=Write.State.DONE, action__in=(CANCELATION, WITHDRAWAL)
    ).first()
    return found.result if found else None


CONFIRMATION_STATUS = {
    ("cancelation", "CANCELED"): gettext_lazy("Your contract is canceled."),
    ("cancelation", "PENDING_VERIFICATION"): gettext_lazy(
        "The studio has received your cancelation and is checking it. You will hear from the studio."
    ),
    ("cancelation", None): gettext_lazy("The studio has received your cancelation."),
    ("withdrawal", "WITHDRAWN"): gettext_lazy("Your cancelation is withdrawn: your contract continues."),
    ("withdrawal", "PENDING_WITHDRAWAL_VERIFICATION"): gettext_lazy(
        "The studio has received the withdrawal of your cancelation and is checking it."
    ),
    ("withdrawal", None): gettext_lazy("The studio has received the withdrawal of your cancelation."),
}


def confirmation_context(studio: Studio, result: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation page and email show, from a write's result."""
    kind: str = result.get("kind", "")
    status: str | None = result.get("status")
    sentence = CONFIRMATION_STATUS.get((kind, status)) or CONFIRMATION_STATUS[(kind, None)]
    end = date.fromisoformat(result["end_date"]) if result.get("end_date") else None
    received = datetime.fromisoformat(result["received_at"])
    return {
        "kind": kind,
        "rate_name": result.get("rate_name", ""),
        "contract_id": result.get("contract_id"),
        "end_date": end,
        "end_date_text": display.long_date(end),
        "reason": result.get("reason", ""),
        "status_sentence": str(sentence),
        "received_text": display.date_time(received, studio),
    }
