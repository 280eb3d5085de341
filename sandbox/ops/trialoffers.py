"""Trial offers: configs, trial classes and appointments, lead customers, trial bookings and confirmation.

A trial class (``trial_class``) or trial appointment (``trial_appointment``) links a class or
appointment type to a ``trial_config``. Trial bookings are ordinary class or appointment bookings that
carry ``_trialOfferConfigId``; the config's contingent, term and confirmation rules apply on top.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from sandbox.errors import ApiProblem
from sandbox.ops.appointments import require_appointment_type, slots_for
from sandbox.router import SandboxRequest, int_param, operation
from sandbox.schedule.appointments import TrialFor as AppointmentTrialFor
from sandbox.schedule.appointments import book_appointment, validate_appointment
from sandbox.schedule.common import body_int, listing_window, public, sliced_entities
from sandbox.schedule.rules import BOOKED, CANCELED, CONFIRMATION_REQUIRED, effective_status, valid_email
from sandbox.schedule.timetable import Timetable, book_class, validate_class
from sandbox.schedule.timetable import TrialFor as ClassTrialFor

GENDERS = ("MALE", "FEMALE", "UNISEX")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()/\-]{4,24}$")


def _config(ctx: SandboxRequest, config_id: int | None) -> dict[str, Any] | None:
    return ctx.store.get("trial_config", config_id)


def _require_config(ctx: SandboxRequest, config_id: int | None) -> dict[str, Any]:
    config = _config(ctx, config_id)
    if config is None:
        raise ApiProblem.not_found("trialOfferConfigId")
    return config


def _trial_class_config(ctx: SandboxRequest, class_id: int) -> dict[str, Any] | None:
    for link in ctx.store.all("trial_class", classId=class_id):
        return _config(ctx, link["trialOfferConfigId"])
    return None


def _trial_appointment_config(ctx: SandboxRequest, type_id: int) -> dict[str, Any] | None:
    for link in ctx.store.all("trial_appointment", bookableAppointmentId=type_id):
        return _config(ctx, link["trialOfferConfigId"])
    return None


# --- Listings and configs -------------------------------------------------------------------------


def _sliced_links(ctx: SandboxRequest, link_kind: str, kind: str, id_field: str, key: str) -> dict[str, Any]:
    """The trial offer's links to classes or appointment types, each with what it links to under ``key``."""
    targets = {target["id"]: target for target in ctx.store.all(kind)}
    links = [link for link in ctx.store.all(link_kind) if link[id_field] in targets]
    return sliced_entities(
        ctx,
        links,
        render=lambda link: {
            "trialOfferConfigId": link["trialOfferConfigId"],
            key: public(targets[link[id_field]]),
            "id": link["id"],
        },
    )


@operation("GET", "/v1/trial-offers/bookable-trial-offers/classes", "getBookableTrialOfferClasses")
def get_bookable_trial_offer_classes(ctx: SandboxRequest) -> dict[str, Any]:
    return _sliced_links(ctx, "trial_class", "class", "classId", "trialOfferClass")


@operation("GET", "/v1/trial-offers/bookable-trial-offers/appointments/bookable", "getBookableTrialOfferAppointments")
def get_bookable_trial_offer_appointments(ctx: SandboxRequest) -> dict[str, Any]:
    return _sliced_links(
        ctx, "trial_appointment", "appointment_type", "bookableAppointmentId", "trialOfferBookableAppointment"
    )


@operation("GET", "/v1/trial-offers/config/{configId}", "getTrialOfferConfig")
def get_trial_offer_config(ctx: SandboxRequest, configId: str) -> dict:
    return public(_require_config(ctx, int_param(configId, "configId")))


# --- Lead customers -------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _lead_problem(ctx: SandboxRequest, lead: dict[str, Any], config: dict[str, Any]) -> str | None:
    """The first field of the lead that is invalid under the config's leadDataConfig, or None."""
    modes = config["leadDataConfig"]
    for name in ("firstname", "lastname"):
        if _missing(lead.get(name)) or not isinstance(lead[name], str):
            return name
    if not valid_email(lead.get("email")):
        return "email"

    checks = {
        "gender": lambda value: value in GENDERS,
        "dateOfBirth": lambda value: _valid_birth_date(ctx, value),
        "telephone": lambda value: (
            isinstance(value, str) and bool(_PHONE.match(value.strip())) and sum(c.isdigit() for c in value) >= 5
        ),
        "address": lambda value: (
            isinstance(value, dict)
            and all(isinstance(value.get(key), str) and value[key].strip() for key in ("street", "zipCode", "city"))
        ),
    }
    for name, is_valid in checks.items():
        mode = modes.get(f"{name}Mode", "OPTIONAL")
        value = lead.get(name)
        if _missing(value):
            if mode == "MANDATORY":
                return name
        elif mode != "INACTIVE" and not is_valid(value):
            return name
    language = lead.get("language")
    if language is not None and not (
        isinstance(language, dict)
        and isinstance(language.get("languageCode"), str)
        and len(language["languageCode"]) == 2
    ):
        return "language"
    return None


def _valid_birth_date(ctx: SandboxRequest, value: Any) -> bool:
    try:
        born = date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return date(1900, 1, 1) <= born <= ctx.today


def _is_duplicate(ctx: SandboxRequest, email: str) -> bool:
    wanted = email.strip().casefold()
    return any((customer.get("email") or "").strip().casefold() == wanted for customer in ctx.store.all("customer"))


def _read_lead_request(ctx: SandboxRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    data = ctx.body_dict()
    lead = data.get("leadCustomerData")
    if not isinstance(lead, dict):
        raise ApiProblem.validation("leadCustomerData", "leadCustomerData is required")
    return lead, _require_config(ctx, body_int(data, "trialOfferConfigId"))


def _lead_status(ctx: SandboxRequest, lead: dict[str, Any], config: dict[str, Any]) -> tuple[str, str | None]:
    problem = _lead_problem(ctx, lead, config)
    if problem:
        return "INVALID_LEAD_CUSTOMER_DATA", problem
    if _is_duplicate(ctx, lead["email"]):
        return "DUPLICATE_CUSTOMER", "email"
    return "POSSIBLE", None


@operation("POST", "/v1/trial-offers/lead/validate", "validateForLeadCustomerCreation")
def validate_for_lead_customer_creation(ctx: SandboxRequest) -> dict:
    lead, config = _read_lead_request(ctx)
    return {"validationStatus": _lead_status(ctx, lead, config)[0]}


@operation("POST", "/v1/trial-offers/lead/create", "createLeadCustomer")
def create_lead_customer(ctx: SandboxRequest) -> dict:
    lead, config = _read_lead_request(ctx)
    # Serialise customer creation per studio so two parallel sign-ups with one email cannot both pass.
    for info in ctx.store.all("studio_info")[:1]:
        ctx.store.lock("studio_info", info["id"])
    status, reference = _lead_status(ctx, lead, config)
    if status == "INVALID_LEAD_CUSTOMER_DATA":
        raise ApiProblem(
            400, "errormessage.lead.invalid", "The lead's data is invalid", reference=f"leadCustomerData.{reference}"
        )
    if status == "DUPLICATE_CUSTOMER":
        raise ApiProblem(
            400, "errormessage.lead.duplicate", "A customer with this email already exists", reference="email"
        )
    customer = ctx.store.create("customer", _lead_customer(ctx, lead, config))
    return {"leadCustomerId": customer["id"]}


def _lead_customer(ctx: SandboxRequest, lead: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The lead as a Customer (status PROSPECT), keeping only the fields the config collects."""
    modes = config["leadDataConfig"]

    def collected(name: str) -> Any:
        value = lead.get(name)
        return None if _missing(value) or modes.get(f"{name}Mode") == "INACTIVE" else value

    address = collected("address") or {}
    customer = {
        "firstName": lead["firstname"].strip(),
        "secondFirstName": lead.get("secondFirstname") or None,
        "lastName": lead["lastname"].strip(),
        "secondLastName": lead.get("secondLastname") or None,
        "email": lead["email"].strip(),
        "dateOfBirth": collected("dateOfBirth"),
        "gender": collected("gender"),
        "phonePrivateMobile": (collected("telephone") or "").strip() or None,
        "street": address.get("street"),
        "houseNumber": address.get("houseNumber") or None,
        "zipCode": address.get("zipCode"),
        "city": address.get("city"),
        "status": "PROSPECT",
        "accessRefusal": False,
        "idlePeriods": [],
        "thirdPartyId": lead.get("thirdPartyId") or None,
        "preferredLanguage": lead.get("language") or None,
        "uuid": str(uuid.uuid4()),
        "createdDateTime": ctx.fmt(ctx.now),
        "_trialOfferConfigId": config["id"],
    }
    return {key: value for key, value in customer.items() if value is not None}


# --- Trial slots and bookings ---------------------------------------------------------------------


@operation("GET", "/v1/trial-offers/bookable-trial-offers/classes/{classId}/slots", "getClassSlotsForTrialOffers")
def get_class_slots_for_trial_offers(ctx: SandboxRequest, classId: str) -> dict:
    class_id = int_param(classId, "classId")
    if ctx.store.get("class", class_id) is None or _trial_class_config(ctx, class_id) is None:
        raise ApiProblem.not_found("classId")
    timetable = Timetable(ctx)
    return timetable.sliced_slots(timetable.slots(*listing_window(ctx), class_ids={class_id}))


@operation(
    "GET",
    "/v1/trial-offers/bookable-trial-offers/appointments/bookable/{bookableAppointmentId}/slots",
    "getBookableAppointmentSlotsForTrialOffers",
)
def get_bookable_appointment_slots_for_trial_offers(ctx: SandboxRequest, bookableAppointmentId: str) -> list:
    atype = require_appointment_type(ctx, bookableAppointmentId)
    if _trial_appointment_config(ctx, atype["id"]) is None:
        raise ApiProblem.not_found("bookableAppointmentId")
    return slots_for(ctx, atype)


def _class_trial(ctx: SandboxRequest) -> ClassTrialFor:
    return lambda slot: _trial_class_config(ctx, slot.klass["id"])


def _appointment_trial(ctx: SandboxRequest) -> AppointmentTrialFor:
    return lambda atype: _trial_appointment_config(ctx, atype["id"])


@operation("POST", "/v1/trial-offers/classes/booking/validate", "validateClassSlotForTrialOffers")
def validate_class_slot_for_trial_offers(ctx: SandboxRequest) -> dict:
    return validate_class(ctx, trial_for=_class_trial(ctx))


@operation("POST", "/v1/trial-offers/classes/booking/book", "bookClassSlotForTrialOffers")
def book_class_slot_for_trial_offers(ctx: SandboxRequest) -> dict:
    return book_class(ctx, trial_for=_class_trial(ctx))


@operation("POST", "/v1/trial-offers/appointments/booking/validate", "validateForAppointmentBookingForTrialOffers")
def validate_for_appointment_booking_for_trial_offers(ctx: SandboxRequest) -> dict:
    return validate_appointment(ctx, trial_for=_appointment_trial(ctx))


@operation("POST", "/v1/trial-offers/appointments/booking/book", "bookAppointmentForTrialOffer")
def book_appointment_for_trial_offer(ctx: SandboxRequest) -> dict:
    return book_appointment(ctx, trial_for=_appointment_trial(ctx))


@operation("POST", "/v1/trial-offers/bookings/{bookingId}/confirm", "confirmTrialOfferBooking")
def confirm_trial_offer_booking(ctx: SandboxRequest, bookingId: str) -> dict:
    """CONFIRMED within the config's confirmationOfBookingTerm (and again after), else EXPIRED."""
    number = int_param(bookingId, "bookingId")
    for kind in ("class_booking", "appointment_booking"):
        booking = ctx.store.lock(kind, number)
        if booking is not None:
            break
    if booking is None or not booking.get("_trialOfferConfigId"):
        raise ApiProblem.not_found("bookingId")
    status = booking["bookingStatus"]
    if status == CONFIRMATION_REQUIRED:
        if effective_status(booking, ctx.now) == CANCELED:
            booking.update(bookingStatus=CANCELED, _expired=True)
            ctx.store.save(kind, booking)
            return {"status": "EXPIRED"}
        booking.update(bookingStatus=BOOKED, _confirmedAt=ctx.fmt(ctx.now))
        ctx.store.save(kind, booking)
        return {"status": "CONFIRMED"}
    if status == CANCELED:
        if booking.get("_expired"):
            return {"status": "EXPIRED"}
        raise ApiProblem(400, "errormessage.trialoffer.booking.canceled", "The booking was canceled")
    return {"status": "CONFIRMED"}
