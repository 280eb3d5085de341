"""Cancelation without login (§312k BGB): record first, then file or forward, then confirm.

1. The declaration is stored at once (``OnlineCancelation``): from then on it cannot be lost.
2. An ordinary termination that identifies exactly one customer (search by name, date of
   birth and email) and one contract (customer number or contract number) is filed
   through the API, with the studio's default cancelation reason (or the first reason
   the API lists, which the studio is told about) to the earliest possible date or the
   chosen one, if the contract offers it.
3. Everything else (extraordinary, no unique match, a date the contract does not offer,
   an API refusal or an unknown outcome) is forwarded: a communication thread on the
   matched customer and an email to the studio.
4. The person gets a confirmation with the content and the date and time of receipt,
   on the page and by email; the address the studio has on file gets it too
   (the e-mails are sent by the workers in ``selfservice.services.emails``).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, reads, writes
from portal.models import Studio
from portal.notifications import notify
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.upstream import client_for
from selfservice import display
from selfservice.models import OnlineCancelation
from selfservice.services.contracts import CONTRACTS_CHANGED, contract_data, read_cancelation_reasons

logger = logging.getLogger("portal.selfservice")

# Message kinds (``portal.notifications``), registered in ``SelfserviceConfig.ready``.
STUDIO_EMAIL = "selfservice.online_cancelation_studio"
RECEIPT = "selfservice.online_cancelation_receipt"

OUTCOME_SENTENCES = {
    "filed_canceled": gettext_lazy("Your contract has been canceled to %(date)s."),
    "filed_pending": gettext_lazy(
        "Your cancelation to %(date)s has been entered in the studio's system. The studio is checking it and "
        "will confirm it to you."
    ),
    OnlineCancelation.Outcome.FORWARDED: gettext_lazy(
        "Your cancelation has been passed on to the studio. The studio will process it and confirm the end date to you."
    ),
    OnlineCancelation.Outcome.RECEIVED: gettext_lazy(
        "Your cancelation has been received. The studio will process it and confirm the end date to you."
    ),
}


@dataclass(frozen=True)
class Declaration:
    kind: str
    extraordinary_reason: str
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    contract_identifier: str
    earliest_possible: bool
    requested_end_date: date | None


@dataclass
class _Match:
    customer: m.Customer | None = None
    contract: m.ContractData | None = None
    note: str = ""


def submit(studio: Studio, declaration: Declaration, *, nonce: str, language: str) -> tuple[OnlineCancelation, bool]:
    """Record and process one declaration; a repeated nonce returns the first record untouched.

    Returns the record and whether this call created it. Never raises for upstream trouble.
    """
    try:
        with transaction.atomic():
            record = OnlineCancelation.objects.create(
                studio=studio, nonce=nonce, language=language, **asdict(declaration)
            )
    except IntegrityError:
        return OnlineCancelation.objects.get(studio=studio, nonce=nonce), False
    logger.info("online cancelation received reference=%s", record.reference)
    match = _process(studio, record, declaration)
    if record.outcome != OnlineCancelation.Outcome.FILED:
        record.outcome = OnlineCancelation.Outcome.FORWARDED
        record.save()
        _forward(studio, record, match)
    record.save()
    if record.outcome == OnlineCancelation.Outcome.FORWARDED:
        # After the last save: the worker marks studio_emailed itself.
        notify(STUDIO_EMAIL, {"cancelation": record.pk}, language=studio.default_language)
        record.refresh_from_db(fields=["studio_emailed"])
    _audit(studio, record)
    # The receipt: to the address given and, if different, to the one on file (looked up by the worker).
    notify(RECEIPT, {"cancelation": record.pk}, language=record.language)
    return record, True


def _process(studio: Studio, record: OnlineCancelation, declaration: Declaration) -> _Match:
    """Match the declaration and file it when it can be; the notes for the studio go on the record."""
    # Notes are for the studio's staff: in the studio's language, whatever the visitor's.
    with translation.override(studio.default_language):
        match = _match(studio, declaration)
        notes = [match.note] if match.note else []
        if declaration.kind == OnlineCancelation.Kind.ORDINARY and match.contract is not None:
            _file(studio, record, match, notes)
        elif declaration.kind == OnlineCancelation.Kind.EXTRAORDINARY:
            notes.append(_("Extraordinary termination: it cannot be filed online, please process it."))
    record.matched_customer_id = match.customer.id if match.customer else None
    record.matched_contract_id = match.contract.id if match.contract else None
    record.note_for_studio = "\n".join(notes)
    return match


def _audit(studio: Studio, record: OnlineCancelation) -> None:
    audit.record(
        studio,
        "online_cancelation",
        actor="anonymous",
        outcome=record.outcome,
        trace_id=record.trace_id or None,
        details={
            "reference": str(record.reference),
            "kind": record.kind,
            "customer_id": record.matched_customer_id,
            "contract_id": record.matched_contract_id,
            "end_date": record.filed_end_date.isoformat() if record.filed_end_date else None,
            "studio_emailed": record.studio_emailed,
            "thread_id": record.thread_id,
            # Says so when no default reason is set and the API's first one was used.
            "default_reason_missing": bool(not studio.default_cancelation_reason_id and record.filed_end_date),
        },
    )


def _normalise(identifier: str) -> str:
    return "".join(identifier.split()).lstrip("#").casefold()


def _trace(exc: errors.ApiError) -> dict[str, str]:
    return {"trace": exc.trace_id or "-"}


def _match(studio: Studio, declaration: Declaration) -> _Match:
    """Exactly one customer and one contract, or a note saying why not.

    The search uses name, date of birth and email. When the email is not the one on file, name and date
    of birth with a matching customer or contract number still identify the member (the confirmation then
    also goes to the address on file, so a cancelation by someone else does not go unnoticed).
    """
    person = {
        "first_name": declaration.first_name,
        "last_name": declaration.last_name,
        "date_of_birth": declaration.date_of_birth,
    }
    try:
        customers = _search(studio, m.CustomerSearchRequest(**person, email=declaration.email))
        if not customers:
            customers = _search(studio, m.CustomerSearchRequest(**person))
    except errors.ApiError as exc:
        return _Match(note=_("The customer search failed (traceId %(trace)s).") % _trace(exc))
    if not customers:
        return _Match(note=_("No customer matches name and date of birth."))
    wanted = _normalise(declaration.contract_identifier)
    matches: list[_Match] = []
    for customer in customers:
        try:
            contracts = contract_data(studio, customer.id)
        except errors.ApiError as exc:
            return _Match(note=_("The contracts could not be read (traceId %(trace)s).") % _trace(exc))
        found = _identified(customer, contracts, wanted)
        if found is not None:
            matches.append(found)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        return _Match(note=_("%(count)d customers match these details.") % {"count": len(matches)})
    only = customers[0] if len(customers) == 1 else None
    return _Match(only, note=_("The customer number or contract given does not belong to this customer."))


def _search(studio: Studio, request: m.CustomerSearchRequest) -> list[m.Customer]:
    return reads.call(studio, "searchCustomers", lambda client: client.search_customers(request))


def _identified(customer: m.Customer, contracts: list[m.ContractData], wanted: str) -> _Match | None:
    """The customer (and the contract, when clear) if the customer or contract number is theirs."""
    by_id = [c for c in contracts if _normalise(str(c.id)) == wanted]
    if len(by_id) == 1:
        return _Match(customer, by_id[0])
    if not wanted or wanted != _normalise(customer.customer_number or ""):
        return None
    open_contracts = [c for c in contracts if c.cancelation_status is None and c.contract_status == "ACTIVE"]
    candidates = open_contracts or contracts
    if len(candidates) == 1:
        return _Match(customer, candidates[0])
    return _Match(
        customer,
        note=_("The customer has %(count)d contracts; which one is meant is unclear.") % {"count": len(candidates)},
    )


def _reason_id(studio: Studio, notes: list[str]) -> int | None:
    if studio.default_cancelation_reason_id:
        return studio.default_cancelation_reason_id
    reasons = read_cancelation_reasons(studio)
    if not reasons:
        notes.append(_("The studio's system lists no cancelation reasons."))
        return None
    first = reasons[0]
    notes.append(
        _(
            "No cancelation reason is set for cancelations without login (studio settings in the portal's admin); "
            "the first reason from the studio's system was used: %(name)s (id %(id)s)."
        )
        % {"name": first.cancelation_reason_name, "id": first.cancelation_reason_id}
    )
    logger.warning("no default cancelation reason set studio=%s", studio.pk)
    return first.cancelation_reason_id


def _end_date(contract: m.ContractData, record: OnlineCancelation, notes: list[str]) -> date | None:
    """The end date to file: the earliest offered or the one asked for, if offered; else None and a note."""
    if contract.cancelation_status is not None:
        notes.append(
            _("Contract %(contract)s already has a cancelation (%(status)s, %(date)s).")
            % {
                "contract": contract.id,
                "status": contract.cancelation_status,
                "date": contract.cancelation_date.isoformat() if contract.cancelation_date else "-",
            }
        )
        return None
    offered = contract.available_cancelation_dates
    if not offered:
        notes.append(_("Contract %(contract)s offers no cancelation dates online.") % {"contract": contract.id})
        return None
    if record.earliest_possible or record.requested_end_date is None:
        return offered[0]
    if record.requested_end_date in offered:
        return record.requested_end_date
    listed = ", ".join(d.isoformat() for d in offered)
    notes.append(
        _("The requested end date %(date)s is not one the contract offers (%(offered)s).")
        % {"date": record.requested_end_date.isoformat(), "offered": listed}
    )
    return None


def _file(studio: Studio, record: OnlineCancelation, match: _Match, notes: list[str]) -> None:
    """File the ordinary cancelation upstream; on any doubt leave it for forwarding with a note."""
    contract, customer = match.contract, match.customer
    if contract is None or customer is None:
        return
    end_date = _end_date(contract, record, notes)
    if end_date is None:
        return
    try:
        reason_id = _reason_id(studio, notes)
    except errors.ApiError as exc:
        notes.append(_("The cancelation reasons could not be read (traceId %(trace)s).") % _trace(exc))
        return
    if reason_id is None:
        return
    request = m.ContractCancelationRequest(
        contract_id=contract.id, cancelation_date=end_date, cancelation_reason_id=reason_id
    )

    def write() -> writes.Result:
        client_for(studio).create_contract_cancelation_amendment(customer.id, request)
        try:
            status = _canceled_to(studio, customer.id, contract.id, end_date)
        except errors.ApiError:
            status = None
        return {"status": status or ""}

    def reconcile() -> writes.Result | None:
        status = _canceled_to(studio, customer.id, contract.id, end_date)  # ApiError: still unknown
        return {"status": status} if status else None

    # The declaration's reference is the idempotency key: it is filed once, whatever happens to this request.
    done = writes.run_once(
        studio, "anonymous", record.reference, write, reconcile, action="online_cancelation",
        target={"contract_id": contract.id}, changes=CONTRACTS_CHANGED,
    )  # fmt: skip
    record.trace_id = (done.error.trace_id if done.error else "") or ""
    if not done.ok:
        notes.append(_not_filed(done, contract.id, end_date))
        return
    record.filed_status = done.result.get("status", "")
    record.outcome = OnlineCancelation.Outcome.FILED
    record.filed_end_date = end_date


def _canceled_to(studio: Studio, customer_id: int, contract_id: int, end_date: date) -> str | None:
    """The contract's cancelation status when it is canceled to ``end_date``, else None; raises ApiError."""
    for data in contract_data(studio, customer_id, now=True):
        if data.id == contract_id and data.cancelation_status and data.cancelation_date == end_date:
            return data.cancelation_status
    return None


def _not_filed(done: writes.Outcome, contract_id: int, end_date: date) -> str:
    """The note for the studio when filing did not work: no answer, or the system's refusal."""
    exc = done.error
    if done.unknown or exc is None or isinstance(exc, errors.OutcomeUnknown):
        return _(
            "The studio's system did not answer when the cancelation of contract %(contract)s to %(date)s "
            "was filed. Please check whether it arrived."
        ) % {"contract": contract_id, "date": end_date.isoformat()}
    return _(
        "The studio's system refused the cancelation of contract %(contract)s to %(date)s "
        "(status %(status)s, errorCode %(code)s, traceId %(trace)s)."
    ) % {
        "contract": contract_id,
        "date": end_date.isoformat(),
        "status": exc.status,
        "code": exc.error_code or "-",
        "trace": exc.trace_id or "-",
    }


def _forward(studio: Studio, record: OnlineCancelation, match: _Match) -> None:
    """A communication thread on the matched customer (the studio's e-mail is queued after the last save)."""
    if match.customer is None:
        return
    with translation.override(studio.default_language):
        thread = m.CommunicationThreadRequest(
            communication_thread_status="CREATED",
            subject=_("Cancelation without login: please process"),
            content=studio_summary(studio, record),
            communication_direction="INCOMING",
            communication_channel="OTHER",
            communication_date_time=record.received_at.astimezone(display.studio_zone(studio)),
        )
    try:
        response = client_for(studio).create_communication_in_new_communication_thread(match.customer.id, thread)
        record.thread_id = response.thread_id
    except errors.ApiError as exc:
        logger.warning("communication thread failed reference=%s error=%s", record.reference, type(exc).__name__)


def studio_summary(studio: Studio, record: OnlineCancelation) -> str:
    """The declaration and the notes as plain text, for the thread on the customer."""
    lines = [f"{label}: {value}" for label, value in receipt_context(studio, record)["lines"]]
    lines.append(f"{_('Reference')}: {record.reference}")
    if record.note_for_studio:
        lines += ["", record.note_for_studio]
    return "\n".join(lines)


def outcome_sentence(record: OnlineCancelation) -> str:
    if record.outcome == OnlineCancelation.Outcome.FILED:
        key = "filed_pending" if record.filed_status != "CANCELED" else "filed_canceled"
        return str(OUTCOME_SENTENCES[key]) % {"date": display.long_date(record.filed_end_date)}
    return str(OUTCOME_SENTENCES.get(record.outcome, OUTCOME_SENTENCES[OnlineCancelation.Outcome.RECEIVED]))


def receipt_context(studio: Studio, record: OnlineCancelation) -> dict[str, Any]:
    """The declaration's content, receipt time and outcome, in the active language."""
    if record.earliest_possible or record.requested_end_date is None:
        end = _("At the earliest possible date")
    else:
        end = display.long_date(record.requested_end_date)
    lines = [(_("Kind of termination"), record.get_kind_display())]
    if record.kind == OnlineCancelation.Kind.EXTRAORDINARY:
        lines.append((_("Reason"), record.extraordinary_reason))
    lines += [
        (_("First name"), record.first_name),
        (_("Last name"), record.last_name),
        (_("Date of birth"), display.long_date(record.date_of_birth)),
        (_("Email"), record.email),
        (_("Customer number or contract"), record.contract_identifier),
        (_("End of contract"), end),
    ]
    return {
        "record": record,
        "lines": lines,
        "received_text": display.date_time(record.received_at, studio),
        "outcome_sentence": outcome_sentence(record),
        "end_date_text": display.long_date(record.filed_end_date) if record.filed_end_date else end,
    }


def purge_old(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    """Housekeeping: handled declarations past the studio's retention (``OnlineCancelation.purge_old``)."""
    return {"cancelations without login": OnlineCancelation.purge_old(now, dry_run=dry_run)}
