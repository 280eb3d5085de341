"""Check-in vouchers: a code for an online offer, redeemed once for a studio access code."""

from __future__ import annotations

import uuid

from sandbox.errors import ApiProblem
from sandbox.router import SandboxRequest, operation
from sandbox.schedule.common import body_int
from sandbox.schedule.rules import valid_email


def _normalise(code: str) -> str:
    return code.strip().upper()


@operation("POST", "/v1/checkin-vouchers/redeem", "redeemCheckinVoucher")
def redeem_checkin_voucher(ctx: SandboxRequest) -> dict:
    data = ctx.body_dict()
    ctx.require_fields(data, "voucherCode", "firstname", "lastname", "email")
    offer_id = body_int(data, "onlineOfferId")
    if not valid_email(data["email"]):
        raise ApiProblem.validation("email", "email is not a valid address")
    code = _normalise(str(data["voucherCode"]))
    found = next((v for v in ctx.store.all("voucher") if _normalise(v["voucherCode"]) == code), None)
    if found is None:
        raise ApiProblem.not_found("voucherCode")
    # One redemption, even for two parallel requests.
    voucher = ctx.store.require("voucher", found["id"], what="voucherCode", lock=True)
    if voucher.get("_redeemed"):
        raise ApiProblem(400, "errormessage.checkinvoucher.already.redeemed", "The voucher was already redeemed")
    if voucher["onlineOfferId"] != offer_id:
        raise ApiProblem(
            400,
            "errormessage.checkinvoucher.online.offer.mismatch",
            "The voucher does not belong to this online offer",
            reference="onlineOfferId",
        )
    valid_until = voucher.get("_validUntil")
    if valid_until and ctx.today.isoformat() > valid_until:
        raise ApiProblem(400, "errormessage.checkinvoucher.expired", "The voucher has expired")
    voucher.update(_redeemed=True, _redeemedAt=ctx.fmt(ctx.now), _customerId=_lead_for(ctx, data))
    ctx.store.save("voucher", voucher)
    return {"studioAccessCode": voucher["_studioAccessCode"]}


def _lead_for(ctx: SandboxRequest, data: dict) -> int:
    """The redeemer as a customer: an existing one with the email, else a new lead (PROSPECT)."""
    wanted = data["email"].strip().casefold()
    for customer in ctx.store.all("customer"):
        if (customer.get("email") or "").strip().casefold() == wanted:
            return customer["id"]
    lead = ctx.store.create(
        "customer",
        {
            "firstName": data["firstname"].strip(),
            "lastName": data["lastname"].strip(),
            "email": data["email"].strip(),
            "status": "PROSPECT",
            "accessRefusal": False,
            "idlePeriods": [],
            "uuid": str(uuid.uuid4()),
            "createdDateTime": ctx.fmt(ctx.now),
            "_source": "checkin-voucher",
        },
    )
    return lead["id"]
