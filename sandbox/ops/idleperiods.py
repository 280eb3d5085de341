"""Membership self-service: idle periods (Ruhezeiten) of a contract.

Each contract carries its idle period configuration in ``_idleConfig`` (the
API's IdlePeriodConfiguration without the parts computed per request, plus
``_noticeDays``: how many days ahead an idle period must be asked for). Reasons
are studio-wide ``idle_reason`` entities.

An ``idle_period`` entity is an idle period (ACCEPTED) or an amendment waiting
for staff (PENDING_VERIFICATION). The customer's ``idlePeriods`` list mirrors the
ACCEPTED ones (``sync_idle_periods``). Uploaded documents are checked by their
first bytes and only their name, size and type are kept, never their content.

Validation, first failing rule wins:
  READ creation status or inactive contract     IDLEPERIOD_DEACTIVATED_FOR_CONTRACT
  a pending amendment exists                    IDLEPERIOD_PENDING_VERIFICATION
  neither a term nor ``unlimited`` given        IDLEPERIOD_UNLIMITED_PARAMETER_IS_MISSING
  unit other than the configured one            IDLEPERIOD_TEMPORALUNIT_INVALID
  no (positive) termValue                       IDLEPERIOD_TERMVALUE_MISSING
  more than maxTerms, more than maxTermPerReferencePeriod in the reference period,
  or unlimited when not allowed                 IDLEPERIOD_MAXIMUM_TERMS_VIOLATED
  longer than five years                        IDLEPERIOD_MAXIMUM_YEARS_VIOLATED
  start before firstPossibleStartDate           IDLEPERIOD_DEADLINE_VIOLATED
  MONTH unit and start not on the 1st           IDLEPERIOD_DATE_NOT_FIRSTDAY_OF_TEMPORALUNIT
  nextPossibleStartDateOnly and another start   IDLEPERIOD_EXPECTED_STARTDATE_MISMATCH
  overlaps an existing idle period              IDLEPERIOD_OVERLAPPING
  otherwise                                     IDLEPERIOD_CREATABLE
A create that fails one answers 400 with errorCode ``errormessage.idleperiod.<rest>``
(IDLEPERIOD_OVERLAPPING -> ``errormessage.idleperiod.overlapping``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import PurePath
from typing import Any

from portal.lib.filetypes import sniff_document_type
from sandbox.errors import ApiProblem
from sandbox.ops.customers import problem, public, require_reason, sync_idle_periods
from sandbox.ops.memberships import add_months, is_active, require_contract, shift
from sandbox.router import SandboxRequest, int_param, operation

CREATABLE = "IDLEPERIOD_CREATABLE"
_UNITS = ("DAY", "WEEK", "MONTH")
_MAX_YEARS = 5
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_OK = {"success": "true"}

# A sentence for every status a create can fail with (the errorMessage of its 400).
STATUS_TEXTS: dict[str, tuple[str, str]] = {
    "IDLEPERIOD_DEACTIVATED_FOR_CONTRACT": (
        "Idle periods cannot be requested online for this contract.",
        "Für diesen Vertrag kann online keine Ruhezeit beantragt werden.",
    ),
    "IDLEPERIOD_PENDING_VERIFICATION": (
        "Another idle period request is still waiting for verification.",
        "Ein anderer Ruhezeit-Antrag wird noch geprüft.",
    ),
    "IDLEPERIOD_UNLIMITED_PARAMETER_IS_MISSING": (
        "Say how long the idle period lasts or that it is unlimited.",
        "Bitte die Dauer der Ruhezeit angeben oder sie als unbefristet beantragen.",
    ),
    "IDLEPERIOD_TEMPORALUNIT_INVALID": (
        "The unit of the idle period does not match the contract's configuration.",
        "Die Einheit der Ruhezeit passt nicht zur Konfiguration des Vertrags.",
    ),
    "IDLEPERIOD_TERMVALUE_MISSING": ("The length of the idle period is missing.", "Die Dauer der Ruhezeit fehlt."),
    "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED": (
        "The idle period is longer than allowed.",
        "Die Ruhezeit ist länger als erlaubt.",
    ),
    "IDLEPERIOD_MAXIMUM_YEARS_VIOLATED": (
        "An idle period can last five years at most.",
        "Eine Ruhezeit darf höchstens fünf Jahre dauern.",
    ),
    "IDLEPERIOD_DEADLINE_VIOLATED": (
        "The idle period starts too early.",
        "Die Ruhezeit beginnt zu früh.",
    ),
    "IDLEPERIOD_DATE_NOT_FIRSTDAY_OF_TEMPORALUNIT": (
        "The idle period must start on the first day of a month.",
        "Die Ruhezeit muss am Ersten eines Monats beginnen.",
    ),
    "IDLEPERIOD_EXPECTED_STARTDATE_MISMATCH": (
        "The idle period can only start on the next possible start date.",
        "Die Ruhezeit kann nur zum nächstmöglichen Termin beginnen.",
    ),
    "IDLEPERIOD_OVERLAPPING": (
        "The idle period overlaps another idle period.",
        "Die Ruhezeit überschneidet sich mit einer anderen Ruhezeit.",
    ),
}


def error_code(status: str) -> str:
    """IDLEPERIOD_DEADLINE_VIOLATED -> errormessage.idleperiod.deadline.violated"""
    return "errormessage." + status.lower().replace("idleperiod_", "idleperiod.", 1).replace("_", ".")


def first_possible_start(config: dict[str, Any], today: date) -> date:
    """Notice days from today, then on to the next full month (MONTH) or Monday (WEEK)."""
    start = today + timedelta(days=config.get("_noticeDays", 0))
    if config["temporalUnit"] == "MONTH" and start.day != 1:
        start = add_months(start.replace(day=1), 1)
    elif config["temporalUnit"] == "WEEK":
        start += timedelta(days=(7 - start.weekday()) % 7)
    return start


def idle_end(start: date, term: int, unit: str) -> date:
    """Inclusive last day: two MONTHs from 1 March end on 30 April."""
    return shift(start, term, unit) - timedelta(days=1)


def _reference_period(config: dict[str, Any], contract: dict[str, Any], start: date) -> tuple[date, date]:
    if config.get("referencePeriod") == "CONTRACT_YEAR":
        anniversary = date.fromisoformat(contract["startDate"])
        while add_months(anniversary, 12) <= start:
            anniversary = add_months(anniversary, 12)
        return anniversary, add_months(anniversary, 12)
    return date(start.year, 1, 1), date(start.year + 1, 1, 1)


def _config_view(ctx: SandboxRequest, contract: dict[str, Any]) -> dict[str, Any]:
    config = contract["_idleConfig"]
    view = public(config)
    view["firstPossibleStartDate"] = first_possible_start(config, ctx.today).isoformat()
    view["idlePeriodReasons"] = [_reason_view(reason) for reason in ctx.store.all("idle_reason")]
    return view


def _reason_view(reason: dict[str, Any]) -> dict[str, Any]:
    return {"id": reason["id"], "name": reason["name"], "documentRequired": bool(reason["documentRequired"])}


def _period_view(period: dict[str, Any]) -> dict[str, Any]:
    view = public(period)
    for name in ("contractId", "customerId"):
        view.pop(name, None)
    return view


def _date_field(data: dict[str, Any], name: str, prefix: str) -> date:
    try:
        return date.fromisoformat(str(data.get(name)))
    except ValueError:
        raise ApiProblem.validation(f"{prefix}{name}", f"{prefix}{name} must be a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class IdleRequest:
    """An idle period request's fields, their types checked (a bad type is a 400, not a status)."""

    start: date
    unit: str | None
    term: int | None
    unlimited: bool | None

    @classmethod
    def read(cls, data: dict[str, Any], prefix: str) -> IdleRequest:
        start = _date_field(data, "startDate", prefix)
        unit, term, unlimited = data.get("temporalUnit"), data.get("termValue"), data.get("unlimited")
        if unit is not None and unit not in _UNITS:
            raise ApiProblem.validation(f"{prefix}temporalUnit", "temporalUnit must be DAY, WEEK or MONTH")
        if term is not None and (isinstance(term, bool) or not isinstance(term, int)):
            raise ApiProblem.validation(f"{prefix}termValue", "termValue must be a whole number")
        if unlimited is not None and not isinstance(unlimited, bool):
            raise ApiProblem.validation(f"{prefix}unlimited", "unlimited must be true or false")
        return cls(start, unit, term, unlimited)


@dataclass(frozen=True)
class IdlePlan:
    """A creatable idle period: its dates and, unless unlimited, its term."""

    start: date
    end: date
    unit: str | None
    term: int | None
    unlimited: bool


def _unlimited_plan(config: dict[str, Any], request: IdleRequest) -> IdlePlan | str:
    if not config["unlimitedAllowed"]:
        return "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED"
    # No end is known; the five-year hard limit stands in for it (endDate is required).
    end = shift(request.start, _MAX_YEARS, "YEAR") - timedelta(days=1)
    return IdlePlan(request.start, end, None, None, True)


def _used_terms(config: dict[str, Any], contract: dict[str, Any], existing: list[dict[str, Any]], start: date) -> int:
    """Terms of the configured unit already taken in the reference period that ``start`` falls in."""
    begin, until = _reference_period(config, contract, start)
    return sum(
        period.get("_termValue") or 0
        for period in existing
        if period.get("_temporalUnit") == config["temporalUnit"]
        and begin.isoformat() <= period["startDate"] < until.isoformat()
    )


def _term_plan(
    config: dict[str, Any], contract: dict[str, Any], existing: list[dict[str, Any]], request: IdleRequest
) -> IdlePlan | str:
    if request.unit is None and request.term is None and request.unlimited is None:
        return "IDLEPERIOD_UNLIMITED_PARAMETER_IS_MISSING"
    if request.unit is not None and request.unit != config["temporalUnit"]:
        return "IDLEPERIOD_TEMPORALUNIT_INVALID"
    unit, term, start = config["temporalUnit"], request.term, request.start
    if term is None or term < 1:
        return "IDLEPERIOD_TERMVALUE_MISSING"
    end = idle_end(start, term, unit)
    if end >= shift(start, _MAX_YEARS, "YEAR"):
        return "IDLEPERIOD_MAXIMUM_YEARS_VIOLATED"
    if term > config["maxTerms"]:
        return "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED"
    limit = config.get("maxTermPerReferencePeriod")
    if limit and _used_terms(config, contract, existing, start) + term > limit:
        return "IDLEPERIOD_MAXIMUM_TERMS_VIOLATED"
    return IdlePlan(start, end, unit, term, False)


def _start_status(config: dict[str, Any], today: date, plan: IdlePlan, existing: list[dict[str, Any]]) -> str:
    first = first_possible_start(config, today)
    if plan.start < first:
        return "IDLEPERIOD_DEADLINE_VIOLATED"
    if config["temporalUnit"] == "MONTH" and plan.start.day != 1:
        return "IDLEPERIOD_DATE_NOT_FIRSTDAY_OF_TEMPORALUNIT"
    if config["nextPossibleStartDateOnly"] and plan.start != first:
        return "IDLEPERIOD_EXPECTED_STARTDATE_MISMATCH"
    for period in existing:
        if period["startDate"] <= plan.end.isoformat() and plan.start.isoformat() <= period["endDate"]:
            return "IDLEPERIOD_OVERLAPPING"
    return CREATABLE


def check_request(
    ctx: SandboxRequest, contract: dict[str, Any], data: dict[str, Any], *, prefix: str = ""
) -> tuple[str, IdlePlan | None]:
    """The validation status for an idle period request and, when creatable, its plan (dates and term)."""
    config = contract["_idleConfig"]
    request = IdleRequest.read(data, prefix)
    if config["idlePeriodCreationStatus"] == "READ" or not is_active(contract, ctx.today):
        return "IDLEPERIOD_DEACTIVATED_FOR_CONTRACT", None
    existing = ctx.store.all("idle_period", contractId=contract["id"])
    if any(period["state"] == "PENDING_VERIFICATION" for period in existing):
        return "IDLEPERIOD_PENDING_VERIFICATION", None
    plan = _unlimited_plan(config, request) if request.unlimited else _term_plan(config, contract, existing, request)
    if isinstance(plan, str):
        return plan, None
    status = _start_status(config, ctx.today, plan, existing)
    return status, plan if status == CREATABLE else None


def _document_meta(ctx: SandboxRequest, upload: Any) -> dict[str, Any]:
    upload.seek(0)
    kind = sniff_document_type(upload.read(16))
    if kind is None:
        raise problem(
            ctx,
            400,
            "errormessage.idleperiod.document.type.invalid",
            en="The document must be a JPEG, PNG, PDF or HEIC file.",
            de="Das Dokument muss eine JPEG-, PNG-, PDF- oder HEIC-Datei sein.",
            reference="document",
        )
    if upload.size > MAX_DOCUMENT_BYTES:
        raise problem(
            ctx,
            400,
            "errormessage.idleperiod.document.too.large",
            en="The document is too large (10 MB at most).",
            de="Das Dokument ist zu groß (höchstens 10 MB).",
            reference="document",
        )
    name = PurePath(str(upload.name or "document")).name[-100:]
    return {"name": name, "size": upload.size, "contentType": kind}


def _fee(config: dict[str, Any], term: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fee and fee details: the configured amount per term unit times the terms."""
    calculation = config["idlePeriodFeeCalculationConfig"]
    per_unit = calculation.get("idlePeriodAmountPerTermUnit") or calculation["idlePeriodAmount"]
    total = {"amount": round(per_unit["amount"] * (term or 1), 2), "currency": per_unit["currency"]}
    details = {
        "idlePeriodFeeCalculationType": "TERM_BASED" if per_unit["amount"] else "NONE",
        "idlePeriodTotalAmount": total,
        "idlePeriodFeeCalculationAmount": per_unit,
        "idlePeriodFeeCalculationTerm": {"value": 1, "unit": config["temporalUnit"]},
    }
    return total, details


def _contract_period(ctx: SandboxRequest, contract: dict[str, Any], idle_period_id: str) -> dict[str, Any]:
    period = ctx.store.get("idle_period", int_param(idle_period_id, "idlePeriodId"))
    if period is None or period["contractId"] != contract["id"]:
        raise ApiProblem.not_found("idlePeriod")
    return period


@operation("GET", "/v1/memberships/{contractId}/self-service/idle-periods/config", "getIdlePeriodConfig")
def get_idle_period_config(ctx: SandboxRequest, contractId: str) -> dict[str, Any]:
    return _config_view(ctx, require_contract(ctx, contractId))


@operation("POST", "/v1/memberships/{contractId}/self-service/idle-periods/validate", "validateIdlePeriodRequest")
def validate_idle_period(ctx: SandboxRequest, contractId: str) -> dict[str, str]:
    contract = require_contract(ctx, contractId)
    status, _ = check_request(ctx, contract, ctx.body_dict())
    return {"validationStatus": status}


@operation("GET", "/v1/memberships/{contractId}/self-service/idle-periods", "getIdlePeriods")
def get_idle_periods(ctx: SandboxRequest, contractId: str) -> dict[str, list[dict[str, Any]]]:
    contract = require_contract(ctx, contractId)
    today = ctx.today.isoformat()
    periods = sorted(ctx.store.all("idle_period", contractId=contract["id"]), key=lambda p: p["startDate"])
    return {
        "pastIdlePeriods": [_period_view(p) for p in periods if p["endDate"] < today],
        "currentAndUpcomingIdlePeriods": [_period_view(p) for p in periods if p["endDate"] >= today],
    }


@operation("GET", "/v1/memberships/{contractId}/self-service/idle-periods/{idlePeriodId}", "getIdlePeriodById")
def get_idle_period(ctx: SandboxRequest, contractId: str, idlePeriodId: str) -> dict[str, Any]:
    contract = require_contract(ctx, contractId)
    return _period_view(_contract_period(ctx, contract, idlePeriodId))


@operation("POST", "/v1/memberships/{contractId}/self-service/idle-periods", "createIdlePeriodAmendment")
def create_idle_period(ctx: SandboxRequest, contractId: str) -> dict[str, Any]:
    """Multipart: part ``data`` (IdlePeriodCreateRequest as JSON), optional part ``document``."""
    contract = require_contract(ctx, contractId, lock=True)
    data = ctx.body
    if not isinstance(data, dict):
        raise ApiProblem.validation("data", "The data part (JSON) is required")
    ctx.require_fields(data, "startDate", "reasonId", prefix="data.")
    reason = require_reason(ctx, "idle_reason", data["reasonId"], "data.reasonId")
    status, plan = check_request(ctx, contract, data, prefix="data.")
    if plan is None:
        english, german = STATUS_TEXTS[status]
        raise problem(ctx, 400, error_code(status), en=english, de=german, reference="data")
    upload = ctx.files.get("document")
    if upload is None and reason["documentRequired"]:
        raise problem(
            ctx,
            400,
            "errormessage.idleperiod.document.required",
            en=f"A document is required for the reason “{reason['name']}”.",
            de=f"Für den Grund „{reason['name']}“ ist ein Nachweis erforderlich.",
            reference="document",
        )
    document = _document_meta(ctx, upload) if upload is not None else None

    config = contract["_idleConfig"]
    fee, fee_details = _fee(config, plan.term)
    pending = config["idlePeriodCreationStatus"] == "CHANGES_REQUIRE_VERIFICATION"
    period = ctx.store.create(
        "idle_period",
        {
            "contractId": contract["id"],
            "customerId": contract["customerId"],
            "startDate": plan.start.isoformat(),
            "endDate": plan.end.isoformat(),
            "reason": reason["name"],
            "fee": fee,
            "unlimited": plan.unlimited,
            "state": "PENDING_VERIFICATION" if pending else "ACCEPTED",
            "idlePeriodFeeCalculationConfig": config["idlePeriodFeeCalculationConfig"],
            "idlePeriodFee": fee_details,
            "idlePeriodReason": _reason_view(reason),
            "usedFreeTermsInDays": 0,
            "_temporalUnit": plan.unit,
            "_termValue": plan.term,
            "_accessRefusal": bool(config["accessRefusal"]),
            "_document": document,
            "_requestedAt": ctx.fmt(ctx.now),
        },
    )
    if not pending:
        sync_idle_periods(ctx.store, contract["customerId"])
    return _period_view(period)


@operation("DELETE", "/v1/memberships/{contractId}/self-service/idle-periods/{idlePeriodId}", "withdrawIdlePeriod")
def withdraw_idle_period(ctx: SandboxRequest, contractId: str, idlePeriodId: str) -> dict[str, str]:
    """A pending amendment or an accepted idle period that has not started yet can be withdrawn."""
    contract = require_contract(ctx, contractId, lock=True)
    period = _contract_period(ctx, contract, idlePeriodId)
    if period["state"] == "ACCEPTED" and period["startDate"] <= ctx.today.isoformat():
        raise problem(
            ctx,
            400,
            "errormessage.idleperiod.withdraw.not.possible",
            en="An idle period that has already started cannot be withdrawn.",
            de="Eine Ruhezeit, die schon begonnen hat, kann nicht zurückgezogen werden.",
            reference="idlePeriodId",
        )
    ctx.store.delete("idle_period", period["id"])
    if period["state"] == "ACCEPTED":
        sync_idle_periods(ctx.store, contract["customerId"])
    return _OK
