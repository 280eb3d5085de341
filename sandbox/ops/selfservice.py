"""Customer self-service: contact and address data and their amendments.

Whether a change applies at once depends on the amendment configuration
(studio-wide in ``member_settings``, per customer in ``_amendmentConfiguration``):
- READ: no changes, 400 ``errormessage.amendment.read.only``;
- CHANGES_WITHOUT_VERIFICATION: applied to the customer at once;
- CHANGES_REQUIRE_VERIFICATION: kept as the customer's ``pendingAmendment``
  until staff verify it or the customer withdraws it.
A second amendment of the same data while one is pending is answered 400
``errormessage.amendment.already.pending`` (not 409: the API uses 409 for
concurrent modification, which a client may retry; this needs a withdrawal first).

An ``amendment`` entity holds ``customerId``, ``type`` (CONTACT or ADDRESS),
``status`` (PENDING or APPLIED) and ``data``: the complete requested data.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import ApiProblem
from sandbox.ops.customers import problem, require_customer, settings
from sandbox.router import SandboxRequest, int_param, operation

CONTACT_FIELDS = ("email", "phonePrivate", "phonePrivateMobile", "phoneBusiness", "phoneBusinessMobile")
ADDRESS_REQUIRED = ("street", "zipCode", "city", "countryCode")
ADDRESS_FIELDS = (
    "street",
    "houseNumber",
    "zipCode",
    "city",
    "countryCode",
    "province",
    "provinceCode",
    "secondStreet",
    "cityPart",
    "district",
    "streetType",
    "streetBlock",
    "portal",
    "stairway",
    "door",
    "additionalAddressInformation",
    "floor",
    "buildingName",
)
# The Customer shape names two address fields differently from the address data.
_CUSTOMER_NAME = {"countryCode": "country", "provinceCode": "_provinceCode"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SETTING = {"CONTACT": "contactData", "ADDRESS": "addressData"}


def _configuration(ctx: SandboxRequest, customer: dict[str, Any], kind: str) -> str:
    own = customer.get("_amendmentConfiguration") or {}
    return own.get(_SETTING[kind]) or settings(ctx.store)[_SETTING[kind]]


def _current(customer: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    values = {name: customer.get(_CUSTOMER_NAME.get(name, name)) for name in fields}
    return {name: value for name, value in values.items() if value not in (None, "")}


def _pending(ctx: SandboxRequest, customer: dict[str, Any], kind: str) -> dict[str, Any] | None:
    found = ctx.store.all("amendment", customerId=customer["id"], type=kind, status="PENDING")
    return found[0] if found else None


def _amendment_view(amendment: dict[str, Any]) -> dict[str, Any]:
    return {"id": amendment["id"], **amendment["data"]}


def _read(ctx: SandboxRequest, customer_id: str, kind: str, fields: tuple[str, ...]) -> dict[str, Any]:
    customer = require_customer(ctx, customer_id)
    view = _current(customer, fields)
    if kind == "ADDRESS":
        for name in ADDRESS_REQUIRED:  # required in the answer even when the customer has no address yet
            view.setdefault(name, "")
    view["amendmentConfigurationStatus"] = _configuration(ctx, customer, kind)
    pending = _pending(ctx, customer, kind)
    if pending:
        view["pendingAmendment"] = _amendment_view(pending)
    return view


def _amend(ctx: SandboxRequest, customer_id: str, kind: str, requested: dict[str, Any]) -> dict[str, Any]:
    customer = ctx.store.lock("customer", int_param(customer_id, "customerId"))
    if customer is None:
        raise ApiProblem.not_found("customer")
    configuration = _configuration(ctx, customer, kind)
    if configuration == "READ":
        raise problem(
            ctx,
            400,
            "errormessage.amendment.read.only",
            en="This data cannot be changed online.",
            de="Diese Daten können online nicht geändert werden.",
        )
    if _pending(ctx, customer, kind):
        raise problem(
            ctx,
            400,
            "errormessage.amendment.already.pending",
            en="A change of this data is already waiting for verification.",
            de="Eine Änderung dieser Daten wird bereits geprüft.",
        )
    applied = configuration == "CHANGES_WITHOUT_VERIFICATION"
    amendment = ctx.store.create(
        "amendment",
        {
            "customerId": customer["id"],
            "type": kind,
            "status": "APPLIED" if applied else "PENDING",
            "data": requested,
            "_requestedAt": ctx.fmt(ctx.now),
        },
    )
    if applied:
        fields = CONTACT_FIELDS if kind == "CONTACT" else ADDRESS_FIELDS
        for name in fields:
            customer[_CUSTOMER_NAME.get(name, name)] = requested.get(name)
        ctx.store.save("customer", customer)
    return _amendment_view(amendment)


def _strings(body: dict[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for name in fields:
        value = body.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ApiProblem.validation(name, f"{name} must be a string")
        values[name] = value.strip()
    return values


@operation("GET", "/v1/customers/{customerId}/self-service/contact-data", "getCustomerContactData")
def get_contact_data(ctx: SandboxRequest, customerId: str) -> dict[str, Any]:
    return _read(ctx, customerId, "CONTACT", CONTACT_FIELDS)


@operation("POST", "/v1/customers/{customerId}/self-service/contact-data", "createCustomerContactDataAmendment")
def amend_contact_data(ctx: SandboxRequest, customerId: str) -> dict[str, Any]:
    """Fields left out keep their current value; an empty string clears a phone number."""
    customer = require_customer(ctx, customerId)
    changes = _strings(ctx.body_dict(), CONTACT_FIELDS)
    if "email" in changes and not _EMAIL.match(changes["email"]):
        raise ApiProblem.validation("email", "email is not a valid email address")
    requested = {**_current(customer, CONTACT_FIELDS), **changes}
    return _amend(ctx, customerId, "CONTACT", {k: v for k, v in requested.items() if v != ""})


@operation("GET", "/v1/customers/{customerId}/self-service/address-data", "getCustomerAddressData")
def get_address_data(ctx: SandboxRequest, customerId: str) -> dict[str, Any]:
    return _read(ctx, customerId, "ADDRESS", ADDRESS_FIELDS)


@operation("POST", "/v1/customers/{customerId}/self-service/address-data", "createCustomerAddressDataAmendment")
def amend_address_data(ctx: SandboxRequest, customerId: str) -> dict[str, Any]:
    """The whole address is replaced: street, zipCode, city and countryCode are required."""
    require_customer(ctx, customerId)
    requested = {k: v for k, v in _strings(ctx.body_dict(), ADDRESS_FIELDS).items() if v != ""}
    ctx.require_fields(requested, *ADDRESS_REQUIRED)
    requested["countryCode"] = requested["countryCode"].upper()
    if not _COUNTRY.match(requested["countryCode"]):
        raise ApiProblem.validation("countryCode", "countryCode must be an ISO 3166-1 alpha-2 code")
    return _amend(ctx, customerId, "ADDRESS", requested)


@operation("DELETE", "/v1/customers/{customerId}/self-service/amendment/{amendmentId}", "withdrawAmendment")
def withdraw_amendment(ctx: SandboxRequest, customerId: str, amendmentId: str) -> None:
    """Only this customer's pending amendment; anything else is unknown (404)."""
    customer = require_customer(ctx, customerId)
    amendment = ctx.store.get("amendment", int_param(amendmentId, "amendmentId"))
    if amendment is None or amendment["customerId"] != customer["id"] or amendment["status"] != "PENDING":
        raise ApiProblem.not_found("amendment")
    ctx.store.delete("amendment", amendment["id"])
    return None
