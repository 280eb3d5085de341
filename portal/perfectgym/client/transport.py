"""The one road every operation takes: ``Transport._call``.

One place for the API key, language, timeouts, retries (reads only), error
mapping, response checking and one log line per attempt; plus the sliced-result
walker and the query-parameter helpers the per-area operation classes share.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar, overload

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

Send = Callable[..., requests.Response]


class Transport:
    """The client's plumbing; the per-area classes add one method per operation on top."""

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

    def _headers(self) -> dict[str, str]:
        headers = {"X-API-KEY": self.api_key, "Accept": "application/json"}
        language = self.language or translation.get_language()
        if language:
            headers["Accept-Language"] = language
        return headers

    @overload
    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, Any] | None = None,
        response_type: None = None,
    ) -> None: ...

    @overload
    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, Any] | None = None,
        response_type: type[T],
    ) -> T: ...

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, Any] | None = None,
        response_type: type[Any] | None = None,
    ) -> Any:
        """Send one operation and return its parsed, checked answer.

        ``response_type`` is a pydantic model or any type a ``TypeAdapter``
        understands (``list[Model]``); None means the answer has no body.
        """
        is_read = method in ("GET", "HEAD")
        attempts = 1 + (settings.UPSTREAM_GET_RETRIES if is_read else 0)
        send: Send = functools.partial(
            self.session.request,
            method,
            f"{self.base_url}{path}",
            params={k: v for k, v in (params or {}).items() if v is not None},
            json=json_body if files is None else None,
            files=files,
            timeout=(settings.UPSTREAM_CONNECT_TIMEOUT, settings.UPSTREAM_READ_TIMEOUT),
            allow_redirects=False,
        )
        for attempt in range(1, attempts + 1):
            response = self._attempt(operation, send, attempt, is_read=is_read, may_retry=attempt < attempts)
            if response is not None:
                return self._parse(operation, response, response_type)
        raise AssertionError("unreachable")  # pragma: no cover  (the last attempt never asks for another)

    def _attempt(
        self, operation: str, send: Send, attempt: int, *, is_read: bool, may_retry: bool
    ) -> requests.Response | None:
        """One request: its answer, or None after sleeping when another attempt should follow."""
        started = time.perf_counter()
        try:
            response = send(headers=self._headers())
        except requests.exceptions.RequestException as exc:
            self._log(operation, None, started, None, attempt)
            if may_retry and _worth_another_try(exc):
                self._sleep(self._backoff(attempt))
                return None
            raise _transport_error(operation, exc, is_read=is_read) from exc

        status = response.status_code
        error_body = self._error_body(response) if status >= 400 else {}
        self._log(operation, status, started, error_body.get("traceId"), attempt)
        if is_read and may_retry and status in RETRYABLE_STATUSES:
            self._sleep(self._retry_delay(response, attempt))
            return None
        if status >= 400:
            raise self._error(operation, response, error_body)
        if status >= 300:
            raise errors.MalformedResponse(operation, status=status, error_message="redirect")
        return response

    def _log(self, operation: str, status: int | None, started: float, trace_id: str | None, attempt: int) -> None:
        duration_ms = (time.perf_counter() - started) * 1000
        record_call(duration_ms, operation, status)
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
        base = float(settings.UPSTREAM_BACKOFF_SECONDS) * 2.0 ** (attempt - 1)
        return base + random.uniform(0, base)  # full jitter keeps workers from retrying in step

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        retry_after = _retry_after_seconds(response)
        if retry_after is not None:
            return min(retry_after, float(settings.UPSTREAM_RETRY_AFTER_CAP_SECONDS))
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
        details = (body.get("errorCode"), body.get("errorMessage"), body.get("traceId"), body.get("reference"))
        error_class = errors.error_class_for(status)
        if error_class is errors.RateLimited:
            return errors.RateLimited(operation, status, *details, retry_after=_retry_after_seconds(response))
        return error_class(operation, status, *details)

    @staticmethod
    def _parse(operation: str, response: requests.Response, response_type: type[Any] | None) -> Any:
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


def _worth_another_try(exc: requests.exceptions.RequestException) -> bool:
    """A read whose request failed before an answer: retry unless the server may be busy on it."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True  # never reached the server
    timeout_or_connection = isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout))
    # A read timeout is not retried: the server got the request and is slow, so asking again piles on.
    return timeout_or_connection and not isinstance(exc, requests.exceptions.ReadTimeout)


def _transport_error(operation: str, exc: requests.exceptions.RequestException, *, is_read: bool) -> errors.ApiError:
    name = type(exc).__name__
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        # Never reached the server: safe to report as plainly unavailable.
        return errors.Unavailable(operation, error_message=name)
    if not is_read and isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
        # The request may have arrived: the caller must read before writing again.
        return errors.OutcomeUnknown(operation, error_message=name)
    return errors.Unavailable(operation, error_message=name)


_adapters: dict[Any, TypeAdapter[Any]] = {}


def _adapter(response_type: Any) -> TypeAdapter[Any]:
    adapter = _adapters.get(response_type)
    if adapter is None:
        adapter = _adapters[response_type] = TypeAdapter(response_type)
    return adapter


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff


def slice_params(offset: str, slice_size: int) -> dict[str, Any]:
    check_range("slice_size", slice_size, MIN_SLICE, MAX_SLICE)
    return {"offset": offset, "sliceSize": slice_size}


def slot_window_params(
    customer_id: int | None, days_ahead: int | None, start: date | None, *, minimum_days: int
) -> dict[str, Any]:
    if days_ahead is not None:
        check_range("days_ahead", days_ahead, minimum_days, 6)
    return {
        "customerId": customer_id,
        "daysAhead": days_ahead,
        "slotWindowStartDate": start.isoformat() if start else None,
    }


def check_range(name: str, value: int, minimum: int, maximum: int) -> None:
    # A programming error, not an upstream one: fail before spending a request on a 400.
    if not minimum <= value <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value}")
