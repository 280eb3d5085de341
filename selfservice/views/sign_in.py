"""Signing in by e-mailed link, the account overview and signing out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.http import StudioRequest, redirect_after, safe_next
from portal.lib.ratelimit import client_ip, hit
from portal.members import sign_in, sign_out, signed_in_customer_id
from portal.studios import studio_or_404
from selfservice import services
from selfservice.forms import SignInForm
from selfservice.views.common import FOUND, error_status, language, render_page, upstream_safe

SIGN_IN_LIMIT_PER_IP = 20
SIGN_IN_LIMIT_PER_ADDRESS = 5
REDEEM_LIMIT_PER_IP = 30


def _home(slug: str) -> str:
    return reverse("selfservice:account", kwargs={"slug": slug})


def _origin(request: StudioRequest) -> str:
    """Where links in e-mails start: the public address, else this request's scheme and host."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


@require_http_methods(["GET", "POST"])
@upstream_safe
def account(request: StudioRequest, slug: str) -> HttpResponse:
    """Signed in: the account overview. Otherwise: the sign-in form (POST asks for a link)."""
    studio = request.studio = studio_or_404(request, slug)
    customer_id = signed_in_customer_id(request, studio)
    if customer_id is not None and request.method == "GET":
        return render(request, "selfservice/account.html", {"account": services.account(studio, customer_id)})
    form = SignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    context: dict[str, Any] = {"form": form, "sent": False, "problem": ""}
    if request.method == "GET":
        return render(request, "selfservice/sign_in.html", context)
    if not form.is_valid():
        return render_page(request, "selfservice/sign_in.html", context, "form", status=422)
    email = form.cleaned_data["email"]
    if not (
        hit("selfservice-signin-ip", client_ip(request), limit=SIGN_IN_LIMIT_PER_IP, window=3600)
        and hit("selfservice-signin-email", email, limit=SIGN_IN_LIMIT_PER_ADDRESS, window=3600)
    ):
        context["problem"] = _("Too many sign-in requests. Please wait an hour and try again.")
        return render_page(request, "selfservice/sign_in.html", context, "form", status=error_status(request, 429))
    next_url = safe_next(request, form.cleaned_data.get("next"), studio_slug=slug, default=_home(slug))
    # The same work for every address: one queued task; the worker searches and sends (or not).
    try:
        services.request_sign_in_link(studio, email, origin=_origin(request), next_url=next_url, language=language())
    except services.Unavailable as failed:  # immediate tasks only: the search has already run, and failed
        context["problem"] = failed.message
        return render_page(request, "selfservice/sign_in.html", context, "form", status=error_status(request, 503))
    context.update(sent=True, email=email)
    return render_page(request, "selfservice/sign_in.html", context, "form")


@require_http_methods(["GET", "POST"])
def sign_in_link(request: StudioRequest, slug: str, token: str) -> HttpResponse:
    """The emailed link: GET only shows a button (mail scanners open links), POST signs in."""
    studio = request.studio = studio_or_404(request, slug)
    next_url = safe_next(request, request.GET.get("next"), studio_slug=slug, default=_home(slug))
    if request.method == "POST":
        if not hit("selfservice-redeem-ip", client_ip(request), limit=REDEEM_LIMIT_PER_IP, window=3600):
            context: dict[str, Any] = {"usable": False, "limited": True}
            return render(request, "selfservice/sign_in_link.html", context, status=error_status(request, 429))
        customer_id = services.redeem_sign_in_token(studio, token)
        if customer_id is not None:
            sign_in(request, studio, customer_id)
            return redirect_after(request, next_url, status=FOUND)
        return render(request, "selfservice/sign_in_link.html", {"usable": False}, status=error_status(request, 410))
    usable = services.sign_in_token_is_usable(studio, token)
    context = {"usable": usable, "next": next_url}
    return render(request, "selfservice/sign_in_link.html", context, status=200 if usable else 410)


@require_POST
def sign_out_view(request: StudioRequest, slug: str) -> HttpResponse:
    studio = request.studio = studio_or_404(request, slug)
    customer_id = signed_in_customer_id(request, studio)
    if customer_id is not None:
        services.record_sign_out(studio, customer_id)
    sign_out(request)
    messages.success(request, _("You are signed out."))
    return redirect_after(request, _home(slug), status=FOUND)
