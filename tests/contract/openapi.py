"""Validate what the client sends and what the sandbox answers against the published OpenAPI description.

The description lives in ``../shared/reference`` beside the project; it is read
from there, never copied. Tests skip with that reason when it is absent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from requests.adapters import BaseAdapter
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "magicline-openapi-1.11.1.json"
SPEC_SERVER = "https://open-api-demo.open-api.magicline.com"
_ZONE_SUFFIX = re.compile(r"\[[A-Za-z0-9_+\-/]+\]$")


def spec_available() -> bool:
    return SPEC_PATH.is_file()


def _date_time(value: object) -> bool:
    """The API's own date-time dialect: RFC 3339, optionally followed by a ``[Zone/Id]``.

    The description's own examples use the bracket form (``2022-06-22T08:00:00.000+02:00[Europe/Berlin]``).
    """
    from rfc3339_validator import validate_rfc3339

    if not isinstance(value, str):
        return True
    return bool(validate_rfc3339(_ZONE_SUFFIX.sub("", value)))


@cache
def openapi():
    from openapi_core import OpenAPI
    from openapi_core.configurations import Config

    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    apply_known_defects(spec)
    # The description has a known defect (a boolean default written as "false"),
    # so spec validation at load time is off; request/response validation is not.
    config = Config(
        spec_validator_cls=None,
        extra_format_validators={"date-time": _date_time},
        # A file part (type string, format binary) arrives as bytes; as latin-1 text it is
        # the same octets and passes the "string" type check the 3.1 description asks for.
        extra_media_type_deserializers={"application/octet-stream": _binary_as_text},
    )
    return OpenAPI.from_dict(spec, config=config)


def _binary_as_text(value: bytes, **parameters: str) -> str:
    return value.decode("latin-1")


# Narrow, documented corrections of the description, each with its reason.
KNOWN_DEFECTS = {
    "MembershipSelfServiceContractData.cancelationStatus": (
        "marked required, but its enum (CANCELED, PENDING_VERIFICATION, PENDING_WITHDRAWAL_VERIFICATION) "
        "has no value for a contract that is not canceled, so an uncanceled contract can only omit it"
    ),
}


def apply_known_defects(spec: dict) -> None:
    for dotted in KNOWN_DEFECTS:
        schema_name, field_name = dotted.split(".")
        schema = spec["components"]["schemas"][schema_name]
        schema["required"] = [name for name in schema.get("required", []) if name != field_name]


@dataclass
class _Request:
    """openapi-core's request protocol for a request sent to any base URL (sandbox or tenant)."""

    method: str
    path: str
    body: bytes | None
    content_type: str
    parameters: object
    host_url: str = SPEC_SERVER

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


@dataclass
class _Response:
    status_code: int
    data: bytes
    content_type: str
    headers: Headers = field(default_factory=Headers)


def api_path(url: str) -> str:
    """``http://sandbox.internal/sandbox/demo/v1/classes`` -> ``/v1/classes``."""
    path = urlsplit(url).path
    return path[path.index("/v1/") :]


def to_openapi_request(request: requests.PreparedRequest) -> _Request:
    from openapi_core.datatypes import RequestParameters

    parts = urlsplit(request.url)
    body = request.body
    if isinstance(body, str):
        body = body.encode()
    return _Request(
        method=request.method.lower(),
        path=api_path(request.url),
        body=body,
        content_type=request.headers.get("Content-Type", ""),
        parameters=RequestParameters(
            query=ImmutableMultiDict(parse_qs(parts.query)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        ),
    )


def to_openapi_response(response: requests.Response) -> _Response:
    return _Response(
        status_code=response.status_code,
        data=response.content or b"",
        content_type=response.headers.get("Content-Type", "application/json").split(";")[0],
        headers=Headers(dict(response.headers)),
    )


@dataclass
class ContractLog:
    """What passed through a validating adapter: (operation path, method, status) per call."""

    calls: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ValidatingAdapter(BaseAdapter):
    """Wraps a transport adapter; validates every request before and every response after it."""

    def __init__(self, inner: BaseAdapter, log: ContractLog) -> None:
        super().__init__()
        self.inner = inner
        self.log = log

    def send(self, request, **kwargs):
        spec = openapi()
        openapi_request = to_openapi_request(request)
        if request.method != "HEAD":
            try:
                spec.validate_request(openapi_request)
            except Exception as exc:  # noqa: BLE001
                self.log.problems.append(f"request {request.method} {openapi_request.path}: {_explain(exc)}")
        response = self.inner.send(request, **kwargs)
        if request.method != "HEAD":
            try:
                spec.validate_response(openapi_request, to_openapi_response(response))
            except Exception as exc:  # noqa: BLE001
                self.log.problems.append(
                    f"response {response.status_code} {request.method} {openapi_request.path}: {_explain(exc)}"
                )
        self.log.calls.append((openapi_request.path, request.method, response.status_code))
        return response

    def close(self) -> None:
        self.inner.close()


def _explain(exc: Exception) -> str:
    parts = [f"{type(exc).__name__}: {exc}"]
    for attr in ("schema_errors", "__cause__"):
        inner = getattr(exc, attr, None)
        if inner:
            if isinstance(inner, (list, tuple)):
                parts.extend(str(e.message if hasattr(e, "message") else e)[:300] for e in inner[:5])
            else:
                parts.append(_explain(inner) if isinstance(inner, Exception) else str(inner))
    return " | ".join(parts)[:1500]
