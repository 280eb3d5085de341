"""Error answers in the API's documented shape."""

from __future__ import annotations

import secrets

# errorMessage is resolved in the request's language, like the real API does.
MESSAGES: dict[str, dict[str, str]] = {
    "errormessage.unauthorized": {"en": "Invalid API key", "de": "Ungültiger API-Schlüssel"},
    "errormessage.permission.denied": {"en": "Permission denied", "de": "Zugriff verweigert"},
    "errormessage.entity.not.found": {"en": "Entity not found", "de": "Eintrag nicht gefunden"},
    "errormessage.validation": {"en": "Validation failed", "de": "Validierung fehlgeschlagen"},
    "errormessage.conflict": {"en": "Concurrent modification", "de": "Gleichzeitige Änderung"},
    "errormessage.rate.limit": {"en": "Too many requests", "de": "Zu viele Anfragen"},
    "errormessage.internal": {"en": "Internal server error", "de": "Interner Serverfehler"},
    "errormessage.unavailable": {"en": "Service unavailable", "de": "Dienst nicht verfügbar"},
}


def new_trace_id() -> str:
    return secrets.token_hex(8)


class ApiProblem(Exception):
    """Raised by an operation to answer with an error status and body."""

    def __init__(
        self, status: int, error_code: str, message: str | None = None, *, reference: str | None = None
    ) -> None:
        super().__init__(f"{status} {error_code}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.reference = reference

    def body(self, language: str) -> dict:
        texts = MESSAGES.get(self.error_code, {})
        message = self.message or texts.get(language) or texts.get("en") or self.error_code
        body = {"errorMessage": message, "errorCode": self.error_code, "traceId": new_trace_id()}
        if self.reference:
            body["reference"] = self.reference
        return body

    @classmethod
    def not_found(cls, what: str) -> ApiProblem:
        return cls(404, "errormessage.entity.not.found", reference=what)

    @classmethod
    def validation(cls, reference: str, message: str | None = None) -> ApiProblem:
        return cls(400, "errormessage.validation", message, reference=reference)

    @classmethod
    def conflict(cls, reference: str | None = None) -> ApiProblem:
        return cls(409, "errormessage.conflict", reference=reference)
