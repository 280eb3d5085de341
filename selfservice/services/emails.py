"""The workers that send self-service mail (``portal.notifications`` handlers, registered in ``apps.py``).

Each gets ids only, looks up what it needs (a local row, the member's address from the API) and
sends; addresses are never logged.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, reads
from portal.models import Studio, Write
from portal.notifications import EmailDeliveryFailed, person_language, send_email
from portal.perfectgym import errors
from portal.perfectgym import models as m
from portal.services import studio_information
from selfservice.models import OnlineCancelation, SignInRequest, SignInToken
from selfservice.services.amendments import read_contact_data
from selfservice.services.common import actor, send_mail
from selfservice.services.contracts import confirmation_context, customer_read
from selfservice.services.online_cancelation import receipt_context

logger = logging.getLogger("portal.selfservice")


def send_sign_in_link(ids: dict[str, Any], language: str) -> int:
    """Search the customer by the address typed, issue the token, send the link; delete the address."""
    request = SignInRequest.objects.select_related("studio").filter(pk=ids["request"]).first()
    if request is None:  # already answered, or pruned
        return 0
    studio, wanted = request.studio, request.email
    try:
        search = m.CustomerSearchRequest(email=wanted)
        found = reads.call(studio, "searchCustomers", lambda client: client.search_customers(search))
    except errors.ApiError as exc:
        request.delete()
        audit.record(studio, "sign_in_link", actor="anonymous", outcome="search_failed", error=exc, details={})
        raise
    request.delete()
    matches = [c for c in found if (c.email or "").strip().casefold() == wanted.casefold()]
    if len(matches) != 1:
        outcome = "no_match" if not matches else "ambiguous"
        audit.record(studio, "sign_in_link", actor="anonymous", outcome=outcome, details={})
        return 0
    customer = matches[0]
    language = person_language(customer.preferred_language, studio, language)
    path = reverse(
        "selfservice:sign-in-link", kwargs={"slug": studio.slug, "token": SignInToken.issue(studio, customer.id)}
    )
    sent = send_mail(
        [customer.email or wanted],
        gettext_lazy("Your sign-in link"),
        "sign_in_link",
        {
            "link": f"{request.link_base}{path}{request.link_query}",
            "first_name": customer.first_name or "",
            "minutes": 15,
        },
        language=language,
        studio=studio,
    )
    outcome = "sent" if sent else "email_failed"
    audit.record(
        studio, "sign_in_link", actor=actor(customer.id), outcome=outcome, details={"customer_id": customer.id}
    )
    return int(sent)


CONFIRMATION_EMAILS = {
    "cancelation": (gettext_lazy("Your cancelation has been received"), "cancelation"),
    "withdrawal": (gettext_lazy("Your cancelation has been withdrawn"), "withdrawal"),
}


def send_confirmation(ids: dict[str, Any], language: str) -> int:
    """The confirmation of a cancelation or its withdrawal, to the address the studio has on file."""
    request = Write.objects.select_related("studio").filter(pk=ids["request"], state=Write.State.DONE).first()
    if request is None:
        return 0
    studio = request.studio
    subject, template = CONFIRMATION_EMAILS[request.result.get("kind", "cancelation")]
    try:
        email = read_contact_data(studio, int(request.actor.partition(":")[2])).email
    except errors.ApiError as exc:
        logger.warning("confirmation address unreadable request=%s error=%s", request.pk, type(exc).__name__)
        raise
    if not email:
        return 0
    # In the page's language: the member's record (their preferred language) would cost a fourth call.
    context = confirmation_context(studio, request.result)
    return int(send_mail([email], subject, template, context, language=language, studio=studio))


def _studio_email_from_api(studio: Studio) -> list[str]:
    try:
        email = studio_information(studio).email
    except errors.ApiError:
        return []
    return [email] if email else []


def send_studio_email(ids: dict[str, Any], language: str) -> int:
    """A cancelation without login and the notes to the studio (its contact address, else the API's)."""
    record = OnlineCancelation.objects.select_related("studio").filter(pk=ids["cancelation"]).first()
    if record is None:
        return 0
    studio = record.studio
    to = [studio.contact_email] if studio.contact_email else _studio_email_from_api(studio)
    if not to:
        logger.error("online cancelation without studio address reference=%s", record.reference)
        return 0
    context = receipt_context(studio, record)
    try:
        send_email(
            to,
            _("Cancelation without login: please process"),
            "selfservice/online_cancelation_studio",
            {**context, "studio": studio, "note": record.note_for_studio, "record": record},
            language=language,
            reply_to=[record.email],
        )
    except (EmailDeliveryFailed, ValueError):
        logger.error("online cancelation studio email failed reference=%s", record.reference)
        raise
    OnlineCancelation.objects.filter(pk=record.pk).update(studio_emailed=True)
    return 1


def _address_on_file(studio: Studio, record: OnlineCancelation) -> str:
    """The matched customer's address on file ("" when there is none or it cannot be read)."""
    customer_id = record.matched_customer_id
    if customer_id is None:
        return ""
    try:
        customer = reads.read_now(customer_read(studio, customer_id))
    except errors.ApiError as exc:
        logger.warning(
            "receipt: address on file unreadable reference=%s error=%s", record.reference, type(exc).__name__
        )
        return ""
    return (customer.email or "").strip()


def send_receipt(ids: dict[str, Any], language: str) -> int:
    """The receipt of a cancelation without login, to the address given and, if different, the one on file."""
    record = OnlineCancelation.objects.select_related("studio").filter(pk=ids["cancelation"]).first()
    if record is None:
        return 0
    studio = record.studio
    recipients = [record.email]
    on_file = _address_on_file(studio, record)
    if on_file and on_file.casefold() != record.email.casefold():
        recipients.append(on_file)
    context = receipt_context(studio, record)
    sent = 0
    for address in recipients:  # one message each: neither learns the other's address
        try:
            sent += send_email(
                [address],
                cast(str, gettext_lazy("Confirmation of your cancelation")),  # rendered in ``language``
                "selfservice/online_cancelation_receipt",
                {**context, "studio": studio, "to_file_address": address != record.email},
                language=language,
                reply_to=[studio.contact_email] if studio.contact_email else None,
            )
        except (EmailDeliveryFailed, ValueError):
            logger.error("online cancelation receipt failed reference=%s", record.reference)
    return sent
