"""The client's error tree. Callers catch these, never ``requests`` exceptions."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An upstream call failed. ``status`` is None when no HTTP answer arrived."""

    def __init__(
        self,
        operation: str,
        status: int | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        trace_id: str | None = None,
        reference: str | None = None,
    ) -> None:
        self.operation = operation
        self.status = status
        self.error_code = error_code
        self.error_message = error_message
        self.trace_id = trace_id
        self.reference = reference
        super().__init__(f"{operation}: {status} {error_code or ''} (traceId={trace_id})".strip())


class BadRequest(ApiError):
    """400: the upstream rejected the data (validation)."""


class Unauthorized(ApiError):
    """401: no API key or the key does not match the tenant."""


class Forbidden(ApiError):
    """403: the key lacks the operation's scope or belongs to another studio."""


class NotFound(ApiError):
    """404: the entity does not exist."""


class Conflict(ApiError):
    """409: concurrent modification."""


class RateLimited(ApiError):
    """429: this endpoint's per-minute limit is used up; asking again now is pointless."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class PausedLocally(RateLimited):
    """Not sent: after a 429 the portal leaves this operation alone for the rest of the minute."""


class Unavailable(ApiError):
    """5xx, a timeout or no connection: the upstream could not answer."""


class OutcomeUnknown(Unavailable):
    """A write was sent but no answer came back: it may or may not have happened.

    Callers reconcile by reading before they write again.
    """


class MalformedResponse(ApiError):
    """The answer did not have the documented shape."""


STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def error_class_for(status: int) -> type[ApiError]:
    if status >= 500:
        return Unavailable
    return STATUS_ERRORS.get(status, BadRequest if 400 <= status < 500 else MalformedResponse)
