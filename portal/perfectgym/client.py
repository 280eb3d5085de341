"""One client for the PerfectGym Next API: one method per operation.

Every call goes through ``_call``: one place for the API key, language,
timeouts, retries (reads only), error mapping, response checking and logging.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

import requests
from django.conf import settings
from django.utils import translation
from pydantic import BaseModel, TypeAdapter, ValidationError

from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.timing import record_call

logger = logging.getLogger("portal.perfectgym")

T = TypeVar("T")
RETRYABLE_STATUSES = {502, 503, 504}
MIN_SLICE, MAX_SLICE = 10, 100

# Every operation the client implements: operationId -> (HTTP method, path template as in the spec).
OPERATIONS: dict[str, tuple[str, str]] = {
    # Trial offers
    "getBookableTrialOfferClasses": ("GET", "/v1/trial-offers/bookable-trial-offers/classes"),
    "getBookableTrialOfferAppointments": ("GET", "/v1/trial-offers/bookable-trial-offers/appointments/bookable"),
    "getTrialOfferConfig": ("GET", "/v1/trial-offers/config/{configId}"),
    "validateForLeadCustomerCreation": ("POST", "/v1/trial-offers/lead/validate"),
    "createLeadCustomer": ("POST", "/v1/trial-offers/lead/create"),
    "getClassSlotsForTrialOffers": ("GET", "/v1/trial-offers/bookable-trial-offers/classes/{classId}/slots"),
    "getBookableAppointmentSlotsForTrialOffers": (
        "GET",
        "/v1/trial-offers/bookable-trial-offers/appointments/bookable/{bookableAppointmentId}/slots",
    ),
    "validateClassSlotForTrialOffers": ("POST", "/v1/trial-offers/classes/booking/validate"),
    "bookClassSlotForTrialOffers": ("POST", "/v1/trial-offers/classes/booking/book"),
    "validateForAppointmentBookingForTrialOffers": ("POST", "/v1/trial-offers/appointments/booking/validate"),
    "bookAppointmentForTrialOffer": ("POST", "/v1/trial-offers/appointments/booking/book"),
    "confirmTrialOfferBooking": ("POST", "/v1/trial-offers/bookings/{bookingId}/confirm"),
    # Check-in vouchers
    "redeemCheckinVoucher": ("POST", "/v1/checkin-vouchers/redeem"),
    # Classes
    "getActiveClasses": ("GET", "/v1/classes"),
    "getClassById": ("GET", "/v1/classes/{classId}"),
    "getClassSlots": ("GET", "/v1/classes/{classId}/slots"),
    "getClassSlotsForMultipleClasses": ("GET", "/v1/classes/slots"),
    "getClassSlotById": ("GET", "/v1/classes/{classId}/slots/{classSlotId}"),
    "validateClassSlot": ("POST", "/v1/classes/booking/validate"),
    "bookClassSlot": ("POST", "/v1/classes/booking/book"),
    "getClassBookingById": ("GET", "/v1/classes/booking/{bookingId}"),
    "cancelClassSlotById": ("DELETE", "/v1/classes/booking/{bookingId}"),
    "getClassBookingsByCustomerId": ("GET", "/v1/classes/booking"),
    # Appointments
    "getBookableAppointments": ("GET", "/v1/appointments/bookable"),
    "getBookableAppointment": ("GET", "/v1/appointments/bookable/{bookableAppointmentId}"),
    "getBookableAppointmentSlots": ("GET", "/v1/appointments/bookable/{bookableAppointmentId}/slots"),
    "validateForAppointmentBooking": ("POST", "/v1/appointments/bookable/validate"),
    "bookAppointmentBooking": ("POST", "/v1/appointments/booking/book"),
    "getAppointmentBooking": ("GET", "/v1/appointments/booking/{bookingId}"),
    "deleteAppointmentBooking": ("DELETE", "/v1/appointments/booking/{bookingId}"),
    "getAppointmentBookings": ("GET", "/v1/appointments/booking"),
    # Customers
    "searchCustomers": ("POST", "/v1/customers/search"),
    "getCustomerById": ("GET", "/v1/customers/{customerId}"),
    # Membership self-service
    "getContractData": ("GET", "/v1/memberships/{customerId}/self-service/contract-data"),
    "getContractCancelationReasonData": ("GET", "/v1/memberships/self-service/contract-cancelation-reasons"),
    "createContractCancelationAmendment": (
        "POST",
        "/v1/memberships/{customerId}/self-service/ordinary-contract-cancelation",
    ),
    "withdrawContractCancelation": (
        "POST",
        "/v1/memberships/{customerId}/self-service/withdraw-ordinary-contract-cancelation/{contractId}",
    ),
    "getIdlePeriodConfig": ("GET", "/v1/memberships/{contractId}/self-service/idle-periods/config"),
    "validateIdlePeriodRequest": ("POST", "/v1/memberships/{contractId}/self-service/idle-periods/validate"),
    "getIdlePeriods": ("GET", "/v1/memberships/{contractId}/self-service/idle-periods"),
    "getIdlePeriodById": ("GET", "/v1/memberships/{contractId}/self-service/idle-periods/{idlePeriodId}"),
    "createIdlePeriodAmendment": ("POST", "/v1/memberships/{contractId}/self-service/idle-periods"),
    "withdrawIdlePeriod": ("DELETE", "/v1/memberships/{contractId}/self-service/idle-periods/{idlePeriodId}"),
    # Customers self-service
    "getCustomerContactData": ("GET", "/v1/customers/{customerId}/self-service/contact-data"),
    "createCustomerContactDataAmendment": ("POST", "/v1/customers/{customerId}/self-service/contact-data"),
    "getCustomerAddressData": ("GET", "/v1/customers/{customerId}/self-service/address-data"),
    "createCustomerAddressDataAmendment": ("POST", "/v1/customers/{customerId}/self-service/address-data"),
    "withdrawAmendment": ("DELETE", "/v1/customers/{customerId}/self-service/amendment/{amendmentId}"),
    # Communication
    "createCommunicationInNewCommunicationThread": ("POST", "/v1/communications/{customerId}/threads"),
    # Studios
    "getStudioInformation": ("GET", "/v1/studios/information"),
    "getUtilization": ("GET", "/v1/studios/utilization"),
}


class PerfectGymClient:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        session: requests.Session,
        language: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.session = session
        self.language = language
        self._sleep = sleep

    # --- plumbing ---------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {"X-API-KEY": self.api_key, "Accept": "application/json"}
        language = self.language or translation.get_language()
        if language:
            headers["Accept-Language"] = language
        return headers

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, Any] | None = None,
        response_type: Any = None,
    ) -> Any:
        """Send one operation and return its parsed, checked answer.

        ``response_type`` is a pydantic model or any type a ``TypeAdapter``
        understands (``list[Model]``); None means the answer has no body.
        """
        url = f"{self.base_url}{path}"
        is_read = method in ("GET", "HEAD")
        attempts = 1 + (settings.UPSTREAM_GET_RETRIES if is_read else 0)
        timeout = (settings.UPSTREAM_CONNECT_TIMEOUT, settings.UPSTREAM_READ_TIMEOUT)
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}

        for attempt in range(1, attempts + 1):
            started = time.perf_counter()
            try:
                response = self.session.request(
                    method,
                    url,
                    params=clean_params,
                    json=json_body if files is None else None,
                    files=files,
                    headers=self._headers(),
                    timeout=timeout,
                    allow_redirects=False,
                )
            except requests.exceptions.ConnectTimeout as exc:
                # Never reached the server: safe to report as plainly unavailable.
                self._log(operation, None, started, None, attempt)
                if attempt < attempts:
                    self._sleep(self._backoff(attempt))
                    continue
                raise errors.Unavailable(operation, error_message=type(exc).__name__) from exc
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                self._log(operation, None, started, None, attempt)
                if is_read and attempt < attempts and not isinstance(exc, requests.exceptions.ReadTimeout):
                    self._sleep(self._backoff(attempt))
                    continue
                if not is_read:
                    # The request may have arrived: the caller must read before writing again.
                    raise errors.OutcomeUnknown(operation, error_message=type(exc).__name__) from exc
                raise errors.Unavailable(operation, error_message=type(exc).__name__) from exc
            except requests.exceptions.RequestException as exc:
                self._log(operation, None, started, None, attempt)
                raise errors.Unavailable(operation, error_message=type(exc).__name__) from exc

            error_body = self._error_body(response) if response.status_code >= 400 else {}
            self._log(operation, response.status_code, started, error_body.get("traceId"), attempt)
            if is_read and response.status_code in RETRYABLE_STATUSES and attempt < attempts:
                self._sleep(self._retry_delay(response, attempt))
                continue
            if response.status_code >= 400:
                raise self._error(operation, response, error_body)
            if response.status_code >= 300:
                raise errors.MalformedResponse(operation, status=response.status_code, error_message="redirect")
            return self._parse(operation, response, response_type)
        raise AssertionError("unreachable")  # pragma: no cover

    def _log(self, operation: str, status: int | None, started: float, trace_id: str | None, attempt: int) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        record_call(duration_ms)
        # Operation names only: paths carry customer ids and bodies carry personal data.
        logger.info(
            "upstream op=%s status=%s duration_ms=%.1f trace_id=%s attempt=%d",
            operation,
            status if status is not None else "no-answer",
            duration_ms,
            trace_id or "-",
            attempt,
        )

    def _backoff(self, attempt: int) -> float:
        base = settings.UPSTREAM_BACKOFF_SECONDS * (2 ** (attempt - 1))
        return base + random.uniform(0, base)  # full jitter keeps workers from retrying in step

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        retry_after = _retry_after_seconds(response)
        if retry_after is not None:
            return min(retry_after, settings.UPSTREAM_RETRY_AFTER_CAP_SECONDS)
        return self._backoff(attempt)

    @staticmethod
    def _error_body(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    @staticmethod
    def _error(operation: str, response: requests.Response, body: dict[str, Any]) -> errors.ApiError:
        status = response.status_code
        kwargs = {
            "status": status,
            "error_code": body.get("errorCode"),
            "error_message": body.get("errorMessage"),
            "trace_id": body.get("traceId"),
            "reference": body.get("reference"),
        }
        error_class = errors.error_class_for(status)
        if error_class is errors.RateLimited:
            return errors.RateLimited(operation, retry_after=_retry_after_seconds(response), **kwargs)
        return error_class(operation, **kwargs)

    @staticmethod
    def _parse(operation: str, response: requests.Response, response_type: Any) -> Any:
        if response_type is None:
            return None
        if not response.content:
            raise errors.MalformedResponse(operation, status=response.status_code, error_message="empty body")
        try:
            payload = response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise errors.MalformedResponse(operation, status=response.status_code, error_message="not JSON") from exc
        try:
            if isinstance(response_type, type) and issubclass(response_type, BaseModel):
                return response_type.model_validate(payload)
            return _adapter(response_type).validate_python(payload)
        except ValidationError as exc:
            # Field names only, and "from None": the ValidationError's text quotes the
            # offending values, which may be personal data, into any logged traceback.
            fields = ",".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
            raise errors.MalformedResponse(
                operation, status=response.status_code, error_message=f"unexpected shape: {fields}"
            ) from None

    # --- slices -----------------------------------------------------------------
    @staticmethod
    def iter_slices(fetch_page: Callable[[str], m.Sliced[T]], *, max_pages: int = 200) -> Iterator[T]:
        """Yield every item of a sliced result, following the returned ``offset``.

        Stops only when ``hasNext`` is false (a short page does not mean the end).
        """
        offset = "0"
        seen_offsets = {offset}
        for _ in range(max_pages):
            page = fetch_page(offset)
            yield from page.result
            if not page.has_next:
                return
            if page.offset in seen_offsets:
                raise errors.MalformedResponse("slices", error_message="offset did not advance")
            seen_offsets.add(page.offset)
            offset = page.offset
        raise errors.MalformedResponse("slices", error_message="too many pages")

    def _all(self, fetch_page: Callable[[str], m.Sliced[T]]) -> list[T]:
        return list(self.iter_slices(fetch_page))

    # --- Trial offers ---------------------------------------------------------------
    def get_bookable_trial_offer_classes(
        self, *, offset: str = "0", slice_size: int = 50
    ) -> m.Sliced[m.TrialOfferClass]:
        """getBookableTrialOfferClasses"""
        return self._call(
            "getBookableTrialOfferClasses",
            "GET",
            "/v1/trial-offers/bookable-trial-offers/classes",
            params=_slice_params(offset, slice_size),
            response_type=m.Sliced[m.TrialOfferClass],
        )

    def all_bookable_trial_offer_classes(self) -> list[m.TrialOfferClass]:
        return self._all(lambda offset: self.get_bookable_trial_offer_classes(offset=offset, slice_size=MAX_SLICE))

    def get_bookable_trial_offer_appointments(
        self, *, offset: str = "0", slice_size: int = 50
    ) -> m.Sliced[m.BookableTrialOfferAppointment]:
        """getBookableTrialOfferAppointments"""
        return self._call(
            "getBookableTrialOfferAppointments",
            "GET",
            "/v1/trial-offers/bookable-trial-offers/appointments/bookable",
            params=_slice_params(offset, slice_size),
            response_type=m.Sliced[m.BookableTrialOfferAppointment],
        )

    def all_bookable_trial_offer_appointments(self) -> list[m.BookableTrialOfferAppointment]:
        return self._all(lambda offset: self.get_bookable_trial_offer_appointments(offset=offset, slice_size=MAX_SLICE))

    def get_trial_offer_config(self, config_id: int) -> m.TrialOfferConfig:
        """getTrialOfferConfig"""
        return self._call(
            "getTrialOfferConfig", "GET", f"/v1/trial-offers/config/{config_id}", response_type=m.TrialOfferConfig
        )

    def validate_for_lead_customer_creation(
        self, request: m.TrialOfferLeadCustomerCreationRequest
    ) -> m.TrialOfferLeadCustomerCreationValidationResult:
        """validateForLeadCustomerCreation"""
        return self._call(
            "validateForLeadCustomerCreation",
            "POST",
            "/v1/trial-offers/lead/validate",
            json_body=request.to_json(),
            response_type=m.TrialOfferLeadCustomerCreationValidationResult,
        )

    def create_lead_customer(
        self, request: m.TrialOfferLeadCustomerCreationRequest
    ) -> m.TrialOfferLeadCustomerCreationResult:
        """createLeadCustomer"""
        return self._call(
            "createLeadCustomer",
            "POST",
            "/v1/trial-offers/lead/create",
            json_body=request.to_json(),
            response_type=m.TrialOfferLeadCustomerCreationResult,
        )

    def get_class_slots_for_trial_offers(
        self, class_id: int, *, offset: str = "0", slice_size: int = 50
    ) -> m.Sliced[m.ClassSlot]:
        """getClassSlotsForTrialOffers"""
        return self._call(
            "getClassSlotsForTrialOffers",
            "GET",
            f"/v1/trial-offers/bookable-trial-offers/classes/{class_id}/slots",
            params=_slice_params(offset, slice_size),
            response_type=m.Sliced[m.ClassSlot],
        )

    def all_class_slots_for_trial_offers(self, class_id: int) -> list[m.ClassSlot]:
        return self._all(
            lambda offset: self.get_class_slots_for_trial_offers(class_id, offset=offset, slice_size=MAX_SLICE)
        )

    def get_bookable_appointment_slots_for_trial_offers(
        self,
        bookable_appointment_id: int,
        *,
        customer_id: int | None = None,
        days_ahead: int | None = None,
        slot_window_start_date: date | None = None,
    ) -> list[m.BookableAppointmentSlot]:
        """getBookableAppointmentSlotsForTrialOffers (``days_ahead`` 1..6, upstream default 1)"""
        return self._call(
            "getBookableAppointmentSlotsForTrialOffers",
            "GET",
            f"/v1/trial-offers/bookable-trial-offers/appointments/bookable/{bookable_appointment_id}/slots",
            params=_slot_window_params(customer_id, days_ahead, slot_window_start_date, minimum_days=1),
            response_type=list[m.BookableAppointmentSlot],
        )

    def validate_class_slot_for_trial_offers(
        self, request: m.ClassSlotBookingRequest
    ) -> m.ClassSlotBookingValidationResult:
        """validateClassSlotForTrialOffers"""
        return self._call(
            "validateClassSlotForTrialOffers",
            "POST",
            "/v1/trial-offers/classes/booking/validate",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingValidationResult,
        )

    def book_class_slot_for_trial_offers(self, request: m.ClassSlotBookingRequest) -> m.ClassSlotBookingResult:
        """bookClassSlotForTrialOffers"""
        return self._call(
            "bookClassSlotForTrialOffers",
            "POST",
            "/v1/trial-offers/classes/booking/book",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingResult,
        )

    def validate_for_appointment_booking_for_trial_offers(
        self, request: m.AppointmentBookingRequest
    ) -> m.AppointmentBookingValidationResult:
        """validateForAppointmentBookingForTrialOffers"""
        return self._call(
            "validateForAppointmentBookingForTrialOffers",
            "POST",
            "/v1/trial-offers/appointments/booking/validate",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingValidationResult,
        )

    def book_appointment_for_trial_offer(self, request: m.AppointmentBookingRequest) -> m.AppointmentBookingResult:
        """bookAppointmentForTrialOffer"""
        return self._call(
            "bookAppointmentForTrialOffer",
            "POST",
            "/v1/trial-offers/appointments/booking/book",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingResult,
        )

    def confirm_trial_offer_booking(self, booking_id: int) -> m.BookingConfirmationResult:
        """confirmTrialOfferBooking (for BOOKED_WITH_CONFIRMATION_REQUIRED, within the config's term)"""
        return self._call(
            "confirmTrialOfferBooking",
            "POST",
            f"/v1/trial-offers/bookings/{booking_id}/confirm",
            response_type=m.BookingConfirmationResult,
        )

    # --- Check-in vouchers --------------------------------------------------------------
    def redeem_checkin_voucher(self, request: m.CheckinVoucherRedeem) -> m.CheckinVoucherRedeemResult:
        """redeemCheckinVoucher"""
        return self._call(
            "redeemCheckinVoucher",
            "POST",
            "/v1/checkin-vouchers/redeem",
            json_body=request.to_json(),
            response_type=m.CheckinVoucherRedeemResult,
        )

    # --- Classes ------------------------------------------------------------------------
    def get_active_classes(self, *, offset: str = "0", slice_size: int = 50) -> m.Sliced[m.Class]:
        """getActiveClasses"""
        return self._call(
            "getActiveClasses",
            "GET",
            "/v1/classes",
            params=_slice_params(offset, slice_size),
            response_type=m.Sliced[m.Class],
        )

    def all_active_classes(self) -> list[m.Class]:
        return self._all(lambda offset: self.get_active_classes(offset=offset, slice_size=MAX_SLICE))

    def get_class_by_id(self, class_id: int) -> m.Class:
        """getClassById"""
        return self._call("getClassById", "GET", f"/v1/classes/{class_id}", response_type=m.Class)

    def get_class_slots(self, class_id: int, *, offset: str = "0", slice_size: int = 50) -> m.Sliced[m.ClassSlot]:
        """getClassSlots"""
        return self._call(
            "getClassSlots",
            "GET",
            f"/v1/classes/{class_id}/slots",
            params=_slice_params(offset, slice_size),
            response_type=m.Sliced[m.ClassSlot],
        )

    def all_class_slots(self, class_id: int) -> list[m.ClassSlot]:
        return self._all(lambda offset: self.get_class_slots(class_id, offset=offset, slice_size=MAX_SLICE))

    def get_class_slots_for_multiple_classes(
        self,
        *,
        days_ahead: int | None = None,
        slot_window_start_date: date | None = None,
        offset: str = "0",
        slice_size: int = 50,
    ) -> m.Sliced[m.ClassSlot]:
        """getClassSlotsForMultipleClasses (``days_ahead`` 0..6, upstream default 1)"""
        params = _slot_window_params(None, days_ahead, slot_window_start_date, minimum_days=0)
        return self._call(
            "getClassSlotsForMultipleClasses",
            "GET",
            "/v1/classes/slots",
            params={**params, **_slice_params(offset, slice_size)},
            response_type=m.Sliced[m.ClassSlot],
        )

    def all_class_slots_for_multiple_classes(
        self, *, days_ahead: int | None = None, slot_window_start_date: date | None = None
    ) -> list[m.ClassSlot]:
        return self._all(
            lambda offset: self.get_class_slots_for_multiple_classes(
                days_ahead=days_ahead,
                slot_window_start_date=slot_window_start_date,
                offset=offset,
                slice_size=MAX_SLICE,
            )
        )

    def get_class_slot_by_id(self, class_id: int, class_slot_id: int) -> m.ClassSlot:
        """getClassSlotById"""
        return self._call(
            "getClassSlotById", "GET", f"/v1/classes/{class_id}/slots/{class_slot_id}", response_type=m.ClassSlot
        )

    def validate_class_slot(self, request: m.ClassSlotBookingRequest) -> m.ClassSlotBookingValidationResult:
        """validateClassSlot"""
        return self._call(
            "validateClassSlot",
            "POST",
            "/v1/classes/booking/validate",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingValidationResult,
        )

    def book_class_slot(self, request: m.ClassSlotBookingRequest) -> m.ClassSlotBookingResult:
        """bookClassSlot"""
        return self._call(
            "bookClassSlot",
            "POST",
            "/v1/classes/booking/book",
            json_body=request.to_json(),
            response_type=m.ClassSlotBookingResult,
        )

    def get_class_booking_by_id(self, booking_id: int) -> m.ClassSlotBookingResult:
        """getClassBookingById"""
        return self._call(
            "getClassBookingById", "GET", f"/v1/classes/booking/{booking_id}", response_type=m.ClassSlotBookingResult
        )

    def cancel_class_slot_by_id(self, booking_id: int) -> None:
        """cancelClassSlotById (cancels a class booking; the answer has no body)"""
        self._call("cancelClassSlotById", "DELETE", f"/v1/classes/booking/{booking_id}")

    def get_class_bookings_by_customer_id(self, customer_id: int) -> list[m.ClassSlotBookingResult]:
        """getClassBookingsByCustomerId (bookings within +/- 2 weeks)"""
        return self._call(
            "getClassBookingsByCustomerId",
            "GET",
            "/v1/classes/booking",
            params={"customerId": customer_id},
            response_type=list[m.ClassSlotBookingResult],
        )

    # --- Appointments -------------------------------------------------------------------
    def get_bookable_appointments(self, *, offset: str = "0", slice_size: int = 50) -> m.Sliced[m.BookableAppointment]:
        """getBookableAppointments"""
        return self._call(
            "getBookableAppointments",
            "GET",
            "/v1/appointments/bookable",
            params=_slice_params(offset, slice_size),
            response_type=m.Sliced[m.BookableAppointment],
        )

    def all_bookable_appointments(self) -> list[m.BookableAppointment]:
        return self._all(lambda offset: self.get_bookable_appointments(offset=offset, slice_size=MAX_SLICE))

    def get_bookable_appointment(self, bookable_appointment_id: int) -> m.BookableAppointment:
        """getBookableAppointment"""
        return self._call(
            "getBookableAppointment",
            "GET",
            f"/v1/appointments/bookable/{bookable_appointment_id}",
            response_type=m.BookableAppointment,
        )

    def get_bookable_appointment_slots(
        self,
        bookable_appointment_id: int,
        *,
        customer_id: int | None = None,
        days_ahead: int | None = None,
        slot_window_start_date: date | None = None,
    ) -> list[m.BookableAppointmentSlot]:
        """getBookableAppointmentSlots (``days_ahead`` 1..6, upstream default 1)"""
        return self._call(
            "getBookableAppointmentSlots",
            "GET",
            f"/v1/appointments/bookable/{bookable_appointment_id}/slots",
            params=_slot_window_params(customer_id, days_ahead, slot_window_start_date, minimum_days=1),
            response_type=list[m.BookableAppointmentSlot],
        )

    def validate_for_appointment_booking(
        self, request: m.AppointmentBookingRequest
    ) -> m.AppointmentBookingValidationResult:
        """validateForAppointmentBooking"""
        return self._call(
            "validateForAppointmentBooking",
            "POST",
            "/v1/appointments/bookable/validate",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingValidationResult,
        )

    def book_appointment_booking(self, request: m.AppointmentBookingRequest) -> m.AppointmentBookingResult:
        """bookAppointmentBooking"""
        return self._call(
            "bookAppointmentBooking",
            "POST",
            "/v1/appointments/booking/book",
            json_body=request.to_json(),
            response_type=m.AppointmentBookingResult,
        )

    def get_appointment_booking(self, booking_id: int) -> m.AppointmentBookingResultWithCustomerId:
        """getAppointmentBooking"""
        return self._call(
            "getAppointmentBooking",
            "GET",
            f"/v1/appointments/booking/{booking_id}",
            response_type=m.AppointmentBookingResultWithCustomerId,
        )

    def delete_appointment_booking(self, booking_id: int) -> m.VoidResult:
        """deleteAppointmentBooking"""
        return self._call(
            "deleteAppointmentBooking", "DELETE", f"/v1/appointments/booking/{booking_id}", response_type=m.VoidResult
        )

    def get_appointment_bookings(self, customer_id: int) -> list[m.AppointmentBookingResult]:
        """getAppointmentBookings (bookings within +/- 2 weeks)"""
        return self._call(
            "getAppointmentBookings",
            "GET",
            "/v1/appointments/booking",
            params={"customerId": customer_id},
            response_type=list[m.AppointmentBookingResult],
        )

    # --- Customers ----------------------------------------------------------------------
    def search_customers(self, request: m.CustomerSearchRequest) -> list[m.Customer]:
        """searchCustomers"""
        return self._call(
            "searchCustomers",
            "POST",
            "/v1/customers/search",
            json_body=request.to_json(),
            response_type=list[m.Customer],
        )

    def get_customer_by_id(
        self, customer_id: int, *, card_number_format: m.CardNumberFormat | None = None
    ) -> m.Customer:
        """getCustomerById"""
        return self._call(
            "getCustomerById",
            "GET",
            f"/v1/customers/{customer_id}",
            params={"cardNumberFormat": card_number_format},
            response_type=m.Customer,
        )

    # --- Membership self-service ----------------------------------------------------------
    def get_contract_data(self, customer_id: int) -> list[m.ContractData]:
        """getContractData"""
        return self._call(
            "getContractData",
            "GET",
            f"/v1/memberships/{customer_id}/self-service/contract-data",
            response_type=list[m.ContractData],
        )

    def get_contract_cancelation_reason_data(self) -> list[m.ContractCancelationReason]:
        """getContractCancelationReasonData"""
        return self._call(
            "getContractCancelationReasonData",
            "GET",
            "/v1/memberships/self-service/contract-cancelation-reasons",
            response_type=list[m.ContractCancelationReason],
        )

    def create_contract_cancelation_amendment(
        self, customer_id: int, request: m.ContractCancelationRequest
    ) -> m.VoidResult:
        """createContractCancelationAmendment"""
        return self._call(
            "createContractCancelationAmendment",
            "POST",
            f"/v1/memberships/{customer_id}/self-service/ordinary-contract-cancelation",
            json_body=request.to_json(),
            response_type=m.VoidResult,
        )

    def withdraw_contract_cancelation(self, customer_id: int, contract_id: int) -> m.VoidResult:
        """withdrawContractCancelation"""
        return self._call(
            "withdrawContractCancelation",
            "POST",
            f"/v1/memberships/{customer_id}/self-service/withdraw-ordinary-contract-cancelation/{contract_id}",
            response_type=m.VoidResult,
        )

    def get_idle_period_config(self, contract_id: int) -> m.IdlePeriodConfiguration:
        """getIdlePeriodConfig"""
        return self._call(
            "getIdlePeriodConfig",
            "GET",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/config",
            response_type=m.IdlePeriodConfiguration,
        )

    def validate_idle_period_request(
        self, contract_id: int, request: m.IdlePeriodValidationRequest
    ) -> m.IdlePeriodValidationStatusResult:
        """validateIdlePeriodRequest"""
        return self._call(
            "validateIdlePeriodRequest",
            "POST",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/validate",
            json_body=request.to_json(),
            response_type=m.IdlePeriodValidationStatusResult,
        )

    def get_idle_periods(self, contract_id: int) -> m.IdlePeriodLists:
        """getIdlePeriods"""
        return self._call(
            "getIdlePeriods",
            "GET",
            f"/v1/memberships/{contract_id}/self-service/idle-periods",
            response_type=m.IdlePeriodLists,
        )

    def get_idle_period_by_id(self, contract_id: int, idle_period_id: int) -> m.IdlePeriod:
        """getIdlePeriodById"""
        return self._call(
            "getIdlePeriodById",
            "GET",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/{idle_period_id}",
            response_type=m.IdlePeriod,
        )

    def create_idle_period_amendment(
        self, contract_id: int, request: m.IdlePeriodCreateRequest, document: m.Document | None = None
    ) -> m.IdlePeriod:
        """createIdlePeriodAmendment (multipart: JSON part ``data``, optional file part ``document``)"""
        files: dict[str, Any] = {"data": (None, json.dumps(request.to_json()), "application/json")}
        if document is not None:
            files["document"] = (document.filename, document.content, document.content_type)
        return self._call(
            "createIdlePeriodAmendment",
            "POST",
            f"/v1/memberships/{contract_id}/self-service/idle-periods",
            files=files,
            response_type=m.IdlePeriod,
        )

    def withdraw_idle_period(self, contract_id: int, idle_period_id: int) -> m.VoidResult:
        """withdrawIdlePeriod"""
        return self._call(
            "withdrawIdlePeriod",
            "DELETE",
            f"/v1/memberships/{contract_id}/self-service/idle-periods/{idle_period_id}",
            response_type=m.VoidResult,
        )

    # --- Customers self-service -------------------------------------------------------------
    def get_customer_contact_data(self, customer_id: int) -> m.CurrentContactData:
        """getCustomerContactData"""
        return self._call(
            "getCustomerContactData",
            "GET",
            f"/v1/customers/{customer_id}/self-service/contact-data",
            response_type=m.CurrentContactData,
        )

    def create_customer_contact_data_amendment(
        self, customer_id: int, request: m.CustomerContactData
    ) -> m.PendingContactDataAmendment:
        """createCustomerContactDataAmendment"""
        return self._call(
            "createCustomerContactDataAmendment",
            "POST",
            f"/v1/customers/{customer_id}/self-service/contact-data",
            json_body=request.to_json(),
            response_type=m.PendingContactDataAmendment,
        )

    def get_customer_address_data(self, customer_id: int) -> m.CurrentAddressData:
        """getCustomerAddressData"""
        return self._call(
            "getCustomerAddressData",
            "GET",
            f"/v1/customers/{customer_id}/self-service/address-data",
            response_type=m.CurrentAddressData,
        )

    def create_customer_address_data_amendment(
        self, customer_id: int, request: m.CustomerAddressData
    ) -> m.PendingAddressDataAmendment:
        """createCustomerAddressDataAmendment"""
        return self._call(
            "createCustomerAddressDataAmendment",
            "POST",
            f"/v1/customers/{customer_id}/self-service/address-data",
            json_body=request.to_json(),
            response_type=m.PendingAddressDataAmendment,
        )

    def withdraw_amendment(self, customer_id: int, amendment_id: int) -> None:
        """withdrawAmendment (the answer has no body)"""
        self._call("withdrawAmendment", "DELETE", f"/v1/customers/{customer_id}/self-service/amendment/{amendment_id}")

    # --- Communication ------------------------------------------------------------------------
    def create_communication_in_new_communication_thread(
        self, customer_id: int, request: m.CommunicationThreadRequest
    ) -> m.CommunicationThreadResponse:
        """createCommunicationInNewCommunicationThread"""
        return self._call(
            "createCommunicationInNewCommunicationThread",
            "POST",
            f"/v1/communications/{customer_id}/threads",
            json_body=request.to_json(),
            response_type=m.CommunicationThreadResponse,
        )

    # --- Studios ------------------------------------------------------------------
    def get_studio_information(self) -> m.StudioInformation:
        """getStudioInformation"""
        return self._call("getStudioInformation", "GET", "/v1/studios/information", response_type=m.StudioInformation)

    def get_utilization(self) -> m.StudioUtilization:
        """getUtilization"""
        return self._call("getUtilization", "GET", "/v1/studios/utilization", response_type=m.StudioUtilization)


_adapters: dict[Any, TypeAdapter] = {}


def _adapter(response_type: Any) -> TypeAdapter:
    adapter = _adapters.get(response_type)
    if adapter is None:
        adapter = _adapters[response_type] = TypeAdapter(response_type)
    return adapter


def _slice_params(offset: str, slice_size: int) -> dict[str, Any]:
    _check_range("slice_size", slice_size, MIN_SLICE, MAX_SLICE)
    return {"offset": offset, "sliceSize": slice_size}


def _slot_window_params(
    customer_id: int | None, days_ahead: int | None, start: date | None, *, minimum_days: int
) -> dict[str, Any]:
    if days_ahead is not None:
        _check_range("days_ahead", days_ahead, minimum_days, 6)
    return {
        "customerId": customer_id,
        "daysAhead": days_ahead,
        "slotWindowStartDate": start.isoformat() if start else None,
    }


def _check_range(name: str, value: int, minimum: int, maximum: int) -> None:
    # A programming error, not an upstream one: fail before spending a request on a 400.
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value}")


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
