"""The trial offer journey and check-in vouchers: thin views over ``trialoffers.services``.

Every page here works without cookies and without JavaScript (state travels in signed tokens, see
tokens.py); POSTs are ``csrf_exempt`` and checked by token plus Origin instead (guards.py). With
htmx, day switching swaps only the slot list and forms swap only themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.lib.ratelimit import client_ip
from portal.models import Studio
from portal.perfectgym import errors
from portal.services import studio_overview
from portal.studios import studio_or_404
from portal.user_messages import message_for
from trialoffers import ics, services, tokens
from trialoffers.forms import HONEYPOT, LeadForm, VoucherForm
from trialoffers.guards import cookieless, origin_allowed
from trialoffers.models import BookingStatus, LeadCreation, TrialBooking, VoucherRedemption, VoucherStatus
from trialoffers.outcomes import Next, Outcome
from trialoffers.outcomes import message as status_message


# --- Helpers --------------------------------------------------------------------------------------
def _studio(request: HttpRequest, slug: str) -> Studio:
    studio = studio_or_404(request, slug)
    request.studio = studio  # the embed headers (guards.embeddable) read it
    return studio


def _lang(request: HttpRequest) -> dict[str, str]:
    """Without cookies an explicit ?lang= would be forgotten on the next page: links carry it on."""
    asked = request.GET.get("lang", "")[:5].lower()
    if asked not in {code for code, _name in settings.LANGUAGES}:
        return {"lang_q": "", "lang_amp": ""}
    return {"lang_q": f"?lang={asked}", "lang_amp": f"&lang={asked}"}


def _context(request: HttpRequest, studio: Studio, **extra) -> dict:
    return {"studio": studio, **_lang(request), **extra}


def _links(request: HttpRequest) -> services.Links:
    return services.Links(settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/"))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get; with htmx a full page load of ``url``."""
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url, status=303)


def _problem(request: HttpRequest, studio: Studio, text: str, *, status: int) -> HttpResponse:
    return render(request, "trialoffers/problem.html", _context(request, studio, text=text), status=status)


def offer_url(studio: Studio, kind: str, offer_id: int) -> str:
    return reverse(f"trialoffers:{kind}", kwargs={"slug": studio.slug, "offer_id": offer_id})


def _done_url(studio: Studio, booking: TrialBooking, request: HttpRequest) -> str:
    url = reverse("trialoffers:done", kwargs={"slug": studio.slug, "token": tokens.done_token(booking.pk)})
    return url + _lang(request)["lang_q"]


def _sent_url(studio: Studio, request: HttpRequest) -> str:
    """Where every sent lead form ends, new lead or existing customer alike: "please check your e-mail"."""
    return reverse("trialoffers:sent", kwargs={"slug": studio.slug}) + _lang(request)["lang_q"]


def _answered_by_email(lead) -> bool:
    """The journey's answer is in the visitor's mailbox: a booking, or (existing customer) the way to sign in."""
    return lead is not None and (lead.held_booking() is not None or lead.failure_reason == "DUPLICATE_CUSTOMER")


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


# --- 1. Choose ------------------------------------------------------------------------------------
@require_GET
@cookieless
def offers(request: HttpRequest, slug: str) -> HttpResponse:
    studio = _studio(request, slug)
    listing = services.list_offers(studio)
    category = request.GET.get("category", "")[:80]
    context = _context(
        request,
        studio,
        listing=listing,
        category=category,
        offers=[(offer, offer_url(studio, offer.kind, offer.id)) for offer in listing.in_category(category)],
        voucher_url=reverse("trialoffers:voucher", kwargs={"slug": studio.slug}),
    )
    template = "trialoffers/offers.html#offer-list" if request.htmx else "trialoffers/offers.html"
    return render(request, template, context, status=503 if listing.problem else 200)


# --- 2. Pick a time -------------------------------------------------------------------------------
@require_GET
@cookieless
def offer(request: HttpRequest, slug: str, kind: str, offer_id: int) -> HttpResponse:
    studio = _studio(request, slug)
    found, problem = services.find_offer(studio, kind, offer_id)
    if problem:
        return _problem(request, studio, problem, status=503)
    if found is None:
        return _problem(request, studio, status_message("CONFIG_UNAVAILABLE"), status=404)
    try:
        nonce = tokens.read_journey(request.GET.get("j", ""), found.key)
    except tokens.BadToken:
        nonce = tokens.new_nonce()
    day, week = _parse_day(request.GET.get("day", "")), _parse_day(request.GET.get("week", ""))
    picker = services.slot_picker(studio, found, nonce, day, week=week)
    context = _context(request, studio, offer=found, picker=picker, offer_url=offer_url(studio, kind, offer_id))
    if request.htmx:
        return render(request, "trialoffers/offer.html#slots", context)
    services.count_offer_view(studio)
    return render(request, "trialoffers/offer.html", context, status=503 if picker.problem else 200)


# --- 3 and 4. Tell us about you, book --------------------------------------------------------------
def _form_page(
    request: HttpRequest,
    studio: Studio,
    choice: tokens.SlotChoice,
    token: str,
    form: LeadForm | None,
    *,
    lead=None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        studio,
        choice=choice,
        token=token,
        form=form,
        lead=lead,
        notice=notice,
        offer_url=offer_url(studio, choice.kind, choice.offer_id),
        journey=tokens.journey_token(choice.nonce, choice.offer_key),
        register_url=reverse("trialoffers:register", kwargs={"slug": studio.slug}),
        check_url=reverse("trialoffers:check-field", kwargs={"slug": studio.slug}),
    )
    template = "trialoffers/register.html#journey" if request.htmx and request.method == "POST" else None
    return render(request, template or "trialoffers/register.html", context, status=status)


def _outcome_page(request: HttpRequest, studio: Studio, outcome: Outcome, *, kind: str, offer_id: int, nonce: str):
    """An answer that is not a booking, with its way forward (fresh slots when another time is needed)."""
    picker = None
    found = None
    if outcome.next == Next.PICK_TIME:
        found, _problem_text = services.find_offer(studio, kind, offer_id)
        if found is not None:
            picker = services.slot_picker(studio, found, nonce, None)
    context = _context(
        request,
        studio,
        outcome=outcome,
        offer=found,
        picker=picker,
        offer_url=offer_url(studio, kind, offer_id),
        offers_url=reverse("trialoffers:offers", kwargs={"slug": studio.slug}),
        sign_in_url=reverse("studio-home", kwargs={"slug": studio.slug}) + "account/",
    )
    template = "trialoffers/outcome.html#outcome" if request.htmx and request.method == "POST" else None
    return render(request, template or "trialoffers/outcome.html", context)


def _read_choice(request: HttpRequest, studio: Studio, token: str):
    """((choice, config), expired, None) or (None, False, the page that says what is wrong)."""
    try:
        choice, expired = tokens.read_slot(token)
    except tokens.BadToken:
        return None, False, _problem(request, studio, status_message("LINK_INVALID"), status=400)
    try:
        config = services.trial_config(studio, choice.config_id)
    except errors.NotFound:
        return None, False, _problem(request, studio, status_message("CONFIG_UNAVAILABLE"), status=404)
    except errors.ApiError as exc:
        return None, False, _problem(request, studio, message_for(exc), status=503)
    return (choice, config), expired, None


@csrf_exempt
@require_http_methods(["GET", "POST"])
@cookieless
def register(request: HttpRequest, slug: str) -> HttpResponse:
    studio = _studio(request, slug)
    token = (request.POST if request.method == "POST" else request.GET).get("t", "")
    found, expired, problem = _read_choice(request, studio, token)
    if problem:
        return problem
    choice, config = found
    lead = services.journey_lead(studio, choice.nonce)
    if _answered_by_email(lead):
        return _redirect(request, _sent_url(studio, request))
    known = lead is not None and lead.creation == LeadCreation.CREATED
    token = tokens.slot_token(choice)  # fresh: the form may be sent hours after the time was picked

    if request.method == "GET":
        services.count_form_started(studio, choice.nonce)
        form = None if known else LeadForm(lead_config=config.lead_data_config)
        return _form_page(request, studio, choice, token, form, lead=lead)

    if not origin_allowed(request, studio):
        return _problem(request, studio, _("This form may only be sent from the studio's own pages."), status=403)
    if request.POST.get(HONEYPOT):
        return _problem(request, studio, _("Your request could not be processed."), status=400)
    form = None if known else LeadForm(request.POST, lead_config=config.lead_data_config)
    if form is not None and not form.is_valid():
        return _form_page(request, studio, choice, token, form, lead=lead, status=422)
    if expired:
        notice = _("This page was open for a long time. Please check your time and send the form again.")
        return _form_page(request, studio, choice, token, form, lead=lead, notice=notice, status=422)

    outcome = services.book_trial(
        studio,
        choice,
        services.LeadInput.from_form(form.cleaned_data) if form is not None else None,
        client_ip=client_ip(request),
        language=translation.get_language(),
        links=_links(request),
    )
    return _answer(request, studio, choice, token, form, outcome, config=config)


def _answer(request, studio, choice, token, form, outcome: Outcome, *, config) -> HttpResponse:
    """Show what booking answered: the booking, the form again, or the way forward.

    A form with new details ends on the same "check your e-mail" page whether the address is new (the e-mail
    has the booking) or a customer's (the e-mail says to sign in): the page must not tell who is a customer.
    A journey whose lead exists already (another time after a refusal) shows its booking at once.
    """
    if outcome.next == Next.DONE and form is None:
        return _redirect(request, _done_url(studio, outcome.booking, request))
    if outcome.next in (Next.DONE, Next.CHECK_EMAIL):
        return _redirect(request, _sent_url(studio, request))
    if outcome.next == Next.IN_PROGRESS:
        journey = tokens.journey_token(choice.nonce, choice.offer_key)
        url = reverse("trialoffers:status", kwargs={"slug": studio.slug, "token": journey})
        return _redirect(request, url + _lang(request)["lang_q"])
    if outcome.next in (Next.FIX_FORM, Next.TRY_AGAIN, Next.CHECK_AGAIN):
        lead = services.journey_lead(studio, choice.nonce)
        if form is None and not (lead and lead.creation == LeadCreation.CREATED):
            form = LeadForm(lead_config=config.lead_data_config)
        for name, error in outcome.field_errors.items():
            if form is not None and name in form.fields:
                form.add_error(name, error)
        return _form_page(request, studio, choice, token, form, lead=lead, notice=outcome.text, status=422)
    return _outcome_page(request, studio, outcome, kind=choice.kind, offer_id=choice.offer_id, nonce=choice.nonce)


@csrf_exempt
@require_POST
@cookieless
def check_field(request: HttpRequest, slug: str) -> HttpResponse:
    """Inline validation of one field while the visitor fills in the form (htmx); nothing is stored."""
    studio = _studio(request, slug)
    found, _expired, problem = _read_choice(request, studio, request.POST.get("t") or request.GET.get("t", ""))
    if problem:
        return HttpResponse(status=204)
    if not origin_allowed(request, studio):
        return HttpResponse(status=403)
    _choice, config = found
    form = LeadForm(request.POST, lead_config=config.lead_data_config)
    name = request.GET.get("field", "")
    if name not in form.fields or name == HONEYPOT:
        return HttpResponse(status=204)
    form.is_valid()
    check_url = reverse("trialoffers:check-field", kwargs={"slug": studio.slug})
    context = _context(request, studio, field=form[name], check_url=check_url)
    return render(request, "trialoffers/register.html#field", context)


@require_GET
@cookieless
def journey_status(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Where a journey stands, for the visitor whose second click met the first one still working."""
    studio = _studio(request, slug)
    try:
        nonce = tokens.read_journey(token)
    except tokens.BadToken:
        return _problem(request, studio, status_message("LINK_INVALID"), status=400)
    lead = services.journey_lead(studio, nonce)
    if lead is None:
        return _problem(request, studio, status_message("LINK_INVALID"), status=404)
    if _answered_by_email(lead):
        return _redirect(request, _sent_url(studio, request))
    if services.journey_busy(studio, nonce):
        return render(request, "trialoffers/processing.html", _context(request, studio, refresh_url=request.path))
    outcome = Outcome.of(lead.failure_reason or "OUTCOME_UNKNOWN")
    return _outcome_page(request, studio, outcome, kind=lead.offer_kind, offer_id=lead.offer_id, nonce=nonce)


@require_GET
@cookieless
def sent(request: HttpRequest, slug: str) -> HttpResponse:
    """After the lead form: the same page for everybody; the e-mail carries the booking or the way to sign in."""
    studio = _studio(request, slug)
    context = _context(request, studio, overview=studio_overview(studio))
    return render(request, "trialoffers/sent.html", context)


# --- 5. Confirm when required -----------------------------------------------------------------------
@csrf_exempt
@require_http_methods(["GET", "POST"])
@cookieless
def confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET shows one button; only its POST confirms (link scanners only GET)."""
    studio = _studio(request, slug)
    try:
        booking_pk, deadline_ts = tokens.read_confirm(token)
    except tokens.BadToken:
        return _problem(request, studio, status_message("LINK_INVALID"), status=400)
    booking = TrialBooking.objects.filter(pk=booking_pk, lead__studio=studio).select_related("lead").first()
    if booking is None:
        return _problem(request, studio, status_message("LINK_INVALID"), status=404)
    deadline = datetime.fromtimestamp(deadline_ts, UTC)
    outcome = None
    if request.method == "POST":
        if not origin_allowed(request, studio):
            return _problem(request, studio, _("This form may only be sent from the studio's own pages."), status=403)
        outcome = services.confirm_booking(studio, booking, deadline, _links(request))
        if outcome.reason in ("CONFIRMED", "EXPIRED"):
            return HttpResponseRedirect(request.get_full_path(), status=303)
        booking.refresh_from_db()
    overview = studio_overview(studio)
    confirmed = booking.status in (BookingStatus.CONFIRMED, BookingStatus.BOOKED)
    expired = booking.status == BookingStatus.EXPIRED or (
        booking.status == BookingStatus.CONFIRMATION_PENDING and timezone.now() > deadline
    )
    context = _context(
        request,
        studio,
        booking=booking,
        place=services.place_lines(studio, booking, overview),
        deadline=deadline,
        outcome=outcome,
        confirmed=confirmed,
        expired=expired,
        can_confirm=booking.status == BookingStatus.CONFIRMATION_PENDING and not expired,
        done_url=_done_url(studio, booking, request),
        offer_url=offer_url(studio, booking.kind, booking.offer_id),
        confirmed_text=status_message("CONFIRMED"),
        expired_text=status_message("EXPIRED"),
    )
    return render(request, "trialoffers/confirm.html", context, status=200)


# --- 6. Done ------------------------------------------------------------------------------------------
def _booking_from(request: HttpRequest, studio: Studio, token: str) -> TrialBooking | None:
    try:
        pk = tokens.read_done(token)
    except tokens.BadToken:
        return None
    return TrialBooking.objects.filter(pk=pk, lead__studio=studio).select_related("lead").first()


@require_GET
@cookieless
def done(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    studio = _studio(request, slug)
    booking = _booking_from(request, studio, token)
    if booking is None:
        return _problem(request, studio, status_message("LINK_INVALID"), status=404)
    overview = studio_overview(studio)
    context = _context(
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


_DONE_TEXT = {
    BookingStatus.BOOKED: "BOOKED",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.CONFIRMATION_PENDING: "BOOKED_WITH_CONFIRMATION_REQUIRED",
    BookingStatus.WAITING_LIST: "WAITING_LIST",
    BookingStatus.EXPIRED: "EXPIRED",
}


@require_GET
@cookieless
def calendar(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The booking as an .ics file, for booked and confirmed bookings only."""
    studio = _studio(request, slug)
    booking = _booking_from(request, studio, token)
    if booking is None or booking.status not in (BookingStatus.BOOKED, BookingStatus.CONFIRMED):
        return _problem(request, studio, status_message("LINK_INVALID"), status=404)
    overview = studio_overview(studio)
    description = [booking.offer_title]
    if booking.instructors:
        description.append(_("With %(names)s") % {"names": booking.instructors})
    if studio.trial_what_to_bring:
        description.append(_("What to bring: %(things)s") % {"things": studio.trial_what_to_bring})
    info = overview.information
    contact = [value for value in (info.telephone if info else "", studio.contact_email) if value]
    if contact:
        description.append(_("Contact: %(contact)s") % {"contact": ", ".join(contact)})
    body = ics.calendar_file(
        uid=f"trial-{booking.booking_id or booking.pk}-{studio.slug}@{request.get_host()}",
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        summary=f"{booking.offer_title} ({studio.name})",
        location=", ".join(services.place_lines(studio, booking, overview)),
        description="\n".join(description),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trial.ics"'
    return response


# --- Check-in vouchers ----------------------------------------------------------------------------
def _voucher_page(request, studio, form, token, *, notice="", status=200) -> HttpResponse:
    context = _context(
        request,
        studio,
        form=form,
        token=token,
        notice=notice,
        offered=bool(studio.checkin_voucher_online_offer_id),
        voucher_url=reverse("trialoffers:voucher", kwargs={"slug": studio.slug}),
    )
    template = "trialoffers/voucher.html#voucher-form" if request.htmx and request.method == "POST" else None
    return render(request, template or "trialoffers/voucher.html", context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@cookieless
def voucher(request: HttpRequest, slug: str) -> HttpResponse:
    studio = _studio(request, slug)
    if request.method == "GET":
        return _voucher_page(request, studio, VoucherForm(), tokens.voucher_form_token(tokens.new_nonce()))
    if not origin_allowed(request, studio):
        return _problem(request, studio, _("This form may only be sent from the studio's own pages."), status=403)
    if request.POST.get(HONEYPOT):
        return _problem(request, studio, _("Your request could not be processed."), status=400)
    form = VoucherForm(request.POST)
    try:
        nonce, expired = tokens.read_voucher_form(request.POST.get("t", ""))
    except tokens.BadToken:
        notice = _("This form was not complete. Please send it again.")
        return _voucher_page(
            request, studio, form, tokens.voucher_form_token(tokens.new_nonce()), notice=notice, status=422
        )
    token = tokens.voucher_form_token(nonce)
    if not form.is_valid():
        return _voucher_page(request, studio, form, token, status=422)
    if expired:
        notice = _("This page was open for a long time. Please check your entries and send the form again.")
        return _voucher_page(request, studio, form, token, notice=notice, status=422)
    outcome = services.redeem_voucher(
        studio,
        nonce,
        code=form.cleaned_data["voucher_code"],
        first_name=form.cleaned_data["first_name"],
        last_name=form.cleaned_data["last_name"],
        email=form.cleaned_data["email"],
        client_ip=client_ip(request),
        language=translation.get_language(),
    )
    if outcome.in_progress:
        notice = _("Your voucher is being redeemed right now. Please wait a moment and send the form again.")
        return _voucher_page(request, studio, form, token, notice=notice, status=422)
    if outcome.redeemed:
        url = reverse(
            "trialoffers:voucher-result",
            kwargs={"slug": studio.slug, "token": tokens.voucher_result_token(outcome.redemption.pk)},
        )
        return _redirect(request, url + _lang(request)["lang_q"])
    if outcome.reason == "REDEEMED_WITHOUT_CODE":
        return _problem(request, studio, outcome.text, status=200)
    return _voucher_page(request, studio, form, token, notice=outcome.text, status=422)


@require_GET
@cookieless
def voucher_result(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    studio = _studio(request, slug)
    try:
        pk = tokens.read_voucher_result(token)
    except tokens.ExpiredToken:
        text = _("For your security this page is only shown for an hour. Your access code is in the email we sent.")
        return _problem(request, studio, text, status=410)
    except tokens.BadToken:
        return _problem(request, studio, status_message("LINK_INVALID"), status=404)
    redemption = VoucherRedemption.objects.filter(pk=pk, studio=studio, status=VoucherStatus.REDEEMED).first()
    code = services.access_code(redemption) if redemption else ""
    if not code:
        return _problem(request, studio, status_message("LINK_INVALID"), status=404)
    return render(request, "trialoffers/voucher_result.html", _context(request, studio, access_code=code))
