"""Signed, time-limited tokens: the journey's state travels in forms and URLs, never in cookies.

Safari drops third-party cookies in iframes, so nothing here may depend on a session. Each token
kind has its own salt (a token of one kind never passes as another) and its own lifetime.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing

JOURNEY_MAX_AGE = 6 * 3600  # from picking a time to sending the form
DONE_MAX_AGE = 90 * 24 * 3600  # the confirmation page and its calendar file
VOUCHER_FORM_MAX_AGE = 2 * 3600
VOUCHER_RESULT_MAX_AGE = 3600  # the page that shows the access code

_SALT = "trialoffers.{}"


def new_nonce() -> str:
    return secrets.token_hex(16)


class BadToken(Exception):
    """Tampered with, of another kind, or unreadable."""


class ExpiredToken(BadToken):
    """Genuine but too old. ``payload`` is still readable so a form can be offered again."""

    def __init__(self, payload: Any) -> None:
        super().__init__("expired")
        self.payload = payload


def _dumps(kind: str, payload: Any) -> str:
    return signing.dumps(payload, salt=_SALT.format(kind), compress=True)


def _loads(kind: str, token: str, max_age: int | None) -> Any:
    if not token or len(token) > 4000:
        raise BadToken("missing")
    try:
        return signing.loads(token, salt=_SALT.format(kind), max_age=max_age)
    except signing.SignatureExpired:
        try:
            payload = signing.loads(token, salt=_SALT.format(kind))
        except signing.BadSignature as exc:  # pragma: no cover  (expired implies a good signature)
            raise BadToken("bad") from exc
        raise ExpiredToken(payload) from None
    except (signing.BadSignature, ValueError) as exc:
        raise BadToken("bad") from exc


# --- The journey: one visitor's way from an offer to a booking ----------------------------------
def journey_token(nonce: str, offer_key: str) -> str:
    """A journey belongs to one offer: its token is worthless on another offer's page.

    No nonce, no token: the offer page every visitor shares (``portal.pagecache``) names no journey;
    the journey starts when a time is picked (``with_nonce``)."""
    return _dumps("journey", {"n": nonce, "o": offer_key}) if nonce else ""


def read_journey(token: str, offer_key: str | None = None) -> str:
    payload = _loads("journey", token, JOURNEY_MAX_AGE)
    nonce = payload.get("n") if isinstance(payload, dict) else None
    if not isinstance(nonce, str) or not nonce:
        raise BadToken("shape")
    if offer_key is not None and payload.get("o") != offer_key:
        raise BadToken("other offer")
    return nonce


@dataclass(frozen=True)
class SlotChoice:
    """The chosen offer and time, as signed into the register page's URL and form."""

    nonce: str
    kind: str  # "class" | "appointment"
    offer_id: int
    config_id: int
    title: str
    start_raw: str
    end_raw: str
    class_slot_id: int | None = None
    location: str = ""
    instructors: str = ""
    waiting_list: bool = False

    @property
    def offer_key(self) -> str:
        return f"{self.kind}-{self.offer_id}"

    @property
    def slot_key(self) -> str:
        if self.kind == "class":
            return f"class:{self.class_slot_id}"
        return f"appointment:{self.offer_id}:{self.start_raw}/{self.end_raw}"

    @property
    def starts_at(self) -> datetime:
        from portal.perfectgym.datetimes import parse_api_datetime

        return parse_api_datetime(self.start_raw)

    @property
    def ends_at(self) -> datetime:
        from portal.perfectgym.datetimes import parse_api_datetime

        return parse_api_datetime(self.end_raw)


_SLOT_FIELDS = {
    "n": "nonce",
    "k": "kind",
    "o": "offer_id",
    "c": "config_id",
    "t": "title",
    "s": "start_raw",
    "e": "end_raw",
    "i": "class_slot_id",
    "l": "location",
    "p": "instructors",
    "w": "waiting_list",
}


def slot_token(choice: SlotChoice) -> str:
    payload = {short: getattr(choice, name) for short, name in _SLOT_FIELDS.items()}
    return _dumps("slot", {key: value for key, value in payload.items() if value not in (None, "", False)})


def _slot_from(payload: Any) -> SlotChoice:
    if not isinstance(payload, dict):
        raise BadToken("shape")
    try:
        fields = {name: payload[short] for short, name in _SLOT_FIELDS.items() if short in payload}
        choice = SlotChoice(**{"nonce": "", **fields})  # no nonce: picked on a page every visitor shares
        choice.starts_at, choice.ends_at  # noqa: B018  (both must parse)
    except (TypeError, ValueError) as exc:
        raise BadToken("shape") from exc
    if choice.kind not in ("class", "appointment") or (choice.kind == "class" and not choice.class_slot_id):
        raise BadToken("shape")
    return choice


def with_nonce(choice: SlotChoice) -> SlotChoice:
    """The choice as one visitor's journey: a time picked on the shared offer page gets its own nonce."""
    return choice if choice.nonce else dataclasses.replace(choice, nonce=new_nonce())


def read_slot(token: str) -> tuple[SlotChoice, bool]:
    """The choice and whether its token had expired (then the caller offers the form again)."""
    try:
        return _slot_from(_loads("slot", token, JOURNEY_MAX_AGE)), False
    except ExpiredToken as expired:
        return _slot_from(expired.payload), True


# --- After booking --------------------------------------------------------------------------------
def done_token(booking_pk: int) -> str:
    return _dumps("done", {"b": booking_pk})


def read_done(token: str) -> int:
    payload = _loads("done", token, DONE_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("b"), int):
        raise BadToken("shape")
    return payload["b"]


def confirm_token(booking_pk: int, valid_until: datetime) -> str:
    """The e-mailed confirmation link: valid until the booking's confirmation deadline."""
    return _dumps("confirm", {"b": booking_pk, "x": int(valid_until.timestamp())})


def read_confirm(token: str) -> tuple[int, int]:
    """(booking pk, deadline as a Unix time); the caller decides what a passed deadline means."""
    payload = _loads("confirm", token, None)
    if not isinstance(payload, dict) or not isinstance(payload.get("b"), int) or not isinstance(payload.get("x"), int):
        raise BadToken("shape")
    return payload["b"], payload["x"]


# --- Vouchers -------------------------------------------------------------------------------------
def voucher_form_token(nonce: str = "") -> str:
    """The voucher form's token; the page every visitor shares carries none (``form_nonce``)."""
    return _dumps("voucher-form", {"n": nonce})


def read_voucher_form(token: str) -> tuple[str, bool]:
    """(nonce, expired); the nonce is "" for a form from the shared page."""
    try:
        payload = _loads("voucher-form", token, VOUCHER_FORM_MAX_AGE)
        expired = False
    except ExpiredToken as exc:
        payload, expired = exc.payload, True
    nonce = payload.get("n") if isinstance(payload, dict) else None
    if not isinstance(nonce, str):
        raise BadToken("shape")
    return nonce, expired


def form_nonce(token: str, *fields: str) -> str:
    """The nonce of a form sent from a page every visitor shares (``portal.pagecache``): its token and
    what was typed. The same form sent twice is one write; two visitors who typed differently are two."""
    typed = "\x00".join(field.strip().casefold() for field in fields)
    return hashlib.sha256(f"{token}\x00{typed}".encode()).hexdigest()[:32]


def voucher_result_token(redemption_pk: int) -> str:
    return _dumps("voucher-result", {"r": redemption_pk})


def read_voucher_result(token: str) -> int:
    payload = _loads("voucher-result", token, VOUCHER_RESULT_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        raise BadToken("shape")
    return payload["r"]
