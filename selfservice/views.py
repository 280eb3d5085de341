"""Member self-service pages: thin views over ``selfservice.services``.

Every member URL goes through ``member_required`` (signed in to this studio) and
an ownership check in the service (``NotOwned`` -> 404) before any upstream call
uses an id from the URL or the form.
"""

from __future__ import annotations

import secrets
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from portal import writes
from portal.bodylimits import check_before_body
from portal.lib.ratelimit import client_ip, hit
from portal.members import MAX_NEXT_LENGTH, member_required, sign_in, sign_out, signed_in_customer_id
from portal.perfectgym import errors
from portal.studios import studio_or_404
from selfservice import online_cancelation as online
from selfservice import services
from selfservice.forms import (
    AddressForm,
    CancelationForm,
    ConfirmForm,
    ContactForm,
    IdlePeriodForm,
    OnlineCancelationForm,
    SignInForm,
)
from selfservice.models import OnlineCancelation
from selfservice.texts import error_sentence
from selfservice.uploads import MemoryOnlyUploadHandler

SIGN_IN_LIMIT_PER_IP = 20
SIGN_IN_LIMIT_PER_ADDRESS = 5
REDEEM_LIMIT_PER_IP = 30


# --- helpers ---------------------------------------------------------------------------------
def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _page(request: HttpRequest, template: str, context: dict, *, partial: str | None = None, status: int = 200):
    """The page, or only its named partial for htmx requests."""
    name = f"{template}#{partial}" if partial and request.htmx else template
    return render(request, name, context, status=status)


def _error_status(request: HttpRequest, status: int) -> int:
    # htmx swaps only 2xx and 422 (base.html): a form that must show a message to an htmx request gets 422.
    return 422 if request.htmx else status


def _go(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _url(name: str, request: HttpRequest, **kwargs) -> str:
    return reverse(f"selfservice:{name}", kwargs={"slug": request.studio.slug, **kwargs})


def _pending(request: HttpRequest, outcome: services.Outcome) -> HttpResponse:
    """The form's first request is still sending: the page asks again every second until it is done."""
    return writes.pending_response(request, f"{request.path}?{urlencode({'sent': outcome.key})}", outcome.message)


def _poll(request: HttpRequest, action: str, done_url) -> HttpResponse | None:
    """``GET ?sent=<key>``: what became of the form being sent (asked by the pending page), else None."""
    raw = request.GET.get("sent")
    if request.method != "GET" or raw is None:
        return None
    found = services.write_status(request.studio, request.customer_id, raw, action)
    if found is not None and found.in_progress:
        return writes.pending_response(request, request.get_full_path(), found.message)
    if found is not None and found.ok:
        return _go(request, done_url(found))
    if found is not None:
        messages.error(request, found.message)
    return _go(request, request.path)


def upstream_safe(view):
    """Upstream trouble becomes a page with a plain sentence; someone else's id becomes a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.NotOwned:
            raise Http404("Not this member's") from None
        except errors.NotFound:
            raise Http404("Not found upstream") from None
        except errors.ApiError as exc:
            return render(request, "selfservice/problem.html", {"message": error_sentence(exc)}, status=503)

    return wrapper


def _safe_next(request: HttpRequest, value: str | None) -> str:
    home = reverse("selfservice:account", kwargs={"slug": request.studio.slug})
    allowed = url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False)
    if (
        value
        and len(value) <= MAX_NEXT_LENGTH  # longer ones cannot be redirected to (Django's limit is 2048)
        and allowed
        and value.startswith(f"/s/{request.studio.slug}/")
        and not value.startswith("//")
    ):
        return value
    return home


def _link_base(request: HttpRequest, slug: str) -> str:
    path = reverse("selfservice:sign-in-link", kwargs={"slug": slug, "token": "TOKEN"}).replace("TOKEN/", "")
    if settings.PUBLIC_BASE_URL:
        return settings.PUBLIC_BASE_URL + path
    return request.build_absolute_uri(path)


# --- sign-in ---------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@upstream_safe
def account(request: HttpRequest, slug: str) -> HttpResponse:
    """Signed in: the account overview. Otherwise: the sign-in form (POST asks for a link)."""
    studio = studio_or_404(request, slug)
    request.studio = studio
    customer_id = signed_in_customer_id(request, studio)
    if customer_id is not None and request.method == "GET":
        return _overview(request, customer_id)
    form = SignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    context = {"form": form, "sent": False, "problem": ""}
    if request.method == "GET":
        return render(request, "selfservice/sign_in.html", context)
    if not form.is_valid():
        return _page(request, "selfservice/sign_in.html", context, partial="form", status=422)
    email = form.cleaned_data["email"]
    if not (
        hit("selfservice-signin-ip", client_ip(request), limit=SIGN_IN_LIMIT_PER_IP, window=3600)
        and hit("selfservice-signin-email", email, limit=SIGN_IN_LIMIT_PER_ADDRESS, window=3600)
    ):
        context["problem"] = _("Too many sign-in requests. Please wait an hour and try again.")
        return _page(request, "selfservice/sign_in.html", context, partial="form", status=_error_status(request, 429))
    next_url = _safe_next(request, form.cleaned_data.get("next"))
    base = _link_base(request, slug)
    query = f"?{urlencode({'next': next_url})}" if next_url != _url("account", request) else ""
    # The same work for every address: one queued task; the worker searches and sends (or not).
    failed = services.request_sign_in_link(studio, email, link_base=base, link_query=query, language=_language())
    if failed is not None:  # immediate tasks only: the search has already run, and failed
        context["problem"] = error_sentence(failed("searchCustomers"))
        return _page(request, "selfservice/sign_in.html", context, partial="form", status=_error_status(request, 503))
    context.update(sent=True, email=email)
    return _page(request, "selfservice/sign_in.html", context, partial="form")


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The emailed link: GET only shows a button (mail scanners open links), POST signs in."""
    studio = studio_or_404(request, slug)
    request.studio = studio
    next_url = _safe_next(request, request.GET.get("next"))
    if request.method == "POST":
        if not hit("selfservice-redeem-ip", client_ip(request), limit=REDEEM_LIMIT_PER_IP, window=3600):
            context = {"usable": False, "limited": True}
            return render(request, "selfservice/sign_in_link.html", context, status=_error_status(request, 429))
        customer_id = services.redeem_sign_in_token(studio, token)
        if customer_id is not None:
            sign_in(request, studio, customer_id)
            return _go(request, next_url)
        return render(request, "selfservice/sign_in_link.html", {"usable": False}, status=_error_status(request, 410))
    usable = services.sign_in_token_is_usable(studio, token)
    return render(
        request,
        "selfservice/sign_in_link.html",
        {"usable": usable, "next": next_url},
        status=200 if usable else 410,
    )


@require_POST
def sign_out_view(request: HttpRequest, slug: str) -> HttpResponse:
    studio = studio_or_404(request, slug)
    request.studio = studio
    customer_id = signed_in_customer_id(request, studio)
    if customer_id is not None:
        services.record_sign_out(studio, customer_id)
    sign_out(request)
    messages.success(request, _("You are signed out."))
    return _go(request, _url("account", request))


def _overview(request: HttpRequest, customer_id: int) -> HttpResponse:
    overview = services.account(request.studio, customer_id)
    return render(request, "selfservice/account.html", {"account": overview})


# --- contracts: cancel and withdraw ----------------------------------------------------------
@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def cancel_contract(request: HttpRequest, slug: str, contract_id: int) -> HttpResponse:
    """Choose end date and reason, review, confirm (step = choose | review | confirm)."""
    studio, customer_id = request.studio, request.customer_id
    polled = _poll(request, "cancelation", lambda found: _url("confirmation", request, key=found.key))
    if polled is not None:
        return polled
    contract = services.own_contract(studio, customer_id, contract_id)
    prior = _prior(request, "cancelation")
    if prior and prior.ok:
        return _go(request, _url("confirmation", request, key=prior.key))
    resuming = prior is not None and prior.unfinished
    if not contract.can_cancel and not resuming:
        if request.method == "POST":  # canceled meanwhile: the page says so
            return _go(request, request.path)
        return render(request, "selfservice/cancel.html", {"contract": contract, "form": None})
    reasons = services.cancelation_reasons(studio)
    step = request.POST.get("step", "choose") if request.method == "POST" else "choose"
    if request.method == "GET" or step == "edit":
        # Back from the review: the choices again, as unbound initial values (going back is not an error).
        initial = request.POST.dict() if step == "edit" else None
        form = CancelationForm(initial=initial, contract=contract, reasons=reasons)
        return _page(request, "selfservice/cancel.html", {"contract": contract, "form": form}, partial="flow")
    # Sent again while its outcome is unknown: the date it was sent with, even if no longer offered, to reconcile.
    resend = request.POST.get("end_date") if resuming else None
    form = CancelationForm(request.POST, contract=contract, reasons=reasons, resend_date=resend)
    context = {"contract": contract, "form": form, "problem": ""}
    if not form.is_valid():
        return _page(request, "selfservice/cancel.html", context, partial="flow", status=422)
    if step != "confirm":
        context["review"] = True
        return _page(request, "selfservice/cancel.html", context, partial="flow")
    outcome = services.cancel_contract(
        studio,
        customer_id,
        contract,
        end_date=form.cleaned_data["end_date"],
        reason=form.chosen_reason,
        key=form.cleaned_data["key"],
        language=_language(),
    )
    if outcome.in_progress:
        return _pending(request, outcome)
    if outcome.ok:
        return _go(request, _url("confirmation", request, key=outcome.key))
    if outcome.renew_key:
        form.renew_key()
    context.update(problem=outcome.message, review=not outcome.renew_key)
    return _page(request, "selfservice/cancel.html", context, partial="flow", status=422)


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def withdraw_cancelation(request: HttpRequest, slug: str, contract_id: int) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    polled = _poll(request, "cancelation_withdrawal", lambda found: _url("confirmation", request, key=found.key))
    if polled is not None:
        return polled
    contract = services.own_contract(studio, customer_id, contract_id)
    prior = _prior(request, "cancelation_withdrawal")
    if prior and prior.ok:
        return _go(request, _url("confirmation", request, key=prior.key))
    form = ConfirmForm(request.POST or None)
    context = {"contract": contract, "form": form, "problem": ""}
    if request.method == "GET" or not (contract.can_withdraw or (prior and prior.unfinished)):
        return _page(request, "selfservice/withdraw_cancelation.html", context, partial="flow")
    if not form.is_valid():
        return _page(request, "selfservice/withdraw_cancelation.html", context, partial="flow", status=422)
    outcome = services.withdraw_cancelation(
        studio,
        customer_id,
        contract,
        key=form.cleaned_data["key"],
        language=_language(),
    )
    if outcome.in_progress:
        return _pending(request, outcome)
    if outcome.ok:
        return _go(request, _url("confirmation", request, key=outcome.key))
    if outcome.renew_key:
        form.renew_key()
    context["problem"] = outcome.message
    return _page(request, "selfservice/withdraw_cancelation.html", context, partial="flow", status=422)


def _prior(request: HttpRequest, action: str) -> writes.Outcome | None:
    """The member's earlier request with the posted key: a form sent again (double click, reload, retry).

    DONE: show its outcome, send nothing. Unfinished: its outcome is found out by reading before anything
    else, even where the page would no longer offer the action (it may be exactly what happened).
    """
    if request.method != "POST":
        return None
    return services.earlier(request.studio, request.customer_id, request.POST.get("key"), action)


@require_http_methods(["GET"])
@member_required
def confirmation(request: HttpRequest, slug: str, key) -> HttpResponse:
    found = services.confirmation(request.studio, request.customer_id, key)
    if found is None:
        raise Http404("No such confirmation")
    context = services.confirmation_context(request.studio, found)
    return render(request, "selfservice/confirmation.html", context)


# --- idle periods -----------------------------------------------------------------------------
@check_before_body(member_required)  # a stranger's upload is answered before its body is read
@csrf_exempt  # the CSRF check runs in _idle_periods, after the upload handlers are set
@require_http_methods(["GET", "POST"])
def idle_periods(request: HttpRequest, slug: str, contract_id: int) -> HttpResponse:
    """Documents stay in memory: the handlers are replaced before anything reads the request body."""
    upload = None
    if request.method == "POST":
        upload = MemoryOnlyUploadHandler(request)
        request.upload_handlers = [upload]
    return _idle_periods(request, slug, contract_id=contract_id, upload=upload)


@member_required  # before the CSRF check, which reads the body
@csrf_protect
@upstream_safe
def _idle_periods(request: HttpRequest, slug: str, contract_id: int, upload) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    polled = _poll(request, "idle_period", lambda found: request.path)
    if polled is not None:
        return polled
    page = services.idle_periods(studio, customer_id, contract_id)
    prior = _prior(request, "idle_period")
    if prior and prior.ok and prior.target.get("contract_id") == contract_id:
        return _go(request, _url("idle-periods", request, contract_id=contract_id))
    form = None
    context = {"page": page, "problem": ""}
    if page.can_request:
        bound = request.method == "POST"
        form = IdlePeriodForm(
            request.POST if bound else None,
            request.FILES if bound else None,
            page=page,
            too_large=bool(upload and upload.too_large),
        )
    context["form"] = form
    if request.method == "GET" or form is None:
        return _page(request, "selfservice/idle_periods.html", context, partial="request", status=200)
    if not form.is_valid():
        return _page(request, "selfservice/idle_periods.html", context, partial="request", status=422)
    data = form.cleaned_data
    wanted = services.IdlePeriodRequest(
        start_date=data["start_date"],
        term_value=data.get("term_value"),
        unlimited=bool(data.get("unlimited")),
        reason=data["reason_obj"],
        temporal_unit=page.config.temporal_unit,
    )
    try:
        outcome = services.request_idle_period(
            studio, customer_id, page.contract, wanted, data.get("document"), key=data["key"]
        )
    except services.Refused as refused:
        if refused.field:
            form.add_error(refused.field, refused.message)
        else:
            context["problem"] = refused.message
        return _page(request, "selfservice/idle_periods.html", context, partial="request", status=422)
    if outcome.in_progress:
        return _pending(request, outcome)
    if outcome.ok:
        state = outcome.result.get("state")
        if state == "ACCEPTED":
            messages.success(request, _("Your idle period has been entered."))
        else:
            messages.success(request, _("Your idle period request has been sent. The studio will check it."))
        return _go(request, _url("idle-periods", request, contract_id=contract_id))
    if outcome.renew_key:
        form.renew_key()
    context["problem"] = outcome.message
    return _page(request, "selfservice/idle_periods.html", context, partial="request", status=422)


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def withdraw_idle_period(request: HttpRequest, slug: str, contract_id: int, idle_period_id: int) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    done_url = _url("idle-periods", request, contract_id=contract_id)
    polled = _poll(request, "idle_period_withdrawal", lambda found: done_url)
    if polled is not None:
        return polled
    page = services.idle_periods(studio, customer_id, contract_id)
    if page.problem:
        return render(request, "selfservice/problem.html", {"message": page.problem}, status=503)
    prior = _prior(request, "idle_period_withdrawal")
    same = prior is not None and prior.target == services.idle_withdrawal_target(contract_id, idle_period_id)
    if same and prior.ok:
        return _go(request, _url("idle-periods", request, contract_id=contract_id))
    form = ConfirmForm(request.POST or None)
    if same and prior.unfinished and form.is_valid():
        # Checked as the member's own when it was first sent; it may be gone now because it worked.
        outcome = services.withdraw_idle_period(
            studio, customer_id, page.contract, idle_period_id, key=form.cleaned_data["key"]
        )
        return _idle_withdrawal_outcome(request, outcome, contract_id)
    row = services.own_idle_period(page, idle_period_id)
    context = {"page": page, "row": row, "form": form, "problem": ""}
    if request.method == "GET" or not row.can_withdraw:
        return _page(request, "selfservice/withdraw_idle_period.html", context, partial="flow")
    if not form.is_valid():
        return _page(request, "selfservice/withdraw_idle_period.html", context, partial="flow", status=422)
    outcome = services.withdraw_idle_period(studio, customer_id, page.contract, row.id, key=form.cleaned_data["key"])
    if outcome.in_progress:
        return _pending(request, outcome)
    if outcome.ok:
        return _idle_withdrawal_outcome(request, outcome, contract_id)
    if outcome.renew_key:
        form.renew_key()
    context["problem"] = outcome.message
    return _page(request, "selfservice/withdraw_idle_period.html", context, partial="flow", status=422)


def _idle_withdrawal_outcome(request: HttpRequest, outcome, contract_id: int) -> HttpResponse:
    if outcome.in_progress:
        return _pending(request, outcome)
    if outcome.ok:
        messages.success(request, _("Your idle period has been withdrawn."))
    else:
        messages.error(request, outcome.message)
    return _go(request, _url("idle-periods", request, contract_id=contract_id))


# --- contact and address data -------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    current = services.contact_data(studio, customer_id)
    return _amendment_page(
        request,
        current,
        ContactForm,
        change=lambda values, key: services.change_contact_data(studio, customer_id, current, values, key=key),
        template="selfservice/contact.html",
        names=services.CONTACT_FIELDS,
    )


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def address(request: HttpRequest, slug: str) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    current = services.address_data(studio, customer_id)
    return _amendment_page(
        request,
        current,
        AddressForm,
        change=lambda values, key: services.change_address_data(studio, customer_id, current, values, key=key),
        template="selfservice/address.html",
        names=services.ADDRESS_FIELDS,
    )


def _amendment_page(request, current, form_class, *, change, template: str, names: tuple[str, ...]) -> HttpResponse:
    action = "contact_amendment" if form_class is ContactForm else "address_amendment"
    polled = _poll(request, action, lambda found: request.path)
    if polled is not None:
        return polled
    prior = _prior(request, action)
    if prior and prior.ok:
        return _go(request, request.path)
    editable = current.amendment_configuration_status != "READ" and current.pending_amendment is None
    editable = editable or (prior is not None and prior.unfinished)
    initial = {name: getattr(current, name) or "" for name in names}
    form = form_class(request.POST if request.method == "POST" and editable else None, initial=initial)
    labels = [(form_class.base_fields[name].label, name) for name in names]
    pending = current.pending_amendment
    context = {
        "current": current,
        "current_rows": [(label, getattr(current, name)) for label, name in labels],
        "pending_rows": [(label, getattr(pending, name)) for label, name in labels] if pending else [],
        "form": form if editable else None,
        "configuration": services.configuration_sentence(current.amendment_configuration_status),
        "withdraw_form": ConfirmForm() if current.pending_amendment else None,
        "problem": "",
    }
    if request.method == "GET":
        return render(request, template, context)
    if not editable:
        context["problem"] = services.configuration_sentence(current.amendment_configuration_status)
        if current.pending_amendment is not None:
            context["problem"] = _("A change is already waiting for the studio. Withdraw it first to send a new one.")
        return _page(request, template, context, partial="form", status=422)
    if not form.is_valid():
        return _page(request, template, context, partial="form", status=422)
    outcome = change(form.values(), form.cleaned_data["key"])
    if outcome.in_progress:
        return _pending(request, outcome)
    if outcome.ok:
        applied = outcome.result.get("applied")
        if applied is False:
            messages.success(request, _("Your change has been sent. It applies once the studio has checked it."))
        else:
            messages.success(request, _("Your change has been saved."))
        return _go(request, request.path)
    if outcome.renew_key:
        form.renew_key()
    context["problem"] = outcome.message
    return _page(request, template, context, partial="form", status=422)


@require_POST
@member_required
@upstream_safe
def withdraw_amendment(request: HttpRequest, slug: str, amendment_id: int) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    prior = _prior(request, "amendment_withdrawal")
    if prior is not None and prior.target.get("amendment_id") == amendment_id:
        # Sent before: checked as the member's own then; it may be gone now because it worked.
        amendment = services.PendingAmendment(amendment_id, prior.target["kind"])
    else:
        amendment = services.own_amendment(studio, customer_id, amendment_id)
    back = _url("contact" if amendment.kind == "contact" else "address", request)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please try again."))
        return _go(request, back)
    outcome = services.withdraw_amendment(studio, customer_id, amendment, key=form.cleaned_data["key"])
    if outcome.ok:
        messages.success(request, _("Your pending change has been withdrawn."))
    else:
        messages.error(request, outcome.message)
    return _go(request, back)


# --- cancelation without login (§312k BGB) ---------------------------------------------------------
FORM_TOKEN_SALT = "selfservice.online-cancelation"
FORM_TOKEN_MAX_AGE = 24 * 3600
ONLINE_CANCEL_LIMIT_PER_IP = 10
ONLINE_CANCEL_LIMIT_PER_ADDRESS = 5


def _form_token(studio) -> str:
    """Stands in for the CSRF cookie: signed, bound to the studio, and its nonce makes a resend one declaration."""
    return signing.dumps({"studio": studio.pk, "nonce": secrets.token_urlsafe(18)}, salt=FORM_TOKEN_SALT)


def _form_nonce(studio, token: str) -> str | None:
    try:
        data = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("studio") != studio.pk or not isinstance(data.get("nonce"), str):
        return None
    return data["nonce"]


def _same_origin(request: HttpRequest) -> bool:
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
def online_cancelation(request: HttpRequest, slug: str) -> HttpResponse:
    studio = studio_or_404(request, slug)
    request.studio = studio
    # csrf_token "" keeps base.html from creating a CSRF cookie: this page sets no cookies at all.
    context = {"csrf_token": "", "problem": "", "contact_email": studio.contact_email}
    if request.method == "GET":
        form = OnlineCancelationForm()
        return render(
            request, "selfservice/online_cancelation.html", {**context, "form": form, "token": _form_token(studio)}
        )
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
        return render(request, "selfservice/online_cancelation.html", context, status=400)
    if not form.is_valid():
        return render(request, "selfservice/online_cancelation.html", context, status=422)
    data = form.cleaned_data
    if not (
        hit("selfservice-cancel-ip", client_ip(request), limit=ONLINE_CANCEL_LIMIT_PER_IP, window=3600)
        and hit("selfservice-cancel-email", data["email"], limit=ONLINE_CANCEL_LIMIT_PER_ADDRESS, window=86400)
    ):
        context["problem"] = _(
            "Too many cancelations have been sent from here. Your cancelation has NOT been sent: please try again "
            "in an hour, or send it to the studio by email or letter."
        )
        return render(request, "selfservice/online_cancelation.html", context, status=429)
    declaration = online.Declaration(
        kind=data["kind"],
        extraordinary_reason=(data.get("extraordinary_reason") or "").strip()
        if data["kind"] == OnlineCancelation.Kind.EXTRAORDINARY
        else "",
        first_name=data["first_name"].strip(),
        last_name=data["last_name"].strip(),
        date_of_birth=data["date_of_birth"],
        email=data["email"],
        contract_identifier=data["contract_identifier"].strip(),
        earliest_possible=data["end"] == OnlineCancelationForm.EARLIEST,
        requested_end_date=data.get("end_date") if data["end"] == OnlineCancelationForm.ON_DATE else None,
    )
    record, _created = online.submit(studio, declaration, nonce=nonce, language=_language())
    receipt = online.receipt_context(studio, record)
    return render(request, "selfservice/online_cancelation_receipt.html", {**context, **receipt})
