"""Membership self-service: contract data and ordinary cancelation.

A ``contract`` entity stores what does not change by itself (start date, terms,
cancelation period, prices) and its cancelation, if any; everything that moves
with the calendar (end of the current term, availableCancelationDates,
contractStatus) is computed per request from ``ctx.today``, so the demo never
goes stale.

Cancelation rules:
- ``cancelationDate`` must be one of the contract's ``availableCancelationDates``;
  a contract that already has a cancelation offers none and is answered 400.
- The new cancelation is CANCELED at once, or PENDING_VERIFICATION when the
  studio (``member_settings.cancelationRequiresVerification``) or the contract
  (``_cancelationRequiresVerification``) asks staff to verify it.
- Withdrawing a PENDING_VERIFICATION cancelation removes it; withdrawing a
  CANCELED one reverts it, or makes it PENDING_WITHDRAWAL_VERIFICATION when
  verification is required. A studio's cancelation, one already pending
  withdrawal or one whose date has passed cannot be withdrawn (400).

Known gap in the description: ``cancelationStatus`` is required but has no value
for "not canceled". The sandbox omits it for contracts without a cancelation.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sandbox.errors import ApiProblem
from sandbox.ops.customers import problem, public, require_customer, require_reason, settings
from sandbox.router import SandboxRequest, int_param, operation
from sandbox.store import Store

_CANCELATION_FIELDS = ("cancelationStatus", "cancelationDate", "cancelationReason", "cancelationOrigin")
_AVAILABLE_DATES = 3
_OK = {"success": "true"}


def add_months(value: date, months: int) -> date:
    index = value.month - 1 + months
    year, month = value.year + index // 12, index % 12 + 1
    return date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


def shift(value: date, amount: int, unit: str) -> date:
    """``value`` moved by ``amount`` DAY/WEEK/MONTH/YEAR (negative amounts go back)."""
    if unit == "DAY":
        return value + timedelta(days=amount)
    if unit == "WEEK":
        return value + timedelta(weeks=amount)
    if unit == "MONTH":
        return add_months(value, amount)
    if unit == "YEAR":
        return add_months(value, 12 * amount)
    raise ValueError(f"unknown unit {unit}")


def term_ends(contract: dict[str, Any]) -> Iterator[date]:
    """Last days of the initial term and of every extension after it."""
    start = date.fromisoformat(contract["startDate"])
    months = contract["_initialTermMonths"]
    extension = contract.get("_extensionTermMonths", 0)
    for _ in range(600):  # fifty years of monthly extensions is plenty
        yield add_months(start, months) - timedelta(days=1)
        if not extension:
            return
        months += extension


def available_cancelation_dates(contract: dict[str, Any], today: date) -> list[date]:
    """Term ends that can still be reached when notice is given today."""
    if contract.get("cancelationStatus"):
        return []
    period = contract["cancelationPeriod"]
    found: list[date] = []
    for end in term_ends(contract):
        if shift(end, -period["periodValue"], period["periodUnit"]) >= today:
            found.append(end)
            if len(found) == _AVAILABLE_DATES:
                break
    return found


def contract_end(contract: dict[str, Any], today: date) -> date:
    """The cancelation date of a standing cancelation, else the end of the current term."""
    if contract.get("cancelationStatus") in ("CANCELED", "PENDING_WITHDRAWAL_VERIFICATION"):
        return date.fromisoformat(contract["cancelationDate"])
    last = date.min  # term_ends yields at least the initial term's end
    for end in term_ends(contract):
        last = end
        if end >= today:
            break
    return last


def is_active(contract: dict[str, Any], today: date) -> bool:
    return date.fromisoformat(contract["startDate"]) <= today <= contract_end(contract, today)


def contract_view(contract: dict[str, Any], today: date) -> dict[str, Any]:
    """The API's MembershipSelfServiceContractData."""
    view = public(contract)
    view.pop("customerId", None)
    available = available_cancelation_dates(contract, today)
    view["endDate"] = contract_end(contract, today).isoformat()
    view["contractStatus"] = "ACTIVE" if is_active(contract, today) else "INACTIVE"
    view["availableCancelationDates"] = [value.isoformat() for value in available]
    if available:
        period = contract["cancelationPeriod"]
        deadline = shift(available[0], -period["periodValue"], period["periodUnit"])
        # Read as "the last day to give notice for the earliest end date".
        view["lastPossibleCancelationDate"] = deadline.isoformat()
    return view


def require_contract(ctx: SandboxRequest, contract_id: str | int, *, lock: bool = False) -> dict[str, Any]:
    return ctx.store.require("contract", int_param(contract_id, "contractId"), what="contract", lock=lock)


def _own_contract(ctx: SandboxRequest, customer: dict[str, Any], contract_id: Any) -> dict[str, Any]:
    """The customer's contract, locked; another customer's contract is as unknown as a missing one."""
    contract = require_contract(ctx, contract_id, lock=True)
    if contract.get("customerId") != customer["id"]:
        raise ApiProblem.not_found("contract")
    return contract


def _requires_verification(store: Store, contract: dict[str, Any]) -> bool:
    override = contract.get("_cancelationRequiresVerification")
    return bool(settings(store)["cancelationRequiresVerification"] if override is None else override)


@operation("GET", "/v1/memberships/{customerId}/self-service/contract-data", "getContractData")
def get_contract_data(ctx: SandboxRequest, customerId: str) -> list[dict[str, Any]]:
    customer = require_customer(ctx, customerId)
    contracts = ctx.store.all("contract", customerId=customer["id"])
    return [contract_view(contract, ctx.today) for contract in contracts]


@operation("GET", "/v1/memberships/self-service/contract-cancelation-reasons", "getContractCancelationReasonData")
def get_cancelation_reasons(ctx: SandboxRequest) -> list[dict[str, Any]]:
    return [
        {"cancelationReasonId": reason["id"], "cancelationReasonName": reason["cancelationReasonName"]}
        for reason in ctx.store.all("cancel_reason")
    ]


@operation(
    "POST",
    "/v1/memberships/{customerId}/self-service/ordinary-contract-cancelation",
    "createContractCancelationAmendment",
)
def create_cancelation(ctx: SandboxRequest, customerId: str) -> dict[str, str]:
    customer = require_customer(ctx, customerId)
    body = ctx.body_dict()
    ctx.require_fields(body, "contractId", "cancelationDate", "cancelationReasonId")
    contract = _own_contract(ctx, customer, body["contractId"])
    if contract.get("cancelationStatus"):
        raise problem(
            ctx,
            400,
            "errormessage.contract.already.canceled",
            en="The contract has already been canceled.",
            de="Der Vertrag ist bereits gekündigt.",
            reference="contractId",
        )
    reason = require_reason(ctx, "cancel_reason", body["cancelationReasonId"], "cancelationReasonId")
    try:
        wanted = date.fromisoformat(str(body["cancelationDate"]))
    except ValueError:
        raise ApiProblem.validation("cancelationDate", "cancelationDate must be a date (YYYY-MM-DD)") from None
    if wanted not in available_cancelation_dates(contract, ctx.today):
        raise problem(
            ctx,
            400,
            "errormessage.contract.cancelation.date.invalid",
            en="The contract cannot be canceled to this date.",
            de="Der Vertrag kann nicht zu diesem Datum gekündigt werden.",
            reference="cancelationDate",
        )
    pending = _requires_verification(ctx.store, contract)
    contract.update(
        cancelationStatus="PENDING_VERIFICATION" if pending else "CANCELED",
        cancelationDate=wanted.isoformat(),
        cancelationReason=reason["cancelationReasonName"],
        cancelationOrigin="CUSTOMER",
        _cancelationReasonId=reason["id"],
        _cancelationReceivedAt=ctx.fmt(ctx.now),
    )
    ctx.store.save("contract", contract)
    return _OK


@operation(
    "POST",
    "/v1/memberships/{customerId}/self-service/withdraw-ordinary-contract-cancelation/{contractId}",
    "withdrawContractCancelation",
)
def withdraw_cancelation(ctx: SandboxRequest, customerId: str, contractId: str) -> dict[str, str]:
    customer = require_customer(ctx, customerId)
    contract = _own_contract(ctx, customer, contractId)
    status = contract.get("cancelationStatus")
    if not status:
        raise problem(
            ctx,
            400,
            "errormessage.contract.cancelation.not.found",
            en="The contract has no cancelation to withdraw.",
            de="Für diesen Vertrag gibt es keine Kündigung, die zurückgezogen werden kann.",
            reference="contractId",
        )
    if status == "PENDING_WITHDRAWAL_VERIFICATION":
        raise problem(
            ctx,
            400,
            "errormessage.contract.cancelation.withdrawal.pending",
            en="The withdrawal of this cancelation is already waiting for verification.",
            de="Die Rücknahme dieser Kündigung wird bereits geprüft.",
            reference="contractId",
        )
    if contract.get("cancelationOrigin") == "STUDIO" or contract["cancelationDate"] < ctx.today.isoformat():
        raise problem(
            ctx,
            400,
            "errormessage.contract.cancelation.withdraw.not.allowed",
            en="This cancelation cannot be withdrawn online.",
            de="Diese Kündigung kann nicht online zurückgezogen werden.",
            reference="contractId",
        )
    if status == "CANCELED" and _requires_verification(ctx.store, contract):
        contract["cancelationStatus"] = "PENDING_WITHDRAWAL_VERIFICATION"
    else:
        for name in (*_CANCELATION_FIELDS, "_cancelationReasonId", "_cancelationReceivedAt"):
            contract.pop(name, None)
    ctx.store.save("contract", contract)
    return _OK
