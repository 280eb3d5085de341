"""The journey's e-mails: queued by the services (``portal.notifications``), sent by the worker's handlers.

The handlers (registered in ``TrialoffersConfig.ready``) get ids only and read the rows themselves,
so no address or link reaches the task table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Studio
from portal.notifications import EmailDeliveryFailed, Ids, failed, notify, send_email
from portal.services import StudioOverview, studio_overview
from trialoffers import tokens
from trialoffers.models import Lead, TrialBooking

logger = logging.getLogger("portal.trialoffers")

# Message kinds (``portal.notifications``), registered in ``TrialoffersConfig.ready``.
BOOKING_EMAIL = "trialoffers.booking"
VOUCHER_EMAIL = "trialoffers.voucher"
ALREADY_MEMBER_EMAIL = "trialoffers.already_member"

EMAIL_SUBJECTS = {
    "booked": _("Your trial session is booked"),
    "confirm": _("Please confirm your trial session"),
    "waiting_list": _("You are on the waiting list"),
}


@dataclass(frozen=True)
class Links:
    """Absolute addresses for e-mails (the request's own host, or PUBLIC_BASE_URL)."""

    base_url: str

    def absolute(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"


def row_id(ids: Ids, name: str) -> int:
    """The primary key a message names (0, which no row has, when it names none)."""
    return int(ids.get(name) or 0)


def with_language(url: str, language: str) -> str:
    """Pages opened from an e-mail carry the lead's language (they work without cookies)."""
    return f"{url}?lang={language}"


def booking_links(studio: Studio, booking: TrialBooking, links: Links) -> dict[str, str]:
    """The e-mail's links, in the lead's language (the pages they open must not fall back to another)."""
    token = tokens.done_token(booking.pk)
    urls = {
        "done_url": reverse("trialoffers:done", kwargs={"slug": studio.slug, "token": token}),
        "calendar_url": reverse("trialoffers:calendar", kwargs={"slug": studio.slug, "token": token}),
    }
    if booking.confirm_by:
        confirm = tokens.confirm_token(booking.pk, booking.confirm_by)
        urls["confirm_url"] = reverse("trialoffers:confirm", kwargs={"slug": studio.slug, "token": confirm})
    return {name: links.absolute(with_language(url, booking.lead.language)) for name, url in urls.items()}


def send_booking_email(studio: Studio, booking: TrialBooking, template: str, links: Links) -> bool:
    """Queue one of the booking e-mails in the lead's language; True when it was queued (or sent).

    ``email_sent_at`` is set when queued (the done page says an e-mail is on its way); the worker
    clears it again if sending fails.
    """
    lead = booking.lead
    if not lead.email:
        return False
    now = timezone.now()
    TrialBooking.objects.filter(pk=booking.pk).update(email_sent_at=now)
    result = notify(
        BOOKING_EMAIL,
        {"booking": booking.pk, "template": template, "base_url": links.base_url},
        language=lead.language,
    )
    sent = not failed(result)
    booking.email_sent_at = now if sent else None
    logger.info("trial email template=%s booking=%s failed=%s", template, booking.pk, not sent)
    return sent


def studio_reply_to(studio: Studio) -> list[str] | None:
    return [studio.contact_email] if studio.contact_email else None


def send_booking_message(ids: Ids, language: str) -> int:
    """Worker: a booking e-mail, built from the booking and lead rows."""
    booking = TrialBooking.objects.select_related("lead", "lead__studio").filter(pk=row_id(ids, "booking")).first()
    if booking is None or not booking.lead.email:
        return 0
    lead, studio, template = booking.lead, booking.lead.studio, str(ids["template"])
    overview = studio_overview(studio)
    context = {
        "studio": studio,
        "booking": booking,
        "first_name": lead.first_name,
        "overview": overview,
        "place": place_lines(studio, booking, overview),
        **booking_links(studio, booking, Links(str(ids["base_url"]))),
    }
    try:
        # The handler runs in ``language`` (``portal.notifications``): the subject is translated here.
        subject = str(EMAIL_SUBJECTS[template])
        return send_email(
            [lead.email],
            subject,
            f"trialoffers/{template}",
            context,
            language=language,
            reply_to=studio_reply_to(studio),
        )
    except EmailDeliveryFailed:
        TrialBooking.objects.filter(pk=booking.pk).update(email_sent_at=None)
        raise


def send_already_member_message(ids: Ids, language: str) -> int:
    """Worker: the trial form was sent with an existing customer's address; tell its owner, not the page."""
    lead = Lead.objects.select_related("studio").filter(pk=row_id(ids, "lead")).first()
    if lead is None or not lead.email:
        return 0
    studio = lead.studio
    sign_in = with_language(reverse("selfservice:account", kwargs={"slug": studio.slug}), language)
    return send_email(
        [lead.email],
        _("You are already a member of %(studio)s") % {"studio": studio.name},
        "trialoffers/already_member",
        {"studio": studio, "first_name": lead.first_name, "sign_in_url": Links(str(ids["base_url"])).absolute(sign_in)},
        language=language,
        reply_to=studio_reply_to(studio),
    )


def place_lines(studio: Studio, booking: TrialBooking, overview: StudioOverview | None) -> list[str]:
    """Where the trial takes place: the room (classes), the studio's name and address."""
    lines = [booking.location] if booking.location else []
    info = overview.information if overview else None
    lines.append((info.name if info and info.name else None) or studio.name)
    lines.extend(overview.address_lines if overview else [])
    return lines
