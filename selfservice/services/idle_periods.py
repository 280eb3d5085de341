"""Idle periods of a member's contract: the page, requesting one (validated first), withdrawing one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from portal import reads, writes
from portal.models import Studio
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.upstream import client_for
from selfservice import display
from selfservice.services.common import (
    NotOwned,
    Outcome,
    Refused,
    Resent,
    Unavailable,
    actor,
    once,
    resent,
    translated,
)
from selfservice.services.contracts import CONTRACTS_CHANGED, Contract, own_contract
from selfservice.texts import (
    IDLE_PERIOD_OK,
    IDLE_PERIOD_STATE,
    IDLE_PERIOD_VALIDATION,
    TEMPORAL_UNIT,
    error_sentence,
    per_term,
    unit_count,
)

# The write actions of this topic (``portal.writes``).
REQUEST = "idle_period"
WITHDRAWAL = "idle_period_withdrawal"


@dataclass(frozen=True)
class IdlePeriodRow:
    period: m.IdlePeriod
    can_withdraw: bool

    @property
    def id(self) -> int:
        return self.period.id

    @property
    def state_label(self) -> str:
        return str(IDLE_PERIOD_STATE.get(self.period.state, self.period.state))

    @property
    def fee(self) -> str:
        fee = self.period.idle_period_fee
        return display.money(fee.idle_period_total_amount if fee and fee.idle_period_total_amount else self.period.fee)


@dataclass
class IdlePeriods:
    contract: Contract
    config: m.IdlePeriodConfiguration | None
    current: list[IdlePeriodRow] = field(default_factory=list)
    past: list[IdlePeriodRow] = field(default_factory=list)
    problem: str = ""
    resent: Resent = field(default_factory=Resent)  # what the posted form's key says

    @property
    def can_request(self) -> bool:
        return (
            self.config is not None
            and self.config.idle_period_creation_status != "READ"
            and self.contract.data.contract_status == "ACTIVE"
            and bool(self.config.idle_period_reasons)
        )

    @property
    def creation_note(self) -> str:
        if self.config is None:
            return ""
        if self.config.idle_period_creation_status == "READ":
            return str(IDLE_PERIOD_VALIDATION["IDLEPERIOD_DEACTIVATED_FOR_CONTRACT"])
        if self.config.idle_period_creation_status == "CHANGES_REQUIRE_VERIFICATION":
            return _("The studio checks your request before the idle period applies.")
        return _("Your idle period applies as soon as you send the request.")

    @property
    def unit_text(self) -> str:
        unit = self.config.temporal_unit if self.config else ""
        if unit == "MONTH":
            return _("whole months, starting on the 1st")
        return str(TEMPORAL_UNIT.get(unit, unit))

    @property
    def max_text(self) -> str:
        return unit_count(self.config.max_terms, self.config.temporal_unit) if self.config else ""

    @property
    def fee_text(self) -> str:
        if self.config is None:
            return ""
        return f"{display.money(self.config.idle_period_fee)} {per_term(1, self.config.temporal_unit)}"

    def start_choices(self) -> list[date]:
        """The start dates to offer as a list; empty means "any date from the first possible one"."""
        config = self.config
        if config is None:
            return []
        first = config.first_possible_start_date
        if config.next_possible_start_date_only:
            return [first]
        if config.temporal_unit == "MONTH":
            start = first if first.day == 1 else _add_months(first.replace(day=1), 1)
            return [_add_months(start, n) for n in range(12)]
        return []

    def term_choices(self) -> list[int]:
        return list(range(1, min(self.config.max_terms, 120) + 1)) if self.config else []

    def reason(self, reason_id: int) -> m.IdlePeriodReason | None:
        for reason in self.config.idle_period_reasons if self.config else []:
            if reason.id == reason_id:
                return reason
        return None


def _add_months(value: date, months: int) -> date:
    index = value.month - 1 + months
    return value.replace(year=value.year + index // 12, month=index % 12 + 1)


def _idle_periods(studio: Studio, customer_id: int, contract_id: int) -> IdlePeriods:
    """The contract (ownership checked first: NotOwned), its configuration and its idle periods."""
    contract = own_contract(studio, customer_id, contract_id)
    page = IdlePeriods(contract=contract, config=None)
    try:
        page.config = reads.read(
            studio, "getIdlePeriodConfig", lambda client: client.get_idle_period_config(contract_id)
        )
        lists = idle_period_lists(studio, contract_id)
    except errors.ApiError as exc:
        page.problem = error_sentence(exc)
        return page
    today = contract.today
    page.current = [IdlePeriodRow(p, _withdrawable(p, today)) for p in lists.current_and_upcoming_idle_periods]
    page.past = [IdlePeriodRow(p, False) for p in lists.past_idle_periods]
    return page


@translated
def idle_periods(studio: Studio, customer_id: int, contract_id: int, *, raw_key: str | None = None) -> IdlePeriods:
    """The idle period page; ``resent`` says what became of the request form sent with ``raw_key``."""
    page = _idle_periods(studio, customer_id, contract_id)
    page.resent = resent(studio, customer_id, raw_key, REQUEST).about({"contract_id": contract_id})
    return page


@translated
def idle_withdrawal_page(
    studio: Studio, customer_id: int, contract_id: int, idle_period_id: int, *, raw_key: str | None
) -> IdlePeriods:
    """The page to withdraw one idle period (Unavailable when the periods cannot be read)."""
    page = _idle_periods(studio, customer_id, contract_id)
    if page.problem:
        raise Unavailable(page.problem)
    page.resent = resent(studio, customer_id, raw_key, WITHDRAWAL).about(
        _withdrawal_target(contract_id, idle_period_id)
    )
    return page


def idle_period_lists(studio: Studio, contract_id: int) -> m.IdlePeriodLists:
    """The one reader of a contract's idle periods (never cached: reconciling reads it too)."""
    return reads.read(studio, "getIdlePeriods", lambda client: client.get_idle_periods(contract_id))


def _withdrawable(period: m.IdlePeriod, today: date) -> bool:
    return period.state == "PENDING_VERIFICATION" or period.start_date > today


@dataclass(frozen=True)
class IdlePeriodRequest:
    start_date: date
    term_value: int | None
    unlimited: bool
    reason: m.IdlePeriodReason
    temporal_unit: str

    def validation(self) -> m.IdlePeriodValidationRequest:
        return m.IdlePeriodValidationRequest(
            start_date=self.start_date,
            temporal_unit=None if self.unlimited else self.temporal_unit,
            term_value=None if self.unlimited else self.term_value,
            unlimited=True if self.unlimited else None,
        )

    def create(self) -> m.IdlePeriodCreateRequest:
        check = self.validation()
        return m.IdlePeriodCreateRequest(
            start_date=check.start_date,
            temporal_unit=check.temporal_unit,
            term_value=check.term_value,
            unlimited=check.unlimited,
            reason_id=self.reason.id,
        )


# Which form field a refused validation is about (None: the whole request); any other: the start date.
VALIDATION_FIELDS: dict[str, str | None] = {
    "IDLEPERIOD_TERMVALUE_MISSING": "term_value",
    "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED": "term_value",
    "IDLEPERIOD_DEACTIVATED_FOR_CONTRACT": None,
    "IDLEPERIOD_PENDING_VERIFICATION": None,
}


def validate_idle_period(studio: Studio, contract_id: int, wanted: IdlePeriodRequest) -> None:
    """Ask the API whether the request is possible; raises Refused with the status's sentence."""
    try:
        validation = wanted.validation()
        result = reads.call(
            studio,
            "validateIdlePeriodRequest",
            lambda client: client.validate_idle_period_request(contract_id, validation),
        )
    except errors.ApiError as exc:
        raise Refused(error_sentence(exc)) from None
    status = result.validation_status
    if status not in IDLE_PERIOD_OK:
        fallback = IDLE_PERIOD_VALIDATION["IDLEPERIOD_DEACTIVATED_FOR_CONTRACT"]
        raise Refused(str(IDLE_PERIOD_VALIDATION.get(status, fallback)), VALIDATION_FIELDS.get(status, "start_date"))


@translated
def request_idle_period(
    studio: Studio,
    customer_id: int,
    contract: Contract,
    wanted: IdlePeriodRequest,
    document: m.Document | None,
    *,
    key: uuid.UUID,
) -> Outcome:
    """Validate, then create (multipart with the document). The document is only passed through.

    A form sent again is not validated again: its earlier request is answered (or reconciled) instead.
    """
    if writes.earlier(studio, actor(customer_id), key, REQUEST) is None:
        validate_idle_period(studio, contract.id, wanted)

    def result(period: m.IdlePeriod) -> writes.Result:
        return {
            "kind": "idle_period",
            "idle_period_id": period.id,
            "contract_id": contract.id,
            "start_date": period.start_date.isoformat(),
            "end_date": period.end_date.isoformat(),
            "state": period.state,
        }

    def write() -> writes.Result:
        return result(client_for(studio).create_idle_period_amendment(contract.id, wanted.create(), document))

    def reconcile() -> writes.Result | None:
        lists = idle_period_lists(studio, contract.id)
        for period in lists.current_and_upcoming_idle_periods:
            if period.start_date == wanted.start_date and period.idle_period_reason.id == wanted.reason.id:
                return result(period)
        return None

    audit = {
        "contract_id": contract.id,
        "start_date": wanted.start_date.isoformat(),
        "reason_id": wanted.reason.id,
        "document": document is not None,
    }
    target = {"contract_id": contract.id}
    # An idle period may move the contract's end date: its contracts are read again.
    return once(
        studio, customer_id, key, REQUEST, write, reconcile, target=target, audit=audit, changes=CONTRACTS_CHANGED
    )


def own_idle_period(page: IdlePeriods, idle_period_id: int) -> IdlePeriodRow:
    for row in page.current + page.past:
        if row.id == idle_period_id:
            return row
    raise NotOwned(idle_period_id)


def _withdrawal_target(contract_id: int, idle_period_id: int) -> dict[str, Any]:
    return {"contract_id": contract_id, "idle_period_id": idle_period_id}


@translated
def withdraw_idle_period(
    studio: Studio, customer_id: int, contract: Contract, idle_period_id: int, *, key: uuid.UUID
) -> Outcome:
    """``idle_period_id`` is the member's own: checked by ``own_idle_period``, or when the form was first sent."""
    done = {"kind": WITHDRAWAL, "idle_period_id": idle_period_id}

    def write() -> writes.Result:
        client_for(studio).withdraw_idle_period(contract.id, idle_period_id)
        return done

    def reconcile() -> writes.Result | None:
        lists = idle_period_lists(studio, contract.id)
        ids = {p.id for p in lists.current_and_upcoming_idle_periods + lists.past_idle_periods}
        return None if idle_period_id in ids else done

    target = _withdrawal_target(contract.id, idle_period_id)
    return once(
        studio, customer_id, key, WITHDRAWAL, write, reconcile, target=target, audit=target, changes=CONTRACTS_CHANGED
    )
