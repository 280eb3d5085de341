"""The client and its models against the OpenAPI description (read in place, never copied here).

For every operation: the method and path exist in the spec under that operationId, the
query parameters we send are documented, and the request and response models have
exactly the spec's fields, required where the spec requires them, with the same enum
values and formats. Skipped when the description is not at hand (set PERFECTGYM_OPENAPI).
"""

from __future__ import annotations

import json
import os
import types
import typing
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from portal.perfectgym import models as m
from portal.perfectgym.client import OPERATIONS
from tests.perfectgym.test_operations import record

SPEC_PATH = Path(
    os.environ.get(
        "PERFECTGYM_OPENAPI",
        Path(__file__).resolve().parents[3] / "shared" / "reference" / "magicline-openapi-1.11.1.json",
    )
)
pytestmark = pytest.mark.skipif(not SPEC_PATH.is_file(), reason=f"OpenAPI description not found at {SPEC_PATH}")

REQUEST_MODELS: dict[str, type[BaseModel]] = {
    "validateForLeadCustomerCreation": m.TrialOfferLeadCustomerCreationRequest,
    "createLeadCustomer": m.TrialOfferLeadCustomerCreationRequest,
    "validateClassSlotForTrialOffers": m.ClassSlotBookingRequest,
    "bookClassSlotForTrialOffers": m.ClassSlotBookingRequest,
    "validateForAppointmentBookingForTrialOffers": m.AppointmentBookingRequest,
    "bookAppointmentForTrialOffer": m.AppointmentBookingRequest,
    "redeemCheckinVoucher": m.CheckinVoucherRedeem,
    "validateClassSlot": m.ClassSlotBookingRequest,
    "bookClassSlot": m.ClassSlotBookingRequest,
    "validateForAppointmentBooking": m.AppointmentBookingRequest,
    "bookAppointmentBooking": m.AppointmentBookingRequest,
    "searchCustomers": m.CustomerSearchRequest,
    "createContractCancelationAmendment": m.ContractCancelationRequest,
    "validateIdlePeriodRequest": m.IdlePeriodValidationRequest,
    "createIdlePeriodAmendment": m.IdlePeriodCreateRequest,
    "createCustomerContactDataAmendment": m.CustomerContactData,
    "createCustomerAddressDataAmendment": m.CustomerAddressData,
    "createCommunicationInNewCommunicationThread": m.CommunicationThreadRequest,
}

# Deliberate differences from the spec, each with its reason.
EXTRA_FIELDS = {
    # The exact strings the slot listing gave, sent back when booking.
    (m.BookableAppointmentSlot, "start_date_time_raw"),
    (m.BookableAppointmentSlot, "end_date_time_raw"),
}
OPTIONAL_THOUGH_REQUIRED = {
    # Required, yet its enum has no value for a contract that is not canceled: absent means that.
    (m.ContractData, "cancelationStatus"),
}
STRING_DATE_TIMES = {
    # Sent back verbatim from the slot listing, never re-formatted.
    (m.AppointmentBookingRequest, "startDateTime"),
    (m.AppointmentBookingRequest, "endDateTime"),
}


@cache
def spec() -> dict:
    return json.loads(SPEC_PATH.read_text())


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = {**spec()["components"]["schemas"][name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def spec_operation(operation_id: str) -> tuple[str, str, dict]:
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return method.upper(), path, operation
    raise AssertionError(f"{operation_id} is not in the spec")


def unwrap(annotation: Any) -> tuple[Any, bool]:
    """(inner type, allows None) with Optional and Annotated peeled off."""
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, nullable
            annotation = args[0]
        else:
            return annotation, nullable


def compare(annotation: Any, schema: dict, where: str, owner: Any = None, prop: str | None = None) -> None:
    schema = resolve(schema)
    annotation, _ = unwrap(annotation)
    kind = schema.get("type")
    if "enum" in schema:
        assert typing.get_origin(annotation) is typing.Literal, f"{where}: enum expected"
        assert set(typing.get_args(annotation)) == set(schema["enum"]), f"{where}: enum values differ"
    elif kind == "array":
        assert typing.get_origin(annotation) is list, f"{where}: list expected"
        compare(typing.get_args(annotation)[0], schema["items"], f"{where}[]")
    elif kind == "object" or "properties" in schema:
        compare_model(annotation, schema, where)
    elif kind == "string" and schema.get("format") == "date":
        assert annotation is date, f"{where}: date expected"
    elif kind == "string" and schema.get("format") == "date-time":
        expected = str if (owner, prop) in STRING_DATE_TIMES else datetime
        assert annotation is expected, f"{where}: {expected.__name__} expected"
    else:
        python = {"string": str, "integer": int, "number": float, "boolean": bool}[kind]
        assert annotation is python, f"{where}: {python.__name__} expected, got {annotation}"


def compare_model(model: Any, schema: dict, where: str) -> None:
    assert isinstance(model, type) and issubclass(model, BaseModel), f"{where}: model expected, got {model}"
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {field.alias: (name, field) for name, field in model.model_fields.items()}
    for prop, prop_schema in properties.items():
        assert prop in fields, f"{where}: {model.__name__} lacks {prop}"
        name, field = fields[prop]
        should_require = prop in required and (model, prop) not in OPTIONAL_THOUGH_REQUIRED
        assert field.is_required() == should_require, f"{where}.{prop}: required should be {should_require}"
        compare(field.annotation, prop_schema, f"{where}.{prop}", model, prop)
    for alias, (name, _) in fields.items():
        assert alias in properties or (model, name) in EXTRA_FIELDS, f"{where}: {model.__name__}.{name} not in spec"


def json_schema(body: dict | None, content_type: str = "application/json") -> dict | None:
    content = (body or {}).get("content", {})
    return content[content_type]["schema"] if content_type in content else None


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_operation_matches_spec(operation):
    method, path, documented = spec_operation(operation)
    assert OPERATIONS[operation] == (method, path)
    seen = record(operation)

    query_names = {p["name"] for p in documented.get("parameters", []) if p["in"] == "query"}
    sent = {name for name, value in (seen.get("params") or {}).items() if value is not None}
    assert sent <= query_names

    body = documented.get("requestBody")
    if operation == "createIdlePeriodAmendment":
        multipart = json_schema(body, "multipart/form-data")
        assert set(multipart["properties"]) == {"data", "document"}
        assert set(seen["files"]) == {"data"}
        compare_model(REQUEST_MODELS[operation], resolve(multipart["properties"]["data"]), operation)
    elif body:
        compare_model(REQUEST_MODELS[operation], resolve(json_schema(body)), operation)
        assert seen["json_body"] is not None
    else:
        assert operation not in REQUEST_MODELS and seen.get("json_body") is None

    answer = json_schema(documented["responses"]["200"])
    if answer is None:
        assert seen.get("response_type") is None
    else:
        compare(seen["response_type"], answer, f"{operation} answer")
