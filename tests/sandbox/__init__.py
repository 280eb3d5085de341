"""Helpers for the schedule tests (classes, appointments, trial offers, vouchers).

``ScheduleApi`` calls the demo studio's sandbox over HTTP and checks every answer against the
published OpenAPI description (when it is available); ``frozen`` moves the sandbox's clock.
"""

from __future__ import annotations

import json
import zoneinfo
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest import mock
from urllib.parse import parse_qs

from django.test import Client
from django.utils import timezone
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from portal.perfectgym.datetimes import parse_api_datetime
from sandbox.store import Store
from tests.contract.openapi import _Request, _Response, openapi, spec_available

API_KEY = "demo-api-key"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


# Captured before any test freezes the clock: tests count days from the day the demo was loaded for.
_unfrozen_now = timezone.now


def studio_today() -> date:
    return _unfrozen_now().astimezone(BERLIN).date()


def at(day_offset: int, clock: str) -> datetime:
    """A local date-time in the studio, ``day_offset`` days from today."""
    return datetime.combine(studio_today() + timedelta(days=day_offset), time.fromisoformat(clock), tzinfo=BERLIN)


@contextmanager
def frozen(moment: datetime):
    """The sandbox's "now" (and so its "today") at ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(UTC)):
        yield


def start_of(item: dict[str, Any]) -> datetime:
    return parse_api_datetime(item["startDateTime"])


def end_of(item: dict[str, Any]) -> datetime:
    return parse_api_datetime(item["endDateTime"])


def check_against_description(method: str, path: str, response) -> None:
    if not spec_available():
        return
    api_path, _, query = path.partition("?")
    request = _Request(
        method=method.lower(),
        path=api_path,
        body=None,
        content_type="application/json",
        parameters=RequestParameters(
            query=ImmutableMultiDict(parse_qs(query)), header=Headers(), cookie=ImmutableMultiDict()
        ),
    )
    content_type = response.get("Content-Type", "application/json").split(";")[0]
    answer = _Response(status_code=response.status_code, data=response.content or b"", content_type=content_type)
    openapi().validate_response(request, answer)


class ScheduleApi:
    def __init__(self, client: Client) -> None:
        self.client = client

    def call(self, method: str, path: str, body: Any = None):
        url = f"/sandbox/demo{path}"
        headers = {"HTTP_X_API_KEY": API_KEY, "HTTP_ACCEPT_LANGUAGE": "en"}
        if method == "GET":
            response = self.client.get(url, **headers)
        elif method == "DELETE":
            response = self.client.delete(url, **headers)
        else:
            response = self.client.post(url, json.dumps(body), content_type="application/json", **headers)
        check_against_description(method, path, response)
        return response

    def get(self, path: str):
        return self.call("GET", path)

    def post(self, path: str, body: Any = None):
        return self.call("POST", path, body)

    def delete(self, path: str):
        return self.call("DELETE", path)

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        response = self.call(method, path, body)
        assert response.status_code == 200, (path, response.status_code, response.content)
        return response.json() if response.content else None

    def all_slices(self, path: str, size: int = 10) -> list[dict[str, Any]]:
        """Every item of a sliced listing, following the offset each slice returns."""
        joiner = "&" if "?" in path else "?"
        offset, items = "0", []
        for _ in range(200):
            page = self.ok("GET", f"{path}{joiner}sliceSize={size}&offset={offset}")
            items.extend(page["result"])
            if not page["hasNext"]:
                return items
            offset = page["offset"]
        raise AssertionError("the listing never ended")

    def slots_on(self, day_offset: int) -> list[dict[str, Any]]:
        day = studio_today() + timedelta(days=day_offset)
        return self.all_slices(f"/v1/classes/slots?slotWindowStartDate={day}&daysAhead=0", size=100)

    def slot(self, title: str, day_offset: int, clock: str | None = None) -> dict[str, Any]:
        for slot in self.slots_on(day_offset):
            if slot["classInformation"]["title"] == title and (
                clock is None or start_of(slot).strftime("%H:%M") == clock
            ):
                return slot
        raise LookupError(f"no {title} slot on day {day_offset}")

    def validate_class(self, customer_id: int, slot_id: int, *, trial: bool = False) -> str:
        prefix = "/v1/trial-offers" if trial else "/v1"
        body = {"customerId": customer_id, "classSlotId": slot_id}
        return self.ok("POST", f"{prefix}/classes/booking/validate", body)["validationStatus"]

    def book_class(self, customer_id: int, slot_id: int, *, trial: bool = False):
        prefix = "/v1/trial-offers" if trial else "/v1"
        return self.post(f"{prefix}/classes/booking/book", {"customerId": customer_id, "classSlotId": slot_id})


def make_customer(studio, first_name: str, email: str, *, status: str = "MEMBER", **extra: Any) -> int:
    """A customer in the API's Customer shape, as the members area stores them."""
    customer = {
        "firstName": first_name,
        "lastName": "Test",
        "email": email,
        "status": status,
        "accessRefusal": False,
        "idlePeriods": [],
        **extra,
    }
    return Store(studio).create("customer", customer)["id"]


def next_weekday(first_offset: int = 1, *, last_offset: int = 6, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)) -> int:
    """The first day offset (from ``first_offset``) falling on one of ``weekdays``, skipping the closure day."""
    for offset in range(first_offset, last_offset + 1):
        if (studio_today() + timedelta(days=offset)).weekday() in weekdays and offset != 3:
            return offset
    raise LookupError("no such day in range")
