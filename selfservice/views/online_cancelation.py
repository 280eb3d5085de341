"""Cancelation without login (§312k BGB): a page without cookies, protected by a signed form token."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.http import StudioRequest
from portal.lib.ratelimit import client_ip, hit
from portal.models import Studio
from portal.pagecache import public_page
from portal.studios import studio_or_404
from selfservice.forms import OnlineCancelationForm
from selfservice.services import online_cancelation as online
from selfservice.views.common import language

FORM_TOKEN_SALT = "selfservice.online-cancelation"
FORM_TOKEN_MAX_AGE = 24 * 3600
ONLINE_CANCEL_LIMIT_PER_IP = 10
ONLINE_CANCEL_LIMIT_PER_ADDRESS = 5


def _form_token(studio: Studio) -> str:
    """Stands in for the CSRF cookie: signed and bound to the studio. It names no visitor: the page is the
    same for everybody (``portal.pagecache``); the declaration's nonce comes from it and what was typed."""
    return signing.dumps({"studio": studio.pk, "nonce": ""}, salt=FORM_TOKEN_SALT)


def _declaration_nonce(token: str, form: OnlineCancelationForm) -> str:
    """The same declaration sent again (same form, same entries) is one declaration; another visitor's is not."""
    typed = "\x00".join(f"{name}={str(value).strip().casefold()}" for name, value in sorted(form.cleaned_data.items()))
    return hashlib.sha256(f"{token}\x00{typed}".encode()).hexdigest()[:32]


def _form_nonce(studio: Studio, token: str) -> str | None:
    try:
        data = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("studio") != studio.pk or not isinstance(data.get("nonce"), str):
        return None
    return data["nonce"]


def _same_origin(request: StudioRequest) -> bool:
    """The Origin check that replaces the CSRF cookie: a browser posting from another site sends its Origin."""
    allowed = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in allowed
    referer = request.headers.get("Referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" in allowed
    return True  # neither header: not a cross-site form post from a browser


@csrf_exempt  # no cookies on this page: a signed form token and the Origin check protect it
@require_http_methods(["GET", "POST"])
@public_page
def online_cancelation(request: StudioRequest, slug: str) -> HttpResponse:
    studio = request.studio = studio_or_404(request, slug)
    template = "selfservice/online_cancelation.html"
    # csrf_token "" keeps base.html from creating a CSRF cookie: this page sets no cookies at all.
    context: dict[str, Any] = {"csrf_token": "", "problem": "", "contact_email": studio.contact_email}
    if request.method == "GET":
        return render(request, template, {**context, "form": OnlineCancelationForm(), "token": _form_token(studio)})
    if not _same_origin(request):
        return render(request, "errors/403.html", context, status=403)  # context: still no CSRF cookie
    form = OnlineCancelationForm(request.POST)
    nonce = _form_nonce(studio, request.POST.get("token", ""))
    context.update(form=form, token=request.POST.get("token", "") if nonce else _form_token(studio))
    if nonce is None:
        context["problem"] = _(
            "This form has expired. Your cancelation has NOT been sent yet: please check your entries and "
            "select “Cancel now” again."
        )
        return render(request, template, context, status=400)
    if not form.is_valid():
        return render(request, template, context, status=422)
    if not (
        hit("selfservice-cancel-ip", client_ip(request), limit=ONLINE_CANCEL_LIMIT_PER_IP, window=3600)
        and hit(
            "selfservice-cancel-email", form.cleaned_data["email"], limit=ONLINE_CANCEL_LIMIT_PER_ADDRESS, window=86400
        )
    ):
        context["problem"] = _(
            "Too many cancelations have been sent from here. Your cancelation has NOT been sent: please try again "
            "in an hour, or send it to the studio by email or letter."
        )
        return render(request, template, context, status=429)
    nonce = nonce or _declaration_nonce(request.POST.get("token", ""), form)
    record, _created = online.submit(studio, form.declaration(), nonce=nonce, language=language())
    receipt = online.receipt_context(studio, record)
    return render(request, "selfservice/online_cancelation_receipt.html", {**context, **receipt})
