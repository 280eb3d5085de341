"""The client's transport rules: retries (reads only), error mapping, checked answers, headers, logs."""

from __future__ import annotations

import json
import traceback
from datetime import date

import pytest
import requests
from django.utils import translation

from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from portal.perfectgym.timing import UpstreamTimer, current_timer
from tests.perfectgym.conftest import BASE

CLASS_URL = f"{BASE}/v1/classes/7"
CLASS = {"id": 7, "title": "Spinning", "bookable": True}
BOOK_URL = f"{BASE}/v1/classes/booking/book"
BOOKING = {
    "bookingId": 501,
    "bookingStatus": "BOOKED",
    "classSlotId": 9,
    "classId": 7,
    "customerId": 3,
    "classSlotStatus": "PLANNED",
    "participantStatus": "UNSET",
}


def book(client: PerfectGymClient) -> m.ClassSlotBookingResult:
    return client.book_class_slot(m.ClassSlotBookingRequest(customer_id=3, class_slot_id=9))


# --- Reads are retried -------------------------------------------------------------
@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_retries_gateway_errors_then_succeeds(client, api, sleeps, settings, status):
    settings.UPSTREAM_GET_RETRIES = 2
    api.get(CLASS_URL, status=status)
    api.get(CLASS_URL, status=status)
    api.get(CLASS_URL, json=CLASS)

    assert client.get_class_by_id(7).title == "Spinning"
    assert len(api.calls) == 3
    assert len(sleeps) == 2


def test_get_gives_up_after_the_configured_retries(client, api, settings):
    settings.UPSTREAM_GET_RETRIES = 2
    api.get(CLASS_URL, status=503, json={"errorMessage": "busy", "traceId": "t-9"})

    with pytest.raises(errors.Unavailable) as caught:
        client.get_class_by_id(7)
    assert len(api.calls) == 3
    assert caught.value.status == 503
    assert caught.value.trace_id == "t-9"


@pytest.mark.parametrize(
    "failure", [requests.exceptions.ConnectionError("reset"), requests.exceptions.ConnectTimeout("slow")]
)
def test_get_retries_connection_failures(client, api, settings, failure):
    settings.UPSTREAM_GET_RETRIES = 2
    api.get(CLASS_URL, body=failure)
    api.get(CLASS_URL, json=CLASS)

    assert client.get_class_by_id(7).id == 7
    assert len(api.calls) == 2


def test_get_read_timeout_is_not_retried(client, api, settings):
    # The read timeout already cost the user its full length; a second one would double it.
    settings.UPSTREAM_GET_RETRIES = 2
    api.get(CLASS_URL, body=requests.exceptions.ReadTimeout("slow"))

    with pytest.raises(errors.Unavailable) as caught:
        client.get_class_by_id(7)
    assert not isinstance(caught.value, errors.OutcomeUnknown)
    assert len(api.calls) == 1


def test_retry_after_is_honoured_but_capped(client, api, sleeps, settings):
    settings.UPSTREAM_RETRY_AFTER_CAP_SECONDS = 1.5
    api.get(CLASS_URL, status=503, headers={"Retry-After": "30"})
    api.get(CLASS_URL, status=503, headers={"Retry-After": "0.25"})
    api.get(CLASS_URL, json=CLASS)

    client.get_class_by_id(7)
    assert sleeps == [1.5, 0.25]


def test_rate_limit_fails_at_once_with_retry_after(client, api, sleeps, settings):
    settings.UPSTREAM_GET_RETRIES = 2
    api.get(CLASS_URL, status=429, headers={"Retry-After": "42"}, json={"errorMessage": "slow down"})

    with pytest.raises(errors.RateLimited) as caught:
        client.get_class_by_id(7)
    assert caught.value.retry_after == 42.0
    assert len(api.calls) == 1
    assert sleeps == []


# --- Writes are never retried ----------------------------------------------------------
@pytest.mark.parametrize("status", [502, 503, 504])
def test_post_is_not_retried_on_gateway_errors(client, api, settings, status):
    settings.UPSTREAM_GET_RETRIES = 2
    api.post(BOOK_URL, status=status)

    with pytest.raises(errors.Unavailable) as caught:
        book(client)
    assert not isinstance(caught.value, errors.OutcomeUnknown)  # an answer came: nothing was booked
    assert len(api.calls) == 1


@pytest.mark.parametrize(
    "failure", [requests.exceptions.ReadTimeout("slow"), requests.exceptions.ConnectionError("reset")]
)
def test_post_without_answer_is_outcome_unknown(client, api, failure):
    api.post(BOOK_URL, body=failure)

    with pytest.raises(errors.OutcomeUnknown):
        book(client)
    assert len(api.calls) == 1


def test_post_connect_timeout_is_plainly_unavailable(client, api):
    # Never reached the server, so the booking certainly did not happen.
    api.post(BOOK_URL, body=requests.exceptions.ConnectTimeout("slow"))

    with pytest.raises(errors.Unavailable) as caught:
        book(client)
    assert not isinstance(caught.value, errors.OutcomeUnknown)
    assert len(api.calls) == 1


def test_delete_is_not_retried(client, api, settings):
    settings.UPSTREAM_GET_RETRIES = 2
    api.delete(f"{BASE}/v1/appointments/booking/5", status=503)
    with pytest.raises(errors.Unavailable):
        client.delete_appointment_booking(5)
    assert len(api.calls) == 1


def test_put_is_not_retried(client, api, settings):
    settings.UPSTREAM_GET_RETRIES = 2
    api.put(f"{BASE}/v1/anything", body=requests.exceptions.ConnectionError("reset"))
    with pytest.raises(errors.OutcomeUnknown):
        client._call("somePut", "PUT", "/v1/anything", json_body={"a": 1})
    assert len(api.calls) == 1


# --- Error mapping -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, errors.BadRequest),
        (401, errors.Unauthorized),
        (403, errors.Forbidden),
        (404, errors.NotFound),
        (409, errors.Conflict),
        (500, errors.Unavailable),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_status_maps_to_error_class(client, api, status, error_class, method):
    body = {
        "errorMessage": "Something went wrong",
        "errorCode": "errormessage.some.key",
        "traceId": "trace-abc",
        "reference": "parent.child",
    }
    if method == "GET":
        api.get(CLASS_URL, status=status, json=body)
        call = lambda: client.get_class_by_id(7)  # noqa: E731
    else:
        api.post(BOOK_URL, status=status, json=body)
        call = lambda: book(client)  # noqa: E731

    with pytest.raises(error_class) as caught:
        call()
    error = caught.value
    assert type(error) is error_class
    assert (error.status, error.error_code, error.error_message, error.trace_id, error.reference) == (
        status,
        "errormessage.some.key",
        "Something went wrong",
        "trace-abc",
        "parent.child",
    )
    assert len(api.calls) == 1  # 500 is not a retryable gateway error


def test_error_without_json_body_still_maps(client, api):
    api.get(CLASS_URL, status=403, body="<html>Forbidden</html>", content_type="text/html")
    with pytest.raises(errors.Forbidden) as caught:
        client.get_class_by_id(7)
    assert caught.value.error_code is None and caught.value.trace_id is None


# --- Answers are checked -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "content_type", "hint"),
    [
        ("{not json", "application/json", "not JSON"),
        ("", "application/json", "empty body"),
        (json.dumps([CLASS]), "application/json", "unexpected shape"),  # a list where an object belongs
        (json.dumps({"id": 7, "title": "Spinning"}), "application/json", "bookable"),  # required field missing
        (json.dumps({**CLASS, "type": "HYBRID"}), "application/json", "type"),  # enum value not in the spec
        (json.dumps({**CLASS, "id": "seven"}), "application/json", "id"),
    ],
)
def test_malformed_answers_raise_malformed_response(client, api, body, content_type, hint):
    api.get(CLASS_URL, body=body, content_type=content_type)
    with pytest.raises(errors.MalformedResponse) as caught:
        client.get_class_by_id(7)
    assert hint in caught.value.error_message


def test_wrongly_typed_date_time_is_malformed_not_a_crash(client, api):
    api.get(f"{BASE}/v1/classes/7/slots/9", json={"id": 9, "additionalParticipants": 0, "startDateTime": 12345})
    with pytest.raises(errors.MalformedResponse) as caught:
        client.get_class_slot_by_id(7, 9)
    assert "startDateTime" in caught.value.error_message


def test_wrong_shape_in_a_list_answer(client, api):
    api.get(f"{BASE}/v1/classes/booking", json={"result": []})
    with pytest.raises(errors.MalformedResponse):
        client.get_class_bookings_by_customer_id(3)


def test_redirect_is_not_followed(client, api):
    api.get(CLASS_URL, status=302, headers={"Location": "https://elsewhere.example/"})
    with pytest.raises(errors.MalformedResponse):
        client.get_class_by_id(7)


def test_empty_200_answers_return_none(client, api):
    api.delete(f"{BASE}/v1/classes/booking/501", body="")
    api.delete(f"{BASE}/v1/customers/3/self-service/amendment/44", body="")
    assert client.cancel_class_slot_by_id(501) is None
    assert client.withdraw_amendment(3, 44) is None


def test_void_result(client, api):
    api.delete(f"{BASE}/v1/appointments/booking/5", json={"success": "true"})
    assert client.delete_appointment_booking(5) == m.VoidResult(success="true")


def test_null_optional_fields_count_as_absent(client, api):
    api.get(CLASS_URL, json={**CLASS, "description": None, "cancelCondition": None})
    result = client.get_class_by_id(7)
    assert result.description is None and result.cancel_condition is None


# --- Headers -------------------------------------------------------------------------------------
def test_api_key_and_language_headers(client, api):
    api.get(CLASS_URL, json=CLASS)
    client.language = "de"
    client.get_class_by_id(7)
    headers = api.calls[0].request.headers
    assert headers["X-API-KEY"] == "k"
    assert headers["Accept-Language"] == "de"
    assert headers["Accept"] == "application/json"


def test_language_follows_the_active_translation(api):
    client = PerfectGymClient(base_url=BASE + "/", api_key="secret", session=requests.Session(), sleep=lambda s: None)
    api.get(CLASS_URL, json=CLASS)
    with translation.override("fr"):
        client.get_class_by_id(7)
    assert api.calls[0].request.headers["Accept-Language"] == "fr"
    assert api.calls[0].request.headers["X-API-KEY"] == "secret"


# --- Server-Timing counter ---------------------------------------------------------------------------
def test_server_timing_counts_every_attempt(client, api, settings):
    settings.UPSTREAM_GET_RETRIES = 2
    api.get(CLASS_URL, body=requests.exceptions.ConnectionError("reset"))
    api.get(CLASS_URL, status=503)
    api.get(CLASS_URL, json=CLASS)
    api.post(BOOK_URL, json=BOOKING)

    timer = UpstreamTimer()
    token = current_timer.set(timer)
    try:
        client.get_class_by_id(7)
        book(client)
    finally:
        current_timer.reset(token)
    assert timer.calls == 4
    assert timer.total_ms >= 0
    assert 'desc="4 calls"' in timer.header_value()


# --- Logs: operation, status, duration, traceId; never personal data ------------------------------------
EMAIL = "ada.lovelace@example.com"
CUSTOMER = {
    "id": 3,
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": EMAIL,
    "status": "MEMBER",
    "accessRefusal": False,
    "dateOfBirth": "1815-12-10",
}
SEARCH_URL = f"{BASE}/v1/customers/search"


def assert_no_personal_data(text: str) -> None:
    for secret in (EMAIL, "Lovelace", "1815-12-10"):
        assert secret not in text


def test_success_log_line_has_operation_status_duration_but_no_personal_data(client, api, upstream_log):
    api.post(SEARCH_URL, json=[CUSTOMER])

    found = client.search_customers(m.CustomerSearchRequest(email=EMAIL, last_name="Lovelace"))

    assert found[0].email == EMAIL
    assert json.loads(api.calls[0].request.body) == {"email": EMAIL, "lastName": "Lovelace"}
    [record] = [r for r in upstream_log.records if r.name == "portal.perfectgym"]
    line = record.getMessage()
    assert "op=searchCustomers" in line and "status=200" in line and "duration_ms=" in line
    assert_no_personal_data(upstream_log.text)


def test_error_log_line_has_trace_id_but_no_personal_data(client, api, upstream_log):
    api.post(
        SEARCH_URL,
        status=400,
        json={"errorMessage": f"No customer with email {EMAIL}", "errorCode": "e.search", "traceId": "trace-77"},
    )

    with pytest.raises(errors.BadRequest) as caught:
        client.search_customers(m.CustomerSearchRequest(email=EMAIL))

    line = upstream_log.records[-1].getMessage()
    assert "op=searchCustomers" in line and "status=400" in line and "trace_id=trace-77" in line
    assert_no_personal_data(upstream_log.text)
    assert_no_personal_data(str(caught.value))  # what a 500 page's traceback would print


def test_malformed_answer_does_not_leak_values_into_tracebacks(client, api, upstream_log):
    api.post(SEARCH_URL, json=[{**CUSTOMER, "dateOfBirth": EMAIL, "status": "Lovelace"}])

    with pytest.raises(errors.MalformedResponse) as caught:
        client.search_customers(m.CustomerSearchRequest(email=EMAIL))

    error = caught.value
    assert "dateOfBirth" in error.error_message and "status" in error.error_message
    assert_no_personal_data("".join(traceback.format_exception(error)))
    assert_no_personal_data(upstream_log.text)


def test_no_answer_is_logged_too(client, api, upstream_log):
    api.post(BOOK_URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(errors.OutcomeUnknown):
        book(client)
    assert "op=bookClassSlot status=no-answer" in upstream_log.records[-1].getMessage()


def test_contract_without_cancelation_has_no_cancelation_status(client, api):
    money = {"amount": 29.9, "currency": "EUR"}
    api.get(
        f"{BASE}/v1/memberships/3/self-service/contract-data",
        json=[
            {
                "id": 1000,
                "startDate": "2025-01-15",
                "endDate": "2027-01-14",
                "rateName": "Premium",
                "contractStatus": "ACTIVE",
                "price": 29.9,
                "priceDetails": {
                    "basePrice": money,
                    "currentPrice": money,
                    "paymentFrequency": {"type": "RECURRING", "term": {"value": 1, "unit": "MONTH"}},
                },
                "availableCancelationDates": ["2027-01-14", "2028-01-14"],
            }
        ],
    )
    [contract] = client.get_contract_data(3)
    assert contract.cancelation_status is None
    assert contract.available_cancelation_dates[0] == date(2027, 1, 14)
