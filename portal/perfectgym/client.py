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
            # Field names only: values may be personal data.
            fields = ",".join(".".join(str(p) for p in e["loc"]) for e in exc.errors()[:5])
            raise errors.MalformedResponse(
                operation, status=response.status_code, error_message=f"unexpected shape: {fields}"
            ) from exc

    # --- slices -----------------------------------------------------------------
    @staticmethod
    def iter_slices(fetch_page: Callable[[str], m.Sliced[T]], *, max_pages: int = 200) -> Iterator[T]:
        """Yield every item of a sliced result, following the returned ``offset``.

        Stops only when ``hasNext`` is false (a short page does not mean the end).
        """
        offset = "0"
        seen_offsets: set[str] = set()
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

    # --- Studios ------------------------------------------------------------------
    def check_api_key(self) -> None:
        """HEAD on a path: 200 for a key that matches the tenant, else 401."""
        self._call("checkApiKey", "HEAD", "/v1/studios/information")

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


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
