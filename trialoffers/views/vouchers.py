"""Check-in vouchers: redeem a code, see the access code once."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from portal.http import StudioRequest, redirect_after, template_for
from portal.lib.ratelimit import client_ip
from portal.models import Studio
from portal.pagecache import public_page
from trialoffers import services, tokens
from trialoffers.forms import VoucherForm
from trialoffers.guards import cookieless
from trialoffers.models import VoucherRedemption, VoucherStatus
from trialoffers.outcomes import message as status_message
from trialoffers.views.common import page_context, page_url, problem_page, refused_post, studio_for


# --- Check-in vouchers ----------------------------------------------------------------------------
def _voucher_page(
    request: StudioRequest, studio: Studio, form: VoucherForm, token: str, *, notice: str = "", status: int = 200
) -> HttpResponse:
    context = page_context(
        request,
        studio,
        form=form,
        token=token,
        notice=notice,
        offered=bool(studio.checkin_voucher_online_offer_id),
        voucher_url=reverse("trialoffers:voucher", kwargs={"slug": studio.slug}),
    )
    partial = "voucher-form" if request.method == "POST" else None
    return render(request, template_for(request, "trialoffers/voucher.html", partial), context, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@public_page
@cookieless
def voucher(request: StudioRequest, slug: str) -> HttpResponse:
    studio = studio_for(request, slug)
    if request.method == "GET":
        return _voucher_page(request, studio, VoucherForm(), tokens.voucher_form_token())
    refused = refused_post(request, studio)
    if refused:
        return refused
    form = VoucherForm(request.POST)
    try:
        nonce, expired = tokens.read_voucher_form(request.POST.get("t", ""))
    except tokens.BadToken:
        notice = _("This form was not complete. Please send it again.")
        return _voucher_page(request, studio, form, tokens.voucher_form_token(), notice=notice, status=422)
    if not form.is_valid():
        return _voucher_page(request, studio, form, tokens.voucher_form_token(nonce), status=422)
    if not nonce:
        typed = form.cleaned_data
        fields = (typed["voucher_code"], typed["email"], typed["first_name"], typed["last_name"])
        nonce = tokens.form_nonce(request.POST.get("t", ""), *fields)
    token = tokens.voucher_form_token(nonce)
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
    if outcome.redeemed and outcome.redemption is not None:
        result = tokens.voucher_result_token(outcome.redemption.pk)
        return redirect_after(request, page_url(request, "voucher-result", token=result))
    if outcome.reason == "REDEEMED_WITHOUT_CODE":
        return problem_page(request, studio, outcome.text, status=200)
    return _voucher_page(request, studio, form, token, notice=outcome.text, status=422)


@require_GET
@cookieless
def voucher_result(request: StudioRequest, slug: str, token: str) -> HttpResponse:
    studio = studio_for(request, slug)
    try:
        pk = tokens.read_voucher_result(token)
    except tokens.ExpiredToken:
        text = _("For your security this page is only shown for an hour. Your access code is in the email we sent.")
        return problem_page(request, studio, text, status=410)
    except tokens.BadToken:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=404)
    redemption = VoucherRedemption.objects.filter(pk=pk, studio=studio, status=VoucherStatus.REDEEMED).first()
    code = services.access_code(redemption) if redemption else ""
    if not code:
        return problem_page(request, studio, status_message("LINK_INVALID"), status=404)
    return render(request, "trialoffers/voucher_result.html", page_context(request, studio, access_code=code))
