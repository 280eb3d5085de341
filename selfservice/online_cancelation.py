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
   on the page and by email; the address the studio has on file gets it too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, reads, writes
from portal.notifications import EmailDeliveryFailed, notify, send_email
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.services import studio_information
from portal.upstream import client_for
from selfservice import display
from selfservice.models import OnlineCancelation
from selfservice.services import cancelation_reasons, contract_data

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


def submit(studio, declaration: Declaration, *, nonce: str, language: str) -> tuple[OnlineCancelation, bool]:
    """Record and process one declaration; a repeated nonce returns the first record untouched.

    Returns the record and whether this call created it. Never raises for upstream trouble.
    """
    try:
        with transaction.atomic():
            record = OnlineCancelation.objects.create(
                studio=studio, nonce=nonce, language=language, **declaration.__dict__
            )
    except IntegrityError:
        return OnlineCancelation.objects.get(studio=studio, nonce=nonce), False
    logger.info("online cancelation received reference=%s", record.reference)

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
    if record.outcome != OnlineCancelation.Outcome.FILED:
        record.outcome = OnlineCancelation.Outcome.FORWARDED
        record.save()
        _forward(studio, record, match)
    record.save()
    if record.outcome == OnlineCancelation.Outcome.FORWARDED:
        # After the last save: the worker marks studio_emailed itself.
        notify(STUDIO_EMAIL, {"cancelation": record.pk}, language=studio.default_language)
        record.refresh_from_db(fields=["studio_emailed"])

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
    # The receipt: to the address given and, if different, to the one on file (looked up by the worker).
    notify(RECEIPT, {"cancelation": record.pk}, language=record.language)
    return record, True


def _normalise(identifier: str) -> str:
    return "".join(identifier.split()).lstrip("#").casefold()


def _match(studio, declaration: Declaration) -> _Match:
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
        return _Match(note=_("The customer search failed (traceId %(trace)s).") % {"trace": exc.trace_id or "-"})
    if not customers:
        return _Match(note=_("No customer matches name and date of birth."))
    wanted = _normalise(declaration.contract_identifier)
    matches: list[_Match] = []
    for customer in customers:
        try:
            contracts = contract_data(studio, customer.id)
        except errors.ApiError as exc:
            return _Match(
                note=_("The contracts could not be read (traceId %(trace)s).") % {"trace": exc.trace_id or "-"}
            )
        found = _identified(customer, contracts, wanted)
        if found is not None:
            matches.append(found)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        return _Match(note=_("%(count)d customers match these details.") % {"count": len(matches)})
    customer = customers[0] if len(customers) == 1 else None
    return _Match(customer, note=_("The customer number or contract given does not belong to this customer."))


def _search(studio, request: m.CustomerSearchRequest) -> list[m.Customer]:
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


def _reason_id(studio, notes: list[str]) -> int | None:
    if studio.default_cancelation_reason_id:
        return studio.default_cancelation_reason_id
    reasons = cancelation_reasons(studio)
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


def _file(studio, record: OnlineCancelation, match: _Match, notes: list[str]) -> None:
    """File the ordinary cancelation upstream; on any doubt leave it for forwarding with a note."""
    contract = match.contract
    if contract.cancelation_status is not None:
        notes.append(
            _("Contract %(contract)s already has a cancelation (%(status)s, %(date)s).")
            % {
                "contract": contract.id,
                "status": contract.cancelation_status,
                "date": contract.cancelation_date.isoformat() if contract.cancelation_date else "-",
            }
        )
        return
    offered = contract.available_cancelation_dates
    if not offered:
        notes.append(_("Contract %(contract)s offers no cancelation dates online.") % {"contract": contract.id})
        return
    if record.earliest_possible or record.requested_end_date is None:
        end_date = offered[0]
    elif record.requested_end_date in offered:
        end_date = record.requested_end_date
    else:
        listed = ", ".join(d.isoformat() for d in offered)
        notes.append(
            _("The requested end date %(date)s is not one the contract offers (%(offered)s).")
            % {"date": record.requested_end_date.isoformat(), "offered": listed}
        )
        return
    client = client_for(studio)
    try:
        reason_id = _reason_id(studio, notes)
    except errors.ApiError as exc:
        notes.append(
            _("The cancelation reasons could not be read (traceId %(trace)s).") % {"trace": exc.trace_id or "-"}
        )
        return
    if reason_id is None:
        return
    request = m.ContractCancelationRequest(
        contract_id=contract.id, cancelation_date=end_date, cancelation_reason_id=reason_id
    )

    def write() -> dict[str, Any]:
        client.create_contract_cancelation_amendment(match.customer.id, request)
        return {"status": _read_back(studio, match.customer.id, contract.id, end_date) or ""}

    def reconcile() -> dict[str, Any] | None:
        for data in contract_data(studio, match.customer.id):  # ApiError: still unknown
            if data.id == contract.id and data.cancelation_status and data.cancelation_date == end_date:
                return {"status": data.cancelation_status}
        return None

    # The declaration's reference is the idempotency key: it is filed once, whatever happens to this request.
    target = {"contract_id": contract.id}
    done = writes.run_once(
        studio, "anonymous", record.reference, write, reconcile, action="online_cancelation", target=target
    )
    exc = done.error
    record.trace_id = (exc.trace_id if exc else "") or ""
    if not done.ok and (done.unknown or isinstance(exc, errors.OutcomeUnknown) or exc is None):
        notes.append(
            _(
                "The studio's system did not answer when the cancelation of contract %(contract)s to %(date)s "
                "was filed. Please check whether it arrived."
            )
            % {"contract": contract.id, "date": end_date.isoformat()}
        )
        return
    if not done.ok:
        notes.append(
            _(
                "The studio's system refused the cancelation of contract %(contract)s to %(date)s "
                "(status %(status)s, errorCode %(code)s, traceId %(trace)s)."
            )
            % {
                "contract": contract.id,
                "date": end_date.isoformat(),
                "status": exc.status,
                "code": exc.error_code or "-",
                "trace": exc.trace_id or "-",
            }
        )
        return
    record.filed_status = done.result.get("status", "")
    record.outcome = OnlineCancelation.Outcome.FILED
    record.filed_end_date = end_date


def _read_back(studio, customer_id: int, contract_id: int, end_date: date) -> str | None:
    """The contract's cancelation status when it is canceled to ``end_date``; None otherwise or on errors."""
    try:
        for data in contract_data(studio, customer_id):
            if data.id == contract_id and data.cancelation_status and data.cancelation_date == end_date:
                return data.cancelation_status
    except errors.ApiError:
        return None
    return None


def _forward(studio, record: OnlineCancelation, match: _Match) -> None:
    """A communication thread on the matched customer (the studio's e-mail is queued after the last save)."""
    with translation.override(studio.default_language):
        context = receipt_context(studio, record)
        subject = _("Cancelation without login: please process")
        body = _studio_summary(context, record)
    if match.customer is not None:
        thread = m.CommunicationThreadRequest(
            communication_thread_status="CREATED",
            subject=subject,
            content=body,
            communication_direction="INCOMING",
            communication_channel="OTHER",
            communication_date_time=record.received_at.astimezone(display.studio_zone(studio)),
        )
        try:
            response = client_for(studio).create_communication_in_new_communication_thread(match.customer.id, thread)
            record.thread_id = response.thread_id
        except errors.ApiError as exc:
            logger.warning("communication thread failed reference=%s error=%s", record.reference, type(exc).__name__)


def _studio_email_from_api(studio) -> list[str]:
    try:
        email = studio_information(studio).email
    except errors.ApiError:
        return []
    return [email] if email else []


def _studio_summary(context: dict[str, Any], record: OnlineCancelation) -> str:
    lines = [f"{label}: {value}" for label, value in context["lines"]]
    lines.append(f"{_('Reference')}: {record.reference}")
    if record.note_for_studio:
        lines += ["", record.note_for_studio]
    return "\n".join(lines)


def outcome_sentence(record: OnlineCancelation) -> str:
    if record.outcome == OnlineCancelation.Outcome.FILED:
        key = "filed_pending" if record.filed_status != "CANCELED" else "filed_canceled"
        return str(OUTCOME_SENTENCES[key]) % {"date": display.long_date(record.filed_end_date)}
    return str(OUTCOME_SENTENCES.get(record.outcome, OUTCOME_SENTENCES[OnlineCancelation.Outcome.RECEIVED]))


def receipt_context(studio, record: OnlineCancelation) -> dict[str, Any]:
    """The declaration's content, receipt time and outcome, in the active language."""
    if record.earliest_possible or record.requested_end_date is None:
        end = _("At the earliest possible date")
    else:
        end = display.long_date(record.requested_end_date)
    lines = [
        (_("Kind of termination"), record.get_kind_display()),
    ]
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


def send_studio_email(ids: dict[str, Any], language: str) -> int:
    """Worker: the declaration and the notes to the studio (its contact address, else the API's)."""
    record = OnlineCancelation.objects.select_related("studio").filter(pk=ids["cancelation"]).first()
    if record is None:
        return 0
    studio = record.studio
    to = [studio.contact_email] if studio.contact_email else _studio_email_from_api(studio)
    if not to:
        logger.error("online cancelation without studio address reference=%s", record.reference)
        return 0
    context = receipt_context(studio, record)
    try:
        send_email(
            to,
            _("Cancelation without login: please process"),
            "selfservice/online_cancelation_studio",
            {**context, "studio": studio, "note": record.note_for_studio, "record": record},
            language=language,
            reply_to=[record.email],
        )
    except (EmailDeliveryFailed, ValueError):
        logger.error("online cancelation studio email failed reference=%s", record.reference)
        raise
    OnlineCancelation.objects.filter(pk=record.pk).update(studio_emailed=True)
    return 1


def send_receipt(ids: dict[str, Any], language: str) -> int:
    """Worker: the receipt to the address given and, if different, to the address the studio has on file."""
    record = OnlineCancelation.objects.select_related("studio").filter(pk=ids["cancelation"]).first()
    if record is None:
        return 0
    studio = record.studio
    recipients = [record.email]
    on_file = ""
    if record.matched_customer_id is not None:
        try:
            customer_id = record.matched_customer_id
            customer = reads.read(studio, "getCustomerById", lambda client: client.get_customer_by_id(customer_id))
            on_file = (customer.email or "").strip()
        except errors.ApiError as exc:
            logger.warning(
                "receipt: address on file unreadable reference=%s error=%s", record.reference, type(exc).__name__
            )
    if on_file and on_file.casefold() != record.email.casefold():
        recipients.append(on_file)
    context = receipt_context(studio, record)
    sent = 0
    for address in recipients:  # one message each: neither learns the other's address
        try:
            sent += send_email(
                [address],
                gettext_lazy("Confirmation of your cancelation"),
                "selfservice/online_cancelation_receipt",
                {**context, "studio": studio, "to_file_address": address != record.email},
                language=language,
                reply_to=[studio.contact_email] if studio.contact_email else None,
            )
        except (EmailDeliveryFailed, ValueError):
            logger.error("online cancelation receipt failed reference=%s", record.reference)
    return sent


def purge_old(*, now, dry_run: bool = False) -> dict[str, int]:
    """Housekeeping: handled declarations past the studio's retention (``OnlineCancelation.purge_old``)."""
    return {"cancelations without login": OnlineCancelation.purge_old(now, dry_run=dry_run)}
