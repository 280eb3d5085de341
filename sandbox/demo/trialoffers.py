"""The demo studio's trial offers (configs, trial classes and appointments) and check-in vouchers.

Runs after sandbox.demo.classes: it links classes and appointment types by title. Config ids are row
ids; find them by name through the trial listings (``trialOfferConfigId``) or the store.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, timedelta
from typing import Any

from sandbox.store import Store

CONFIG_WITH_CONFIRMATION = "Kostenloses Probetraining"
CONFIG_WITH_MANDATORY_DATA = "Schnupperkurse (2 Kurse)"

TRIAL_CONFIGS: list[dict[str, Any]] = [
    {
        "name": CONFIG_WITH_CONFIRMATION,
        "preventMultipleBookingsTerm": {"value": 6, "unit": "MONTH"},
        "contingent": 1,
        "confirmationOfBookingTerm": {"value": 24, "unit": "HOURS"},
        "allowBookingForLeads": True,
        "leadDataConfig": {
            "trialOfferLeadDataConfigId": 301,
            "genderMode": "OPTIONAL",
            "dateOfBirthMode": "OPTIONAL",
            "telephoneMode": "OPTIONAL",
            "addressMode": "INACTIVE",
        },
        "_classes": ["Hatha Yoga", "Indoor Cycling"],
        "_appointments": ["Probetraining"],
    },
    {
        "name": CONFIG_WITH_MANDATORY_DATA,
        "preventMultipleBookingsTerm": {"value": 2, "unit": "DAY"},
        "contingent": 2,
        "allowBookingForLeads": True,
        "leadDataConfig": {
            "trialOfferLeadDataConfigId": 302,
            "genderMode": "OPTIONAL",
            "dateOfBirthMode": "MANDATORY",
            "telephoneMode": "MANDATORY",
            "addressMode": "OPTIONAL",
        },
        "_classes": ["Zumba", "Pilates Mat", "Vinyasa Flow", "HIIT Express"],
        "_appointments": ["Körperanalyse (InBody)"],
    },
]

DEMO_ONLINE_OFFER_ID = 4711001
OTHER_ONLINE_OFFER_ID = 4711002

# (code, online offer, already redeemed, valid for days from today)
VOUCHERS: list[tuple[str, int, bool, int]] = [
    ("DEMO-VOUCHER-2026", DEMO_ONLINE_OFFER_ID, False, 365),
    ("USED-VOUCHER", DEMO_ONLINE_OFFER_ID, True, 365),
    ("EXPIRED-VOUCHER", DEMO_ONLINE_OFFER_ID, False, -1),
    ("DAYPASS-0001", DEMO_ONLINE_OFFER_ID, False, 90),
    ("DAYPASS-0002", DEMO_ONLINE_OFFER_ID, False, 90),
    ("WEEKPASS-0001", OTHER_ONLINE_OFFER_ID, False, 90),
]


def access_code(voucher_code: str) -> str:
    """A stable 8-letter studio access code per voucher (the same after every demo reset)."""
    digest = hashlib.sha256(voucher_code.encode()).digest()
    return base64.b32encode(digest).decode()[:8]


def load(store: Store, today: date) -> None:
    classes = {klass["title"]: klass["id"] for klass in store.all("class")}
    types = {atype["title"]: atype["id"] for atype in store.all("appointment_type")}
    for spec in TRIAL_CONFIGS:
        config = store.create("trial_config", {k: v for k, v in spec.items() if not k.startswith("_")})
        for title in spec["_classes"]:
            if title in classes:
                store.create("trial_class", {"trialOfferConfigId": config["id"], "classId": classes[title]})
        for title in spec["_appointments"]:
            if title in types:
                store.create(
                    "trial_appointment", {"trialOfferConfigId": config["id"], "bookableAppointmentId": types[title]}
                )

    for code, offer_id, redeemed, valid_days in VOUCHERS:
        voucher = {
            "voucherCode": code,
            "onlineOfferId": offer_id,
            "_studioAccessCode": access_code(code),
            "_validUntil": (today + timedelta(days=valid_days)).isoformat(),
            "_redeemed": redeemed,
        }
        if redeemed:
            voucher["_redeemedAt"] = (today - timedelta(days=3)).isoformat()
        store.create("voucher", voucher)
