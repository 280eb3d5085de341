"""Customers: search and read, plus the helpers the other member areas share.

A customer is an entity of kind ``customer`` in the API's ``Customer`` shape.
Its ``idlePeriods`` list mirrors the ACCEPTED idle periods of its contracts
(``sync_idle_periods``): the class and appointment handlers read it to answer
``CUSTOMER_IDLE``, so every change to an idle period must call it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, int_param, operation
from sandbox.store import Store

# Studio-wide defaults; a customer may override the amendment settings
# (``_amendmentConfiguration``) and a contract the cancelation one.
SETTINGS_KIND = "member_settings"
DEFAULT_SETTINGS: dict[str, Any] = {
    "contactData": "CHANGES_WITHOUT_VERIFICATION",
    "addressData": "CHANGES_WITHOUT_VERIFICATION",
    "cancelationRequiresVerification": False,
}

_SEARCH_FIELDS = ("firstName", "lastName", "email", "dateOfBirth")


def problem(
    ctx: SandboxRequest, status: int, code: str, *, en: str, de: str, reference: str | None = None
) -> ApiProblem:
    """An error whose message follows the request's language, like the API's."""
    return ApiProblem(status, code, de if ctx.language == "de" else en, reference=reference)


# The API's answer to a reason id it does not know, per kind of reason: (errorCode, English, German).
_UNKNOWN_REASON = {
    "cancel_reason": (
        "errormessage.contract.cancelation.reason.invalid",
        "Unknown cancelation reason.",
        "Unbekannter Kündigungsgrund.",
    ),
    "idle_reason": (
        "errormessage.idleperiod.reason.invalid",
        "Unknown idle period reason.",
        "Unbekannter Grund für die Ruhezeit.",
    ),
}


def require_reason(ctx: SandboxRequest, kind: str, reason_id: Any, reference: str) -> dict[str, Any]:
    """The reason (``cancel_reason``, ``idle_reason``) a request picks by id. An unknown one is a 400
    naming ``reference``, not a 404: the request's input is wrong, not the resource it addresses."""
    reason = ctx.store.get(kind, int_param(reason_id, reference))
    if reason is None:
        code, english, german = _UNKNOWN_REASON[kind]
        raise problem(ctx, 400, code, en=english, de=german, reference=reference)
    return reason


def settings(store: Store) -> dict[str, Any]:
    found = store.all(SETTINGS_KIND)
    return {**DEFAULT_SETTINGS, **(found[0] if found else {})}


def public(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity without sandbox-internal keys and without empty (null) values."""
    return {key: value for key, value in entity.items() if not key.startswith("_") and value is not None}


def require_customer(ctx: SandboxRequest, customer_id: str | int) -> dict[str, Any]:
    return ctx.store.require("customer", int_param(customer_id, "customerId"), what="customer")


def customer_view(customer: dict[str, Any], today: date) -> dict[str, Any]:
    """The API's Customer: access is refused while an idle period with access refusal runs."""
    view = public(customer)
    view.setdefault("status", "PROSPECT")
    view.setdefault("idlePeriods", [])
    refused = bool(customer.get("accessRefusal"))
    for period in customer.get("_refusingIdlePeriods", []):
        if period["startDate"] <= today.isoformat() <= period["endDate"]:
            refused = True
    view["accessRefusal"] = refused
    return view


def sync_idle_periods(store: Store, customer_id: int) -> None:
    """Rewrite the customer's ``idlePeriods`` from the ACCEPTED idle periods of its contracts."""
    customer = store.lock("customer", customer_id)
    if customer is None:
        return
    periods = []
    refusing = []
    for period in sorted(store.all("idle_period", customerId=customer_id), key=lambda p: p["startDate"]):
        if period["state"] != "ACCEPTED":
            continue
        contract = store.get("contract", period["contractId"]) or {}
        periods.append(
            {
                "id": period["id"],
                "startDate": period["startDate"],
                "endDate": period["endDate"],
                "reason": period["reason"],
                "contract": {"id": period["contractId"], "rateName": contract.get("rateName", "")},
                "unlimited": bool(period.get("unlimited")),
            }
        )
        if period.get("_accessRefusal"):
            refusing.append({"startDate": period["startDate"], "endDate": period["endDate"]})
    customer["idlePeriods"] = periods
    customer["_refusingIdlePeriods"] = refusing
    store.save("customer", customer)


def _matches(customer: dict[str, Any], criteria: dict[str, str]) -> bool:
    for name, wanted in criteria.items():
        have = str(customer.get(name) or "").strip()
        if name == "dateOfBirth":
            if have != wanted:
                return False
        elif have.casefold() != wanted.casefold():
            return False
    return True


@operation("POST", "/v1/customers/search", "searchCustomers")
def search_customers(ctx: SandboxRequest) -> list[dict[str, Any]]:
    """Every given criterion must match: names and email ignore case, dateOfBirth is exact."""
    body = ctx.body_dict()
    criteria = {name: str(body[name]).strip() for name in _SEARCH_FIELDS if body.get(name) not in (None, "")}
    if not criteria:
        # The API has no "list everyone" through search; an empty search is a mistake.
        raise ApiProblem.validation("body", "At least one search criterion is required")
    if "dateOfBirth" in criteria:
        try:
            date.fromisoformat(criteria["dateOfBirth"])
        except ValueError:
            raise ApiProblem.validation("dateOfBirth", "dateOfBirth must be a date (YYYY-MM-DD)") from None
    return [
        customer_view(customer, ctx.today) for customer in ctx.store.all("customer") if _matches(customer, criteria)
    ]


@operation("GET", "/v1/customers/{customerId}", "getCustomerById")
def get_customer(ctx: SandboxRequest, customerId: str) -> dict[str, Any]:
    return customer_view(require_customer(ctx, customerId), ctx.today)
