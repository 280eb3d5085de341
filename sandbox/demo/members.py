"""Demo members, their contracts, idle periods and pending amendments.

Every date is relative to ``today``; the contract's end, its available
cancelation dates and its status are computed per request on top of that.

- Mia Schneider (mia@example.com): active contract, cancelable to several dates;
  idle periods by month are accepted at once.
- Jonas Becker (jonas@example.com): his cancelation is PENDING_VERIFICATION and
  can be withdrawn; idle periods are read-only for his contract.
- Lea Wagner (lea@example.com): an accepted idle period running now (with access
  refusal) and a pending one later; address changes need verification.
- Tom Hoffmann (tom@example.com): a contact data change waits for verification;
  idle periods by week, only from the next possible start date.
- Sara Yilmaz (sara@example.com): read-only address; idle periods by day.
- Paul Richter (paul@example.com): former member, contract ended by the studio.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from sandbox.datetimes import format_datetime
from sandbox.ops.customers import DEFAULT_SETTINGS, SETTINGS_KIND, sync_idle_periods
from sandbox.ops.idleperiods import idle_end
from sandbox.ops.memberships import add_months, available_cancelation_dates
from sandbox.store import Store

STUDIO_ID = 1210001
_ZONE = zoneinfo.ZoneInfo("Europe/Berlin")
_UUID_NAMESPACE = uuid.UUID("6f1c2a4e-2f43-4c1e-9a53-5d1f4f0c7b21")

CANCELATION_REASONS = ["Umzug", "Finanzielle Gründe", "Gesundheit", "Sonstiges"]
IDLE_REASONS = [("Urlaub", False), ("Krankheit", True), ("Schwangerschaft", True)]


def _eur(amount: float) -> dict[str, Any]:
    return {"amount": amount, "currency": "EUR"}


def _month_start(today: date, months: int) -> date:
    return add_months(today.replace(day=1), months)


def _create_member(
    store: Store,
    number: str,
    first: str,
    last: str,
    born: str,
    gender: str,
    street: str,
    house: str,
    *,
    joined: date,
    **extra: Any,
) -> dict[str, Any]:
    """A member who signed up at the counter a few days before the contract started."""
    created = datetime.combine(joined - timedelta(days=4), time(17, 30), tzinfo=_ZONE)
    customer = {
        "customerNumber": number,
        "firstName": first,
        "lastName": last,
        "dateOfBirth": born,
        "email": f"{first.lower()}@example.com",
        "gender": gender,
        "street": street,
        "houseNumber": house,
        "zipCode": extra.pop("zipCode", "10115"),
        "city": "Berlin",
        "country": "DE",
        "status": "MEMBER",
        "phonePrivateMobile": extra.pop("phonePrivateMobile", None),
        "idlePeriods": [],
        "accessRefusal": False,
        "accessRestrictions": [],
        "uuid": str(uuid.uuid5(_UUID_NAMESPACE, number)),
        "studioId": STUDIO_ID,
        "preferredLanguage": {"languageCode": "de", "countryCode": "DE"},
        "cardNumbers": [f"0004{number}77"],
        "createdDateTime": format_datetime(created),
        **extra,
    }
    return store.create("customer", customer)


def _idle_config(unit: str, status: str, *, max_terms: int, notice_days: int, **extra: Any) -> dict[str, Any]:
    per_unit = {"DAY": 1.0, "WEEK": 2.5, "MONTH": 5.0}[unit]
    return {
        "temporalUnit": unit,
        "maxTerms": max_terms,
        "maxTermPerReferencePeriod": extra.pop("per_year", max_terms * 2),
        "referencePeriod": "CALENDAR_YEAR",
        "nextPossibleStartDateOnly": extra.pop("next_only", False),
        "idlePeriodFee": _eur(per_unit),
        "accessRefusal": extra.pop("access_refusal", True),
        "idlePeriodCreationStatus": status,
        "contractHasExtension": False,
        "unlimitedAllowed": False,
        "freeTerms": {"value": 0, "unit": unit},
        "dayBasedTermShorteningAllowed": False,
        "idlePeriodFeeCalculationConfig": {
            "idlePeriodAmount": _eur(per_unit),
            "idlePeriodAmountPerTermUnit": _eur(per_unit),
            "defaultTemporalUnit": unit,
            "recurringIdlePeriodCharges": False,
        },
        "_noticeDays": notice_days,
    }


def _contract(customer: dict, rate: str, code: str, start: date, price: float, idle: dict, **extra: Any) -> dict:
    return {
        "customerId": customer["id"],
        "rateName": rate,
        "startDate": start.isoformat(),
        "cancelationPeriod": {"periodValue": extra.pop("notice_months", 1), "periodUnit": "MONTH"},
        "price": price,
        "priceDetails": {
            "basePrice": _eur(price),
            "currentPrice": _eur(price),
            "paymentFrequency": {
                "id": 203,
                "type": "RECURRING",
                "term": {"value": 1, "unit": "MONTH"},
                "price": _eur(price),
            },
        },
        "rateCodes": [{"name": rate.split()[0], "identifier": code}],
        "_initialTermMonths": extra.pop("initial", 12),
        "_extensionTermMonths": extra.pop("extension", 1),
        "_idleConfig": idle,
        **extra,
    }


def _idle_period(
    store: Store,
    contract: dict[str, Any],
    reason: dict[str, Any],
    start: date,
    months: int,
    state: str,
    document: dict[str, Any] | None = None,
) -> None:
    config = contract["_idleConfig"]
    per_unit = config["idlePeriodFeeCalculationConfig"]["idlePeriodAmountPerTermUnit"]
    total = _eur(round(per_unit["amount"] * months, 2))
    store.create(
        "idle_period",
        {
            "contractId": contract["id"],
            "customerId": contract["customerId"],
            "startDate": start.isoformat(),
            "endDate": idle_end(start, months, "MONTH").isoformat(),
            "reason": reason["name"],
            "fee": total,
            "unlimited": False,
            "state": state,
            "idlePeriodFeeCalculationConfig": config["idlePeriodFeeCalculationConfig"],
            "idlePeriodFee": {
                "idlePeriodFeeCalculationType": "TERM_BASED",
                "idlePeriodTotalAmount": total,
                "idlePeriodFeeCalculationAmount": per_unit,
                "idlePeriodFeeCalculationTerm": {"value": 1, "unit": "MONTH"},
            },
            "idlePeriodReason": {
                "id": reason["id"],
                "name": reason["name"],
                "documentRequired": reason["documentRequired"],
            },
            "usedFreeTermsInDays": 0,
            "_temporalUnit": "MONTH",
            "_termValue": months,
            "_accessRefusal": config["accessRefusal"],
            "_document": document,
        },
    )


# A member's idle periods by month (status: who may change them), as most demo contracts have them.
IdleConfig = Callable[[str], dict[str, Any]]


def _mia(store: Store, today: date, monthly: IdleConfig) -> None:
    """Mia: active, cancelable to the next three month ends; idle periods accepted at once."""
    start = _month_start(today, -14)
    mia = _create_member(store, "1001", "Mia", "Schneider", "1994-05-17", "FEMALE", "Kastanienallee", "12",
                         joined=start, zipCode="10435", phonePrivateMobile="+49 151 23456701")  # fmt: skip
    idle = monthly("CHANGES_WITHOUT_VERIFICATION")
    store.create("contract", _contract(mia, "Premium 12 Monate", "PREM12", start, 39.9, idle))


def _jonas(store: Store, today: date, monthly: IdleConfig, cancel_reasons: dict[str, dict[str, Any]]) -> None:
    """Jonas: his cancelation to the end of the initial term waits for staff and can be withdrawn."""
    start = _month_start(today, -20)
    jonas = _create_member(store, "1002", "Jonas", "Becker", "1988-11-03", "MALE", "Schönhauser Allee", "80",
                           joined=start, zipCode="10439", phonePrivateMobile="+49 151 23456702")  # fmt: skip
    contract = _contract(jonas, "Basic 24 Monate", "BASIC24", start, 24.9, monthly("READ"), initial=24)
    contract["_cancelationRequiresVerification"] = True
    received = datetime.combine(today - timedelta(days=2), time(9, 30), tzinfo=_ZONE)
    contract.update(
        cancelationStatus="PENDING_VERIFICATION",
        cancelationDate=available_cancelation_dates(contract, today)[0].isoformat(),
        cancelationReason="Umzug",
        cancelationOrigin="CUSTOMER",
        _cancelationReasonId=cancel_reasons["Umzug"]["id"],
        _cancelationReceivedAt=format_datetime(received),
    )
    store.create("contract", contract)


def _lea(store: Store, today: date, monthly: IdleConfig, idle_reasons: dict[str, dict[str, Any]]) -> None:
    """Lea: ill since the first of this month (accepted, access refused), a holiday request pending."""
    start = _month_start(today, -8)
    lea = _create_member(store, "1003", "Lea", "Wagner", "1991-02-28", "FEMALE", "Bergmannstraße", "5",
                         joined=start, zipCode="10961", phonePrivateMobile="+49 151 23456703",
                         _amendmentConfiguration={"addressData": "CHANGES_REQUIRE_VERIFICATION"})  # fmt: skip
    idle = monthly("CHANGES_REQUIRE_VERIFICATION")
    contract = store.create("contract", _contract(lea, "Premium Flex", "PREMFLEX", start, 49.9, idle, initial=1))
    certificate = {"name": "attest.pdf", "size": 48213, "contentType": "application/pdf"}
    _idle_period(store, contract, idle_reasons["Krankheit"], _month_start(today, 0), 2, "ACCEPTED", certificate)
    _idle_period(store, contract, idle_reasons["Urlaub"], _month_start(today, 4), 1, "PENDING_VERIFICATION")
    sync_idle_periods(store, lea["id"])


def _tom(store: Store, today: date) -> None:
    """Tom: a new mobile number waits for verification; idle periods by week, next start date only."""
    start = _month_start(today, -3)
    tom = _create_member(store, "1004", "Tom", "Hoffmann", "1979-08-21", "MALE", "Sonnenallee", "140",
                         joined=start, zipCode="12059", phonePrivateMobile="+49 151 23456704",
                         phonePrivate="+49 30 5550104",
                         _amendmentConfiguration={"contactData": "CHANGES_REQUIRE_VERIFICATION"})  # fmt: skip
    idle = _idle_config("WEEK", "CHANGES_REQUIRE_VERIFICATION", max_terms=4, notice_days=7, next_only=True)
    store.create("contract", _contract(tom, "Premium 12 Monate", "PREM12", start, 39.9, idle))
    requested = {"email": "tom@example.com", "phonePrivate": "+49 30 5550104", "phonePrivateMobile": "+49 160 98765404"}
    store.create("amendment", {"customerId": tom["id"], "type": "CONTACT", "status": "PENDING", "data": requested})


def _sara(store: Store, today: date) -> None:
    """Sara: her address can only be read; idle periods by day, accepted at once."""
    start = _month_start(today, -5) + timedelta(days=14)
    sara = _create_member(store, "1005", "Sara", "Yilmaz", "2000-12-09", "FEMALE", "Karl-Marx-Straße", "66",
                          joined=start, zipCode="12043", phonePrivateMobile="+49 151 23456705",
                          _amendmentConfiguration={"addressData": "READ"})  # fmt: skip
    idle = _idle_config("DAY", "CHANGES_WITHOUT_VERIFICATION", max_terms=30, notice_days=3, access_refusal=False)
    store.create("contract", _contract(sara, "Basic Flex", "BASICFLEX", start, 29.9, idle, initial=1))


def _paul(store: Store, today: date, monthly: IdleConfig, cancel_reasons: dict[str, dict[str, Any]]) -> None:
    """Paul: former member; the studio ended his contract at the end of last month."""
    ended = _month_start(today, 0) - timedelta(days=1)
    start = add_months(ended + timedelta(days=1), -24)
    paul = _create_member(store, "1006", "Paul", "Richter", "1985-04-12", "MALE", "Torstraße", "20",
                          joined=start, status="FORMER_MEMBER")  # fmt: skip
    contract = _contract(paul, "Premium 12 Monate", "PREM12", start, 39.9, monthly("READ"))
    contract.update(
        cancelationStatus="CANCELED",
        cancelationDate=ended.isoformat(),
        cancelationReason="Sonstiges",
        cancelationOrigin="STUDIO",
        _cancelationReasonId=cancel_reasons["Sonstiges"]["id"],
    )
    store.create("contract", contract)


def load(store: Store, today: date) -> None:
    store.create(SETTINGS_KIND, dict(DEFAULT_SETTINGS))
    cancel_reasons = {
        name: store.create("cancel_reason", {"cancelationReasonName": name}) for name in CANCELATION_REASONS
    }
    idle_reasons = {
        name: store.create("idle_reason", {"name": name, "documentRequired": required})
        for name, required in IDLE_REASONS
    }
    monthly = partial(_idle_config, "MONTH", max_terms=3, notice_days=14)
    _mia(store, today, monthly)
    _jonas(store, today, monthly, cancel_reasons)
    _lea(store, today, monthly, idle_reasons)
    _tom(store, today)
    _sara(store, today)
    _paul(store, today, monthly, cancel_reasons)
