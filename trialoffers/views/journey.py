"""The trial offer journey: choose an offer, pick a time, tell us about you, confirm, done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import writes
from portal.http import StudioRequest, redirect_after, template_for
from portal.lib.ratelimit import client_ip
from portal.models import Studio
from portal.pagecache import count_hits, public_page
from portal.services import studio_overview
from trialoffers import ics, services, tokens
from trialoffers.forms import HONEYPOT, LeadFields, LeadForm
from trialoffers.guards import cookieless, origin_allowed
from trialoffers.models import BookingStatus, Lead, LeadCreation, TrialBooking
from trialoffers.outcomes import Next, Outcome
from trialoffers.outcomes import message as status_message
from trialoffers.views.common import (
    foreign_post,
    lang_params,
    links_for,
    offer_url,
    page_context,
    page_url,
    parse_day,
    problem_page,
    refused_post,
    studio_for,
)


# --- 1. Choose ------------------------------------------------------------------------------------
@require_GET
@public_page
@cookieless
def offers(request: StudioRequest, slug: str) -> HttpResponse:
    studio = studio_for(request, slug)
    listing = services.list_offers(studio)
    category = request.GET.get("category", "")[:80]
    context = page_context(
        request,
        studio,
        listing=listing,
        category=category,
        offers=[(offer, offer_url(studio, offer.kind, offer.id)) for offer in listing.in_category(category)],
        voucher_url=reverse("trialoffers:voucher", kwargs={"slug": studio.slug}),
    )
    template = template_for(request, "trialoffers/offers.html", "offer-list")
    return render(request, template, context, status=503 if listing.problem else 200)


# --- 2. Pick a time -------------------------------------------------------------------------------
@require_GET
@public_page
@cookieless
def offer(request: StudioRequest, slug: str, kind: str, offer_id: int) -> HttpResponse:
    studio = studio_for(request, slug)
    found, problem = services.find_offer(studio, kind, offer_id)
    if problem:
        return problem_page(request, studio, problem, status=503)
    if found is None:
        return problem_page(request, studio, status_message("CONFIG_UNAVAILABLE"), status=404)
    try:
        nonce = tokens.read_journey(request.GET.get("j", ""), found.key)
    except tokens.BadToken:
        nonce = ""  # the page every visitor shares: the journey starts when a time is picked (register)
    day, week = parse_day(request.GET.get("day", "")), parse_day(request.GET.get("week", ""))
    picker = services.slot_picker(studio, found, nonce, day, week=week)
    context = page_context(request, studio, offer=found, picker=picker, offer_url=offer_url(studio, kind, offer_id))
    page = "trialoffers/offer.html"
    template = template_for(request, page, "slots")
    if template != page:
        return render(request, template, context)
    services.count_offer_view(studio)
    count_hits(request, services.OFFER_VIEW)
    return render(request, page, context, status=503 if picker.problem else 200)


# --- 3 and 4. Tell us about you, book --------------------------------------------------------------
@dataclass
class _Journey:
    """The lead form's state on one request: the chosen time, its fresh token, the form and the lead."""

    choice: tokens.SlotChoice
    token: str
    fields: LeadFields
    form: LeadForm | None
    lead: Lead | None = None

    @property
    def lead_known(self) -> bool:
        return self.lead is not None and self.lead.creation == LeadCreation.CREATED


def _form_page(
    request: StudioRequest, studio: Studio, journey: _Journey, *, notice: str = "", status: int = 200
) -> HttpResponse:
    choice = journey.choice
    context = page_context(
        request,
        studio,
        choice=choice,
        token=journey.token,
        form=journey.form,
        lead=journey.lead,
        notice=notice,
        offer_url=offer_url(studio, choice.kind, choice.offer_id),
        journey=tokens.journey_token(choice.nonce, choice.offer_key),
        register_url=reverse("trialoffers:register", kwargs={"slug": studio.slug}),
        check_url=reverse("trialoffers:check-field", kwargs={"slug": studio.slug}),
    )
    partial = "journey" if request.method == "POST" else None
    return render(request, template_for(request, "trialoffers/register.html", partial), context, status=status)


def _outcome_page(
    request: StudioRequest, studio: Studio, outcome: Outcome, *, kind: str, offer_id: int, nonce: str
) -> HttpResponse:
    """An answer that is not a booking, with its way forward (fresh slots when another time is needed)."""
    picker = None
    found = None
    if outcome.next == Next.PICK_TIME:
        found, _problem_text = services.find_offer(studio, kind, offer_id)
        if found is not None:
            picker = services.slot_picker(studio, found, nonce, None)
    context = page_context(
        request,
        studio,
        outcome=outcome,
        offer=found,
        picker=picker,
        offer_url=offer_url(studio, kind, offer_id),
        offers_url=reverse("trialoffers:offers", kwargs={"slug": studio.slug}),
    )
    partial = "outcome" if request.method == "POST" else None
    return render(request, template_for(request, "trialoffers/outcome.html", partial), context)


def _read_choice(
    request: StudioRequest, studio: Studio, token: str
) -> tuple[tokens.SlotChoice, LeadFields, bool] | HttpResponse:
    """(choice, the lead form's fields, expired), or the page that says what is wrong."""
    try:
        choice, expired = tokens.read_slot(token)
    except tokens.BadToken:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=400)
    try:
        fields = services.lead_fields(studio, choice.config_id)
    except services.ConfigUnavailable as exc:
        return problem_page(request, studio, exc.message, status=404 if exc.missing else 503)
    return choice, fields, expired


@csrf_exempt
@require_http_methods(["GET", "POST"])
@cookieless
def register(request: StudioRequest, slug: str) -> HttpResponse:
    studio = studio_for(request, slug)
    found = _read_choice(request, studio, (request.POST if request.method == "POST" else request.GET).get("t", ""))
    if isinstance(found, HttpResponse):
        return found
    choice, fields, expired = found
    if not choice.nonce:
        # A time picked on the shared offer page: this visitor's journey starts here, at an address of its own
        # (a reload or the back button keeps the journey).
        choice = tokens.with_nonce(choice)
        if request.method == "GET":
            register_url = reverse("trialoffers:register", kwargs={"slug": studio.slug})
            token = urlencode({"t": tokens.slot_token(choice)})
            return redirect_after(request, f"{register_url}?{token}{lang_params(request)['lang_amp']}")
    lead = services.journey_lead(studio, choice.nonce)
    if services.answered_by_email(lead):
        return redirect_after(request, page_url(request, "sent"))
    # A fresh token: the form may be sent hours after the time was picked.
    journey = _Journey(choice, tokens.slot_token(choice), fields, None, lead)

    if request.method == "GET":
        services.count_form_started(studio, choice.nonce)
        journey.form = None if journey.lead_known else LeadForm(lead_config=fields)
        return _form_page(request, studio, journey)

    refused = refused_post(request, studio)
    if refused:
        return refused
    journey.form = None if journey.lead_known else LeadForm(request.POST, lead_config=fields)
    if journey.form is not None and not journey.form.is_valid():
        return _form_page(request, studio, journey, status=422)
    if expired:
        notice = _("This page was open for a long time. Please check your time and send the form again.")
        return _form_page(request, studio, journey, notice=notice, status=422)

    outcome = services.book_trial(
        studio,
        choice,
        services.LeadInput.from_form(journey.form.cleaned_data) if journey.form is not None else None,
        client_ip=client_ip(request),
        language=translation.get_language(),
        links=links_for(request),
    )
    return _answer(request, studio, journey, outcome)


def _answer(request: StudioRequest, studio: Studio, journey: _Journey, outcome: Outcome) -> HttpResponse:
    """Show what booking answered: the booking, the form again, or the way forward.

    A form with new details ends on the same "check your e-mail" page whether the address is new (the e-mail
    has the booking) or a customer's (the e-mail says to sign in): the page must not tell who is a customer.
    A journey whose lead exists already (another time after a refusal) shows its booking at once.
    """
    choice = journey.choice
    if outcome.next == Next.DONE and journey.form is None and outcome.booking is not None:
        return redirect_after(request, page_url(request, "done", token=tokens.done_token(outcome.booking.pk)))
    if outcome.next in (Next.DONE, Next.CHECK_EMAIL):
        return redirect_after(request, page_url(request, "sent"))
    if outcome.next == Next.IN_PROGRESS:
        return redirect_after(
            request, page_url(request, "status", token=tokens.journey_token(choice.nonce, choice.offer_key))
        )
    if outcome.next in (Next.FIX_FORM, Next.TRY_AGAIN, Next.CHECK_AGAIN):
        journey.lead = services.journey_lead(studio, choice.nonce)
        if journey.form is None and not journey.lead_known:
            journey.form = LeadForm(lead_config=journey.fields)
        for name, error in outcome.field_errors.items():
            if journey.form is not None and name in journey.form.fields:
                journey.form.add_error(name, error)
        return _form_page(request, studio, journey, notice=outcome.text, status=422)
    return _outcome_page(request, studio, outcome, kind=choice.kind, offer_id=choice.offer_id, nonce=choice.nonce)


@csrf_exempt
@require_POST
@cookieless
def check_field(request: StudioRequest, slug: str) -> HttpResponse:
    """Inline validation of one field while the visitor fills in the form (htmx); nothing is stored."""
    studio = studio_for(request, slug)
    found = _read_choice(request, studio, request.POST.get("t") or request.GET.get("t", ""))
    if isinstance(found, HttpResponse):
        return HttpResponse(status=204)
    if not origin_allowed(request, studio):
        return HttpResponse(status=403)
    _choice, fields, _expired = found
    form = LeadForm(request.POST, lead_config=fields)
    name = request.GET.get("field", "")
    if name not in form.fields or name == HONEYPOT:
        return HttpResponse(status=204)
    form.is_valid()
    check_url = reverse("trialoffers:check-field", kwargs={"slug": studio.slug})
    context = page_context(request, studio, field=form[name], check_url=check_url)
    return render(request, "trialoffers/register.html#field", context)


@require_GET
@cookieless
def journey_status(request: StudioRequest, slug: str, token: str) -> HttpResponse:
    """Where a journey stands, for the visitor whose second click met the first one still working."""
    studio = studio_for(request, slug)
    try:
        nonce = tokens.read_journey(token)
    except tokens.BadToken:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=400)
    lead = services.journey_lead(studio, nonce)
    if lead is None:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=404)
    if services.answered_by_email(lead):
        return redirect_after(request, page_url(request, "sent"))
    if services.journey_busy(studio, nonce):
        message = _("We are booking your trial session. This page updates itself in a moment.")
        return writes.pending_response(request, request.get_full_path(), message)
    if request.htmx:  # the waiting page polled: the journey is settled, show its page in full
        return redirect_after(request, request.get_full_path())
    outcome = Outcome.of(lead.failure_reason or "OUTCOME_UNKNOWN")
    return _outcome_page(request, studio, outcome, kind=lead.offer_kind, offer_id=lead.offer_id, nonce=nonce)


@require_GET
@cookieless
def sent(request: StudioRequest, slug: str) -> HttpResponse:
    """After the lead form: the same page for everybody; the e-mail carries the booking or the way to sign in."""
    studio = studio_for(request, slug)
    context = page_context(request, studio, overview=studio_overview(studio))
    return render(request, "trialoffers/sent.html", context)


# --- 5. Confirm when required -----------------------------------------------------------------------
@csrf_exempt
@require_http_methods(["GET", "POST"])
@cookieless
def confirm(request: StudioRequest, slug: str, token: str) -> HttpResponse:
    """GET shows one button; only its POST confirms (link scanners only GET)."""
    studio = studio_for(request, slug)
    try:
        booking_pk, deadline_ts = tokens.read_confirm(token)
    except tokens.BadToken:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=400)
    booking = TrialBooking.objects.filter(pk=booking_pk, lead__studio=studio).select_related("lead").first()
    if booking is None:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=404)
    deadline = datetime.fromtimestamp(deadline_ts, UTC)
    outcome = None
    if request.method == "POST":
        refused = foreign_post(request, studio)
        if refused:
            return refused
        outcome = services.confirm_booking(studio, booking, deadline, links_for(request))
        if outcome.reason in ("CONFIRMED", "EXPIRED"):
            return redirect_after(request, request.get_full_path())
        booking.refresh_from_db()
    overview = studio_overview(studio)
    confirmed = booking.status in (BookingStatus.CONFIRMED, BookingStatus.BOOKED)
    expired = booking.status == BookingStatus.EXPIRED or (
        booking.status == BookingStatus.CONFIRMATION_PENDING and timezone.now() > deadline
    )
    context = page_context(
        request,
        studio,
        booking=booking,
        place=services.place_lines(studio, booking, overview),
        deadline=deadline,
        outcome=outcome,
        confirmed=confirmed,
        expired=expired,
        can_confirm=booking.status == BookingStatus.CONFIRMATION_PENDING and not expired,
        done_url=page_url(request, "done", token=tokens.done_token(booking.pk)),
        offer_url=offer_url(studio, booking.kind, booking.offer_id),
        confirmed_text=status_message("CONFIRMED"),
        expired_text=status_message("EXPIRED"),
    )
    return render(request, "trialoffers/confirm.html", context, status=200)


# --- 6. Done ------------------------------------------------------------------------------------------
def _booking_from(studio: Studio, token: str) -> TrialBooking | None:
    try:
        pk = tokens.read_done(token)
    except tokens.BadToken:
        return None
    return TrialBooking.objects.filter(pk=pk, lead__studio=studio).select_related("lead").first()


# The sentence the booking page shows for each status a booking can have there.
_DONE_TEXT: dict[str, str] = {
    BookingStatus.BOOKED: "BOOKED",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.CONFIRMATION_PENDING: "BOOKED_WITH_CONFIRMATION_REQUIRED",
    BookingStatus.WAITING_LIST: "WAITING_LIST",
    BookingStatus.EXPIRED: "EXPIRED",
}


@require_GET
@cookieless
def done(request: StudioRequest, slug: str, token: str) -> HttpResponse:
    studio = studio_for(request, slug)
    booking = _booking_from(studio, token)
    if booking is None:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=404)
    overview = studio_overview(studio)
    context = page_context(
        request,
        studio,
        booking=booking,
        overview=overview,
        place=services.place_lines(studio, booking, overview),
        calendar_url=reverse("trialoffers:calendar", kwargs={"slug": studio.slug, "token": token}),
        offers_url=reverse("trialoffers:offers", kwargs={"slug": studio.slug}),
        status_text=status_message(_DONE_TEXT[booking.status]) if booking.status in _DONE_TEXT else "",
    )
    return render(request, "trialoffers/done.html", context)


@require_GET
@cookieless
def calendar(request: StudioRequest, slug: str, token: str) -> HttpResponse:
    """The booking as an .ics file, for booked and confirmed bookings only."""
    studio = studio_for(request, slug)
    booking = _booking_from(studio, token)
    if booking is None or booking.status not in (BookingStatus.BOOKED, BookingStatus.CONFIRMED):
        return problem_page(request, studio, status_message("LINK_INVALID"), status=404)
    body = ics.booking_calendar(studio, booking, request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trial.ics"'
    return response
