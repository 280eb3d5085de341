"""Creating the journey's lead customer: validate, create (recorded ahead), and find it again after a timeout."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from portal import audit, reads, upstream
from portal.models import Studio
from portal.notifications import notify
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.perfectgym.client import PerfectGymClient
from trialoffers.models import FunnelWeek, Lead, LeadCreation, LeadStatus
from trialoffers.outcomes import Outcome
from trialoffers.services.emails import ALREADY_MEMBER_EMAIL, Links
from trialoffers.services.records import (
    fail,
    set_lead,
    unanswered,
    unknown,
    upstream_failure,
    validation_failure,
    within_limits,
)

logger = logging.getLogger("portal.trialoffers")

# The API's field names (an error's ``reference``) as the form's.
_FORM_FIELDS = {
    "firstname": "first_name",
    "lastname": "last_name",
    "dateOfBirth": "date_of_birth",
    "zipCode": "zip_code",
    "houseNumber": "house_number",
}


@dataclass(frozen=True)
class LeadInput:
    first_name: str
    last_name: str
    email: str
    gender: str | None = None
    date_of_birth: date | None = None
    telephone: str | None = None
    street: str | None = None
    house_number: str | None = None
    zip_code: str | None = None
    city: str | None = None

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> LeadInput:
        values: dict[str, Any] = {name: data.get(name) or None for name in cls.__dataclass_fields__}
        return cls(**values)

    def lead_data(self, language: str) -> m.LeadData:
        address = None
        if self.street and self.zip_code and self.city:
            address = m.LeadCustomerAddressData(
                street=self.street, house_number=self.house_number or None, zip_code=self.zip_code, city=self.city
            )
        return m.LeadData(
            firstname=self.first_name,
            lastname=self.last_name,
            email=self.email,
            gender=self.gender or None,
            date_of_birth=self.date_of_birth,
            telephone=self.telephone or None,
            language=m.Language(language_code=language[:2]),
            address=address,
        )


def _find_created_lead(studio: Studio, email: str) -> int | None:
    """After a create that timed out: the customer with this email, if the create went through.

    Validation answered POSSIBLE (no such customer) just before, so a match now is this lead.
    Raises ApiError when the search itself fails.
    """
    request = m.CustomerSearchRequest(email=email)
    found = reads.call(studio, "searchCustomers", lambda client: client.search_customers(request))
    wanted = email.strip().casefold()
    matches = [c for c in found if (c.email or "").strip().casefold() == wanted]
    matches.sort(key=lambda c: (c.status != "PROSPECT", -(c.created_date_time or timezone.now()).timestamp()))
    return matches[0].id if matches else None


def _lead_created(studio: Studio, lead: Lead, customer_id: int) -> None:
    set_lead(lead, creation=LeadCreation.CREATED, lead_customer_id=customer_id, status=LeadStatus.STARTED, reason="")
    FunnelWeek.bump(studio, "leads_created")
    audit.record(
        studio, "trial.lead_created", actor="lead", outcome="created", details={"lead_customer_id": customer_id}
    )
    logger.info("trial lead created studio=%s lead=%s customer=%s", studio.pk, lead.pk, customer_id)


def reconcile_lead(studio: Studio, lead: Lead) -> bool | None:
    """True: the earlier create went through (now recorded); False: it did not; None: still unknown."""
    try:
        customer_id = _find_created_lead(studio, lead.email)
    except errors.ApiError as exc:
        logger.info("trial lead reconcile failed studio=%s lead=%s error=%s", studio.pk, lead.pk, type(exc).__name__)
        return None
    if customer_id is None:
        return False
    _lead_created(studio, lead, customer_id)
    return True


def _already_member(lead: Lead, links: Links) -> Outcome:
    """An existing customer's address: the page says what it says to a new lead, the owner gets an e-mail."""
    outcome = fail(lead, "DUPLICATE_CUSTOMER")
    notify(ALREADY_MEMBER_EMAIL, {"lead": lead.pk, "base_url": links.base_url}, language=lead.language)
    return outcome


def create_lead(
    studio: Studio, lead: Lead, data: LeadInput, *, client_ip: str, language: str, links: Links
) -> Outcome | None:
    """None when the lead exists afterwards, else the outcome to show."""
    if lead.creation == LeadCreation.UNKNOWN:
        # Read first, with the address the earlier (unanswered) create used.
        found = reconcile_lead(studio, lead)
        if found:
            return None
        if found is None:
            return unknown(lead, "OUTCOME_UNKNOWN")
        set_lead(lead, creation=LeadCreation.NOT_YET)  # it did not happen: the visitor's new click may create it
    elif not within_limits(studio, "trial-lead", client_ip, data.email):
        logger.info("trial lead rate limited studio=%s lead=%s", studio.pk, lead.pk)
        set_lead(lead, status=LeadStatus.FAILED, reason="RATE_LIMITED")
        return Outcome.of("RATE_LIMITED")
    set_lead(
        lead, first_name=data.first_name[:100], last_name=data.last_name[:100], email=data.email, language=language
    )

    client = upstream.client_for(studio)
    request = m.TrialOfferLeadCustomerCreationRequest(
        lead_customer_data=data.lead_data(language), trial_offer_config_id=lead.config_id
    )
    try:
        validation = client.validate_for_lead_customer_creation(request).validation_status
    except errors.ApiError as exc:
        if not unanswered(exc):
            return validation_failure(lead, exc)
        error = type(exc).__name__
        logger.info("trial lead pre-check unanswered studio=%s lead=%s error=%s", studio.pk, lead.pk, error)
        validation = "POSSIBLE"  # createLeadCustomer validates too
    if validation == "DUPLICATE_CUSTOMER":
        return _already_member(lead, links)
    if validation != "POSSIBLE":
        return fail(lead, validation)
    return _send_create(studio, client, lead, request, links)


def _send_create(
    studio: Studio,
    client: PerfectGymClient,
    lead: Lead,
    request: m.TrialOfferLeadCustomerCreationRequest,
    links: Links,
) -> Outcome | None:
    # Write-ahead: until the answer is recorded the outcome counts as unknown, so even a crash in
    # between makes the next attempt read (search) before it creates again.
    set_lead(lead, creation=LeadCreation.UNKNOWN)
    try:
        created = client.create_lead_customer(request)
    except errors.OutcomeUnknown:
        return None if reconcile_lead(studio, lead) else unknown(lead, "OUTCOME_UNKNOWN")
    except errors.BadRequest as exc:
        set_lead(lead, creation=LeadCreation.NOT_YET)
        return _create_refused(lead, exc, links)
    except errors.ApiError as exc:
        set_lead(lead, creation=LeadCreation.NOT_YET)
        return upstream_failure(lead, exc)
    if created.lead_customer_id is None:
        # The answer's id is optional in the spec: find the new customer by reading.
        return None if reconcile_lead(studio, lead) else unknown(lead, "OUTCOME_UNKNOWN")
    _lead_created(studio, lead, created.lead_customer_id)
    return None


def _create_refused(lead: Lead, exc: errors.BadRequest, links: Links) -> Outcome:
    if exc.error_code == "errormessage.lead.duplicate":
        return _already_member(lead, links)
    field_name = (exc.reference or "").rpartition(".")[2]
    invalid = exc.error_code == "errormessage.lead.invalid"
    outcome = fail(lead, "INVALID_LEAD_CUSTOMER_DATA" if invalid else "LEAD_REJECTED")
    if field_name:
        outcome.field_errors = {_FORM_FIELDS.get(field_name, field_name): gettext("Please check this entry.")}
    return outcome
