"""Check-in vouchers: redeem a code once per form and mail the studio access code it answers with."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from portal import audit, upstream
from portal.lib import crypto
from portal.models import Studio
from portal.notifications import Ids, notify, send_email
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.user_messages import message_for
from trialoffers.models import VoucherMessage, VoucherRedemption, VoucherStatus
from trialoffers.outcomes import VOUCHER_ERROR_CODES, VOUCHER_MESSAGES
from trialoffers.services.emails import VOUCHER_EMAIL, row_id, studio_reply_to
from trialoffers.services.records import alone, within_limits


@dataclass
class VoucherOutcome:
    redemption: VoucherRedemption | None = None
    reason: str = ""
    text: str = ""
    in_progress: bool = False
    redeemed_now: bool = False  # by this request: the code is mailed once

    @property
    def redeemed(self) -> bool:
        return self.redemption is not None and self.redemption.status == VoucherStatus.REDEEMED and not self.reason

    @classmethod
    def of(cls, reason: str, redemption: VoucherRedemption | None = None) -> VoucherOutcome:
        return cls(redemption=redemption, reason=reason, text=str(VOUCHER_MESSAGES[reason]))


def access_code(redemption: VoucherRedemption) -> str:
    if not redemption.access_code_encrypted:
        return ""
    try:
        return crypto.decrypt(redemption.access_code_encrypted)
    except crypto.DecryptionError:
        return ""


def _claim(studio: Studio, nonce: str, code: str) -> VoucherRedemption:
    try:
        with transaction.atomic():
            redemption, _created = VoucherRedemption.objects.get_or_create(
                nonce=nonce, defaults={"studio": studio, "code_hint": code[-4:]}
            )
    except IntegrityError:
        redemption = VoucherRedemption.objects.get(nonce=nonce)
    return redemption


def redeem_voucher(
    studio: Studio,
    nonce: str,
    *,
    code: str,
    first_name: str,
    last_name: str,
    email: str,
    client_ip: str,
    language: str,
) -> VoucherOutcome:
    """Redeem once per form (nonce); a repeated submit shows the same result."""
    offer_id = studio.checkin_voucher_online_offer_id
    if not offer_id:
        return VoucherOutcome.of("NOT_OFFERED")
    redemption = _claim(studio, nonce, code)
    if redemption.studio_id != studio.pk:
        return VoucherOutcome.of("NOT_FOUND")
    request = m.CheckinVoucherRedeem(
        voucher_code=code, firstname=first_name, lastname=last_name, email=email, online_offer_id=offer_id
    )
    answer = alone(studio, "voucher.redeem", nonce, lambda: _redeem(studio, redemption, request, client_ip))
    if answer is None:
        return VoucherOutcome(redemption=redemption, in_progress=True)
    if not answer.redeemed_now:
        return answer
    audit.record(studio, "voucher.redeem", actor="lead", outcome="redeemed", details={"redemption": redemption.pk})
    # The code is in the redemption (encrypted); the address only in a row the worker deletes after sending.
    message = VoucherMessage.objects.create(redemption=redemption, email=email, first_name=first_name[:100])
    notify(VOUCHER_EMAIL, {"message": message.pk}, language=language)
    return VoucherOutcome(redemption=redemption)


def _redeem(
    studio: Studio, redemption: VoucherRedemption, request: m.CheckinVoucherRedeem, client_ip: str
) -> VoucherOutcome:
    """The one write of this form (``records.alone``)."""
    redemption.refresh_from_db()
    if redemption.status == VoucherStatus.REDEEMED:
        return VoucherOutcome(redemption=redemption)
    was_unknown = redemption.status == VoucherStatus.UNKNOWN
    if not was_unknown and not within_limits(studio, "voucher", client_ip, request.email):
        return _settle(redemption, VoucherStatus.FAILED, "RATE_LIMITED")
    redemption.code_hint = request.voucher_code[-4:]
    try:
        result = upstream.client_for(studio).redeem_checkin_voucher(request)
    except errors.OutcomeUnknown:
        # No operation reads a voucher back; sending again is safe (a voucher is redeemed once at most).
        return _settle(redemption, VoucherStatus.UNKNOWN, "OUTCOME_UNKNOWN")
    except errors.NotFound as exc:
        audit.record(studio, "voucher.redeem", actor="lead", outcome="not_found", error=exc)
        return _settle(redemption, VoucherStatus.FAILED, "NOT_FOUND")
    except errors.BadRequest as exc:
        reason = VOUCHER_ERROR_CODES.get(exc.error_code or "", "INVALID")
        audit.record(studio, "voucher.redeem", actor="lead", outcome=reason.lower(), error=exc)
        if reason == "ALREADY_REDEEMED" and was_unknown:
            # Our own earlier request went through, but its answer (the code) never arrived.
            return _settle(redemption, VoucherStatus.REDEEMED, "REDEEMED_WITHOUT_CODE")
        return _settle(redemption, VoucherStatus.FAILED, reason)
    except errors.ApiError as exc:
        audit.record(studio, "voucher.redeem", actor="lead", outcome="error", error=exc)
        _save(redemption, VoucherStatus.FAILED, f"UPSTREAM_{type(exc).__name__.upper()}")
        return VoucherOutcome(redemption=redemption, reason="UPSTREAM", text=message_for(exc))
    redemption.access_code_encrypted = crypto.encrypt(result.studio_access_code)
    _save(redemption, VoucherStatus.REDEEMED, "", "access_code_encrypted")
    return VoucherOutcome(redemption=redemption, redeemed_now=True)


def _save(redemption: VoucherRedemption, status: str, reason: str, *fields: str) -> None:
    redemption.status, redemption.failure_reason = status, reason
    redemption.save(update_fields=["status", "failure_reason", "code_hint", *fields, "updated_at"])


def _settle(redemption: VoucherRedemption, status: str, reason: str) -> VoucherOutcome:
    _save(redemption, status, reason)
    return VoucherOutcome.of(reason, redemption)


def send_voucher_message(ids: Ids, language: str) -> int:
    """Worker: the studio access code, to the address the voucher form was sent with."""
    message = (
        VoucherMessage.objects.select_related("redemption", "redemption__studio")
        .filter(pk=row_id(ids, "message"))
        .first()
    )
    if message is None:
        return 0
    try:
        code = access_code(message.redemption)
        if not code:
            return 0
        studio = message.redemption.studio
        return send_email(
            [message.email],
            str(_("Your studio access code")),  # the handler runs in ``language`` (``portal.notifications``)
            "trialoffers/voucher",
            {"studio": studio, "first_name": message.first_name, "access_code": code},
            language=language,
            reply_to=studio_reply_to(studio),
        )
    finally:
        message.delete()
