"""Member self-service: sign-in links, contracts, cancelation, idle periods, contact and address data.

Views call these functions and get plain objects back. Every function re-reads
what it needs from the API. Upstream reads raise ``ApiError`` (views turn it
into a sentence); writes go through ``portal.writes`` (``_once``) and return an ``Outcome``.
Every action is written to the audit trail with ids only, never names or
addresses.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, reads, writes
from portal.models import Write
from portal.notifications import EmailDeliveryFailed, failed_with, notify, send_email
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.upstream import client_for
from selfservice import display
from selfservice.models import SignInRequest, SignInToken
from selfservice.texts import (
    AMENDMENT_CONFIGURATION,
    CANCELATION_STATUS,
    CONTRACT_STATUS,
    CUSTOMER_STATUS,
    IDLE_PERIOD_OK,
    IDLE_PERIOD_STATE,
    IDLE_PERIOD_VALIDATION,
    TEMPORAL_UNIT,
    error_sentence,
    per_term,
    unit_count,
)

logger = logging.getLogger("portal.selfservice")

# Message kinds (``portal.notifications``), registered in ``SelfserviceConfig.ready``.
SIGN_IN_LINK = "selfservice.sign_in_link"
CONFIRMATION = "selfservice.confirmation"


class NotOwned(Exception):
    """The id is not one of the signed-in customer's own: the view answers 404."""


class Refused(Exception):
    """A check before writing failed; ``message`` is the member's sentence."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def actor(customer_id: int) -> str:
    return f"customer:{customer_id}"


IN_PROGRESS = gettext_lazy("Your request is being sent right now. Please wait a moment and reload the page.")
NOT_SENT = gettext_lazy("Your request did not reach the studio's system. Please send it again.")


@dataclass
class Outcome:
    """What became of one self-service write (``portal.writes``), with the member's sentence when not ok."""

    write: writes.Outcome
    message: str = ""

    ok = property(lambda self: self.write.ok)
    fresh = property(lambda self: self.write.fresh)
    error = property(lambda self: self.write.error)
    result = property(lambda self: self.write.result)
    key = property(lambda self: self.write.key)
    in_progress = property(lambda self: self.write.in_progress)

    @property
    def renew_key(self) -> bool:
        """The form's key is used up: the page offers a new form (a fresh key) to send again."""
        return self.write.settled and not self.write.ok


def _message(outcome: writes.Outcome) -> str:
    if outcome.ok:
        return ""
    if outcome.in_progress:
        return str(IN_PROGRESS)
    if outcome.error is None or outcome.result.get("reason") == "NOT_FOUND":
        return str(NOT_SENT)  # reading showed it did not happen
    return error_sentence(outcome.error)


def _once(studio, customer_id: int, key, action: str, write, reconcile, *, target: dict[str, Any]) -> Outcome:
    """Run ``write`` once for the form's ``key``; a key of another member, action or target is not theirs."""
    done = writes.run_once(studio, actor(customer_id), key, write, reconcile, action=action, target=target)
    if done.expired:
        raise NotOwned(key)
    return Outcome(done, _message(done))


def earlier(studio, customer_id: int, raw_key: str | None, action: str) -> writes.Outcome | None:
    """The member's earlier write with the posted key (a form sent again: double click, reload, retry)."""
    return writes.earlier(studio, actor(customer_id), writes.parse_key(raw_key), action)


def confirmation(studio, customer_id: int, key) -> dict[str, Any] | None:
    """The result of the member's own cancelation or withdrawal with this key, once it is done."""
    found = Write.objects.filter(
        studio=studio,
        key=key,
        actor=actor(customer_id),
        state=Write.State.DONE,
        action__in=("cancelation", "cancelation_withdrawal"),
    ).first()
    return found.result if found else None


def write_status(studio, customer_id: int, raw_key: str | None, action: str) -> Outcome | None:
    """What became of a form being sent (the page polls this while the first request is still sending)."""
    found = earlier(studio, customer_id, raw_key, action)
    return Outcome(found, _message(found)) if found is not None else None


def _audit_outcome(studio, action: str, customer_id: int, outcome: Outcome, details: dict[str, Any]) -> None:
    """One audit entry per write that actually happened (or was tried) in this request."""
    if not outcome.fresh:
        return
    if outcome.ok:
        result = "done"
    elif isinstance(outcome.error, errors.OutcomeUnknown):
        result = "unknown"
    else:
        result = "refused" if isinstance(outcome.error, errors.BadRequest) else "failed"
    audit.record(studio, action, actor=actor(customer_id), outcome=result, error=outcome.error, details=details)


def _send(to: list[str], subject, template: str, context: dict[str, Any], *, language: str, studio) -> bool:
    """Mail for the member, sent now (in the worker); a failure is logged without addresses and is False."""
    try:
        send_email(
            to,
            subject,
            f"selfservice/{template}",
            {"studio": studio, **context},
            language=language,
            reply_to=[studio.contact_email] if studio.contact_email else None,
        )
    except (EmailDeliveryFailed, ValueError):
        logger.warning("selfservice email failed template=%s", template)
        return False
    return True


# --- Sign-in -------------------------------------------------------------------------------
def request_sign_in_link(
    studio, email: str, *, link_base: str, link_query: str, language: str
) -> type[errors.ApiError] | None:
    """Queue the sign-in link: the same work for every address (one row, one task, no upstream call).

    The worker (``send_sign_in_link``) decides: exactly one customer with this address gets a link,
    anyone else nothing. The caller shows the same page either way. With immediate tasks the worker
    has already run; when its customer search failed, the error's class is returned for the page.
    """
    request = SignInRequest.objects.create(
        studio=studio, email=email.strip(), link_base=link_base, link_query=link_query
    )
    result = notify(SIGN_IN_LINK, {"request": request.pk}, language=language)
    return failed_with(result, errors.ApiError)


def send_sign_in_link(ids: dict[str, Any], language: str) -> int:
    """Worker: search the customer by the address typed, issue the token, send the link; delete the address."""
    request = SignInRequest.objects.select_related("studio").filter(pk=ids["request"]).first()
    if request is None:  # already answered, or pruned
        return 0
    studio, wanted = request.studio, request.email
    try:
        search = m.CustomerSearchRequest(email=wanted)
        found = reads.call(studio, "searchCustomers", lambda client: client.search_customers(search))
    except errors.ApiError as exc:
        request.delete()
        audit.record(studio, "sign_in_link", actor="anonymous", outcome="search_failed", error=exc, details={})
        raise
    request.delete()
    matches = [c for c in found if (c.email or "").strip().casefold() == wanted.casefold()]
    if len(matches) != 1:
        audit.record(
            studio, "sign_in_link", actor="anonymous", outcome="no_match" if not matches else "ambiguous", details={}
        )
        return 0
    customer = matches[0]
    token = SignInToken.issue(studio, customer.id)
    sent = _send(
        [customer.email or wanted],
        gettext_lazy("Your sign-in link"),
        "sign_in_link",
        {
            "link": f"{request.link_base}{token}/{request.link_query}",
            "first_name": customer.first_name or "",
            "minutes": 15,
        },
        language=language,
        studio=studio,
    )
    audit.record(
        studio,
        "sign_in_link",
        actor=actor(customer.id),
        outcome="sent" if sent else "email_failed",
        details={"customer_id": customer.id},
    )
    return int(sent)


def sign_in_token_is_usable(studio, token: str) -> bool:
    return SignInToken.find_usable(studio, token) is not None


def redeem_sign_in_token(studio, token: str) -> int | None:
    customer_id = SignInToken.redeem(studio, token)
    audit.record(
        studio,
        "sign_in",
        actor=actor(customer_id) if customer_id else "anonymous",
        outcome="done" if customer_id else "link_invalid",
        details={"customer_id": customer_id} if customer_id else {},
    )
    return customer_id


def record_sign_out(studio, customer_id: int) -> None:
    """Signing out also ends every sign-in link still waiting in the member's mailbox."""
    SignInToken.revoke_all(studio, customer_id)
    audit.record(studio, "sign_out", actor=actor(customer_id), outcome="done", details={})


# --- Contracts -----------------------------------------------------------------------------
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
        return str(CANCELATION_STATUS.get(self.data.cancelation_status, self.data.cancelation_status))

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


def contracts(studio, customer_id: int) -> list[Contract]:
    today = display.studio_today(studio)
    return [Contract(data, today) for data in contract_data(studio, customer_id)]


def contract_data(studio, customer_id: int) -> list[m.ContractData]:
    """The one reader of a member's contracts (member-private: never cached)."""
    return reads.read(studio, "getContractData", lambda client: client.get_contract_data(customer_id))


def own_contract(studio, customer_id: int, contract_id: int) -> Contract:
    """The signed-in customer's contract, re-read from the API; any other id raises NotOwned."""
    for contract in contracts(studio, customer_id):
        if contract.id == contract_id:
            return contract
    raise NotOwned(contract_id)


@dataclass(frozen=True)
class Account:
    customer: m.Customer
    contracts: list[Contract]
    problem: str = ""  # contracts could not be read

    @property
    def status_label(self) -> str:
        return str(CUSTOMER_STATUS.get(self.customer.status, self.customer.status))


def account(studio, customer_id: int) -> Account:
    """The account page: the customer (raises ApiError) and the contracts (a sentence when they fail)."""
    customer = reads.read(studio, "getCustomerById", lambda client: client.get_customer_by_id(customer_id))
    try:
        found = contracts(studio, customer_id)
    except errors.ApiError as exc:
        return Account(customer, [], problem=error_sentence(exc))
    return Account(customer, found)


def cancelation_reasons(studio) -> list[m.ContractCancelationReason]:
    """The studio's cancelation reasons, the same for every member: cached per language (``portal.reads``)."""
    language = translation.get_language()
    return reads.read(
        studio,
        "getContractCancelationReasonData",
        lambda client: client.get_contract_cancelation_reason_data(),
        key=(language,),
        language=language,
    )


def _find_contract(studio, customer_id: int, contract_id: int) -> m.ContractData | None:
    for data in contract_data(studio, customer_id):
        if data.id == contract_id:
            return data
    return None


def cancel_contract(
    studio,
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

    def result(status: str | None) -> dict[str, Any]:
        return {
            "kind": "cancelation",
            "contract_id": contract.id,
            "rate_name": contract.rate_name,
            "end_date": end_date.isoformat(),
            "reason": reason.cancelation_reason_name,
            "status": status,
            "received_at": received_at.isoformat(),
        }

    def write() -> dict[str, Any]:
        request = m.ContractCancelationRequest(
            contract_id=contract.id, cancelation_date=end_date, cancelation_reason_id=reason.cancelation_reason_id
        )
        client_for(studio).create_contract_cancelation_amendment(customer_id, request)
        return result(_status_after_write(studio, customer_id, contract.id))

    def reconcile() -> dict[str, Any] | None:
        data = _find_contract(studio, customer_id, contract.id)
        if data and data.cancelation_status and data.cancelation_date == end_date:
            return result(data.cancelation_status)
        return None

    outcome = _once(studio, customer_id, key, "cancelation", write, reconcile, target={"contract_id": contract.id})
    details = {"contract_id": contract.id, "end_date": end_date.isoformat(), "reason_id": reason.cancelation_reason_id}
    _audit_outcome(studio, "cancelation", customer_id, outcome, details)
    if outcome.ok and outcome.fresh:
        notify(CONFIRMATION, {"request": outcome.write.write.pk}, language=language)
    return outcome


def withdraw_cancelation(studio, customer_id: int, contract: Contract, *, key: uuid.UUID, language: str) -> Outcome:
    received_at = timezone.now()

    def result(status: str | None) -> dict[str, Any]:
        return {
            "kind": "withdrawal",
            "contract_id": contract.id,
            "rate_name": contract.rate_name,
            "end_date": contract.data.cancelation_date.isoformat() if contract.data.cancelation_date else None,
            "status": status,
            "received_at": received_at.isoformat(),
        }

    def write() -> dict[str, Any]:
        client_for(studio).withdraw_contract_cancelation(customer_id, contract.id)
        return result(_status_after_write(studio, customer_id, contract.id, default="WITHDRAWN"))

    def reconcile() -> dict[str, Any] | None:
        data = _find_contract(studio, customer_id, contract.id)
        if data is None or data.cancelation_status is None:
            return result("WITHDRAWN")
        if data.cancelation_status == "PENDING_WITHDRAWAL_VERIFICATION":
            return result(data.cancelation_status)
        return None

    outcome = _once(
        studio, customer_id, key, "cancelation_withdrawal", write, reconcile, target={"contract_id": contract.id}
    )
    _audit_outcome(studio, "cancelation_withdrawal", customer_id, outcome, {"contract_id": contract.id})
    if outcome.ok and outcome.fresh:
        notify(CONFIRMATION, {"request": outcome.write.write.pk}, language=language)
    return outcome


CONFIRMATION_EMAILS = {
    "cancelation": (gettext_lazy("Your cancelation has been received"), "cancelation"),
    "withdrawal": (gettext_lazy("Your cancelation has been withdrawn"), "withdrawal"),
}


def send_confirmation(ids: dict[str, Any], language: str) -> int:
    """Worker: the confirmation of a cancelation or its withdrawal, to the address the studio has on file."""
    request = Write.objects.select_related("studio").filter(pk=ids["request"], state=Write.State.DONE).first()
    if request is None:
        return 0
    studio = request.studio
    subject, template = CONFIRMATION_EMAILS[request.result.get("kind", "cancelation")]
    try:
        email = contact_data(studio, int(request.actor.partition(":")[2])).email
    except errors.ApiError as exc:
        logger.warning("confirmation address unreadable request=%s error=%s", request.pk, type(exc).__name__)
        raise
    if not email:
        return 0
    context = confirmation_context(studio, request.result)
    return int(_send([email], subject, template, context, language=language, studio=studio))


def _status_after_write(studio, customer_id: int, contract_id: int, default: str | None = None) -> str | None:
    """The cancelation status after a write, for the confirmation; None when the read fails."""
    try:
        data = _find_contract(studio, customer_id, contract_id)
    except errors.ApiError:
        return None
    if data is None:
        return None
    return data.cancelation_status or default


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


def confirmation_context(studio, result: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation page and email show, from a write's result."""
    kind = result.get("kind")
    status = result.get("status")
    sentence = CONFIRMATION_STATUS.get((kind, status)) or CONFIRMATION_STATUS[(kind, None)]
    end = date.fromisoformat(result["end_date"]) if result.get("end_date") else None
    received = timezone.datetime.fromisoformat(result["received_at"])
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


# --- Idle periods ----------------------------------------------------------------------------
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


def idle_periods(studio, customer_id: int, contract_id: int) -> IdlePeriods:
    """The contract (ownership checked first: NotOwned), its configuration and its idle periods."""
    contract = own_contract(studio, customer_id, contract_id)
    page = IdlePeriods(contract=contract, config=None)
    try:
        page.config = reads.read(
            studio, "getIdlePeriodConfig", lambda client: client.get_idle_period_config(contract_id)
        )
        lists = _idle_period_lists(studio, contract_id)
    except errors.ApiError as exc:
        page.problem = error_sentence(exc)
        return page
    today = contract.today
    page.current = [IdlePeriodRow(p, _withdrawable(p, today)) for p in lists.current_and_upcoming_idle_periods]
    page.past = [IdlePeriodRow(p, False) for p in lists.past_idle_periods]
    return page


def _idle_period_lists(studio, contract_id: int) -> m.IdlePeriodLists:
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


def validate_idle_period(studio, contract_id: int, wanted: IdlePeriodRequest) -> None:
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
        field = {"IDLEPERIOD_TERMVALUE_MISSING": "term_value", "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED": "term_value"}.get(
            status, "start_date"
        )
        if status in ("IDLEPERIOD_DEACTIVATED_FOR_CONTRACT", "IDLEPERIOD_PENDING_VERIFICATION"):
            field = None
        fallback = IDLE_PERIOD_VALIDATION["IDLEPERIOD_DEACTIVATED_FOR_CONTRACT"]
        raise Refused(str(IDLE_PERIOD_VALIDATION.get(status, fallback)), field)


def request_idle_period(
    studio,
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
    if writes.earlier(studio, actor(customer_id), key, "idle_period") is None:
        validate_idle_period(studio, contract.id, wanted)

    def result(period: m.IdlePeriod) -> dict[str, Any]:
        return {
            "kind": "idle_period",
            "idle_period_id": period.id,
            "contract_id": contract.id,
            "start_date": period.start_date.isoformat(),
            "end_date": period.end_date.isoformat(),
            "state": period.state,
        }

    def write() -> dict[str, Any]:
        return result(client_for(studio).create_idle_period_amendment(contract.id, wanted.create(), document))

    def reconcile() -> dict[str, Any] | None:
        lists = _idle_period_lists(studio, contract.id)
        for period in lists.current_and_upcoming_idle_periods:
            if period.start_date == wanted.start_date and period.idle_period_reason.id == wanted.reason.id:
                return result(period)
        return None

    outcome = _once(studio, customer_id, key, "idle_period", write, reconcile, target={"contract_id": contract.id})
    details = {
        "contract_id": contract.id,
        "start_date": wanted.start_date.isoformat(),
        "reason_id": wanted.reason.id,
        "document": document is not None,
    }
    if outcome.ok:
        details.update(idle_period_id=outcome.result.get("idle_period_id"), state=outcome.result.get("state"))
    _audit_outcome(studio, "idle_period_request", customer_id, outcome, details)
    return outcome


def own_idle_period(page: IdlePeriods, idle_period_id: int) -> IdlePeriodRow:
    for row in page.current + page.past:
        if row.id == idle_period_id:
            return row
    raise NotOwned(idle_period_id)


def idle_withdrawal_target(contract_id: int, idle_period_id: int) -> dict[str, int]:
    return {"contract_id": contract_id, "idle_period_id": idle_period_id}


def withdraw_idle_period(studio, customer_id: int, contract: Contract, idle_period_id: int, *, key) -> Outcome:
    """``idle_period_id`` is checked as the member's own by the caller (own_idle_period or the earlier request)."""

    def write() -> dict[str, Any]:
        client_for(studio).withdraw_idle_period(contract.id, idle_period_id)
        return {"kind": "idle_period_withdrawal", "idle_period_id": idle_period_id}

    def reconcile() -> dict[str, Any] | None:
        lists = _idle_period_lists(studio, contract.id)
        ids = {p.id for p in lists.current_and_upcoming_idle_periods + lists.past_idle_periods}
        return None if idle_period_id in ids else {"kind": "idle_period_withdrawal", "idle_period_id": idle_period_id}

    target = idle_withdrawal_target(contract.id, idle_period_id)
    outcome = _once(studio, customer_id, key, "idle_period_withdrawal", write, reconcile, target=target)
    details = target
    _audit_outcome(studio, "idle_period_withdrawal", customer_id, outcome, details)
    return outcome


# --- Contact and address data ------------------------------------------------------------------
CONTACT_FIELDS = ("email", "phone_private", "phone_private_mobile", "phone_business", "phone_business_mobile")
ADDRESS_FIELDS = ("street", "house_number", "zip_code", "city", "country_code")


def configuration_sentence(status: str) -> str:
    return str(AMENDMENT_CONFIGURATION.get(status, AMENDMENT_CONFIGURATION["READ"]))


def contact_data(studio, customer_id: int) -> m.CurrentContactData:
    return reads.read(studio, "getCustomerContactData", lambda client: client.get_customer_contact_data(customer_id))


def address_data(studio, customer_id: int) -> m.CurrentAddressData:
    return reads.read(studio, "getCustomerAddressData", lambda client: client.get_customer_address_data(customer_id))


def _same(values: dict[str, Any], data: Any, names: tuple[str, ...]) -> bool:
    def norm(value: Any) -> str:
        return " ".join(str(value or "").split()).casefold()

    return all(norm(values.get(name)) == norm(getattr(data, name, None)) for name in names)


def change_contact_data(
    studio, customer_id: int, current: m.CurrentContactData, values: dict[str, str], *, key
) -> Outcome:
    """Send the changed contact data as an amendment. An empty phone field clears that number."""
    request = m.CustomerContactData(**{name: values.get(name, "") for name in CONTACT_FIELDS})
    return _amend(
        studio,
        customer_id,
        key,
        "contact_amendment",
        values,
        CONTACT_FIELDS,
        write_call=lambda: client_for(studio).create_customer_contact_data_amendment(customer_id, request),
        read_call=lambda: contact_data(studio, customer_id),
    )


def change_address_data(
    studio, customer_id: int, current: m.CurrentAddressData, values: dict[str, str], *, key
) -> Outcome:
    """The API replaces the whole address: fields the form does not show are sent back unchanged."""
    keep = current.model_dump(exclude={"amendment_configuration_status", "pending_amendment"})
    request = m.CustomerAddressData(**{**keep, **values})
    return _amend(
        studio,
        customer_id,
        key,
        "address_amendment",
        values,
        ADDRESS_FIELDS,
        write_call=lambda: client_for(studio).create_customer_address_data_amendment(customer_id, request),
        read_call=lambda: address_data(studio, customer_id),
    )


def _amend(studio, customer_id, key, action, values, names, *, write_call, read_call) -> Outcome:
    def write() -> dict[str, Any]:
        amendment = write_call()
        return {"kind": action, "applied": _applied_after(read_call, amendment.id)}

    def reconcile() -> dict[str, Any] | None:
        data = read_call()
        if data.pending_amendment and _same(values, data.pending_amendment, names):
            return {"kind": action, "applied": False}
        if data.pending_amendment is None and _same(values, data, names):
            return {"kind": action, "applied": True}
        return None

    outcome = _once(studio, customer_id, key, action, write, reconcile, target={})
    details = {"fields": sorted(values)}
    if outcome.ok:
        details["applied"] = outcome.result.get("applied")
    _audit_outcome(studio, action, customer_id, outcome, details)
    return outcome


def _applied_after(read_call, amendment_id: int | None) -> bool | None:
    """True when the change applied at once, False when it waits for the studio, None when unknown."""
    try:
        data = read_call()
    except errors.ApiError:
        return None
    return data.pending_amendment is None


@dataclass(frozen=True)
class PendingAmendment:
    id: int
    kind: str  # "contact" or "address"


def own_amendment(studio, customer_id: int, amendment_id: int) -> PendingAmendment:
    """A pending amendment of the signed-in customer's contact or address data, else NotOwned."""
    contact = contact_data(studio, customer_id)
    if contact.pending_amendment and contact.pending_amendment.id == amendment_id:
        return PendingAmendment(amendment_id, "contact")
    address = address_data(studio, customer_id)
    if address.pending_amendment and address.pending_amendment.id == amendment_id:
        return PendingAmendment(amendment_id, "address")
    raise NotOwned(amendment_id)


def withdraw_amendment(studio, customer_id: int, amendment: PendingAmendment, *, key) -> Outcome:
    read = contact_data if amendment.kind == "contact" else address_data

    def write() -> dict[str, Any]:
        client_for(studio).withdraw_amendment(customer_id, amendment.id)
        return {"kind": "amendment_withdrawal", "amendment": amendment.kind}

    def reconcile() -> dict[str, Any] | None:
        pending = read(studio, customer_id).pending_amendment
        if pending is not None and pending.id == amendment.id:
            return None
        return {"kind": "amendment_withdrawal", "amendment": amendment.kind}

    target = {"amendment_id": amendment.id, "kind": amendment.kind}
    outcome = _once(studio, customer_id, key, "amendment_withdrawal", write, reconcile, target=target)
    details = {"amendment_id": amendment.id, "data": amendment.kind}
    _audit_outcome(studio, "amendment_withdrawal", customer_id, outcome, details)
    return outcome
