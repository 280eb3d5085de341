"""Answers shaped like the vendor's own examples are read, never refused.

The OpenAPI description's examples are what a tenant may really send, even where they
disagree with the declared type: ``houseNumber`` is declared a string but its example in
``Customer`` is the number 89. Every operation's answer is built from the description's
examples and read through the client's parser (tests/selfservice/test_numeric_house_number.py
runs the pages that read customers against such an answer).
"""

from __future__ import annotations

import json

import pytest
import requests

from portal.perfectgym.client import OPERATIONS, PerfectGymClient
from tests.perfectgym.test_operations import record
from tests.perfectgym.test_spec import SPEC_PATH, json_schema, resolve, spec_operation

pytestmark = pytest.mark.skipif(not SPEC_PATH.is_file(), reason=f"OpenAPI description not found at {SPEC_PATH}")


def example(schema: dict, depth: int = 0):
    """A value built from the description's examples (type-based where a property has none)."""
    schema = resolve(schema)
    kind = schema.get("type")
    if kind == "array":
        return [example(schema["items"], depth + 1)]
    if kind == "object" or "properties" in schema:
        return {} if depth > 8 else {k: example(v, depth + 1) for k, v in schema.get("properties", {}).items()}
    if "example" in schema:
        return schema["example"]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date":
        return "2026-03-29"
    if schema.get("format") == "date-time":
        return "2026-03-29T08:00:00.000+02:00[Europe/Berlin]"
    return {"integer": -9007199254740991, "number": 1.5, "boolean": True}.get(kind, "text")


def answered(payload) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response._content = json.dumps(payload).encode()
    response.headers["Content-Type"] = "application/json"
    return response


def answer_schemas():
    for operation in sorted(OPERATIONS):
        schema = json_schema(spec_operation(operation)[2]["responses"]["200"])
        if schema is not None:
            yield operation, schema


def test_the_customer_example_has_a_numeric_house_number():
    # The case this file is about: if the description changes, this test should be re-read.
    customer = resolve({"$ref": "#/components/schemas/Customer"})
    assert customer["properties"]["houseNumber"]["type"] == "string"
    assert customer["properties"]["houseNumber"]["example"] == 89


@pytest.mark.parametrize(("operation", "schema"), list(answer_schemas()), ids=lambda value: str(value)[:40])
def test_every_answer_built_from_the_vendor_examples_is_read(operation, schema):
    parsed = PerfectGymClient._parse(operation, answered(example(schema)), record(operation)["response_type"])
    assert parsed is not None


def test_a_numeric_house_number_is_read_as_text():
    from portal.perfectgym import models as m

    customer = m.Customer.model_validate(example({"$ref": "#/components/schemas/Customer"}))
    assert customer.house_number == "89"
