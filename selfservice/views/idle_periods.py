"""A contract's idle periods: the page, requesting one (with a document), withdrawing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from portal.bodylimits import check_before_body
from portal.http import StudioRequest, redirect_after
from portal.members import member_required
from selfservice import services
from selfservice.forms import ConfirmForm, IdlePeriodForm
from selfservice.uploads import MemoryOnlyUploadHandler
from selfservice.views.common import FOUND, answer, pending, poll, posted_key, render_page, upstream_safe


def _idle_periods_url(slug: str, contract_id: int) -> str:
    return reverse("selfservice:idle-periods", kwargs={"slug": slug, "contract_id": contract_id})


@check_before_body(member_required)  # a stranger's upload is answered before its body is read
@csrf_exempt  # the CSRF check runs in _idle_periods, after the upload handlers are set
@require_http_methods(["GET", "POST"])
def idle_periods(request: StudioRequest, slug: str, contract_id: int) -> HttpResponse:
    """Documents stay in memory: the handlers are replaced before anything reads the request body."""
    upload = None
    if request.method == "POST":
        upload = MemoryOnlyUploadHandler(request)
        request.upload_handlers = [upload]
    return _idle_periods(request, slug, contract_id=contract_id, upload=upload)


@member_required  # before the CSRF check, which reads the body
@csrf_protect
@upstream_safe
def _idle_periods(
    request: StudioRequest, slug: str, contract_id: int, upload: MemoryOnlyUploadHandler | None
) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    back = _idle_periods_url(slug, contract_id)
    polled = poll(request, services.IDLE_PERIOD, lambda found: request.path)
    if polled is not None:
        return polled
    page = services.idle_periods(studio, customer_id, contract_id, raw_key=posted_key(request))
    if page.resent.done:
        return redirect_after(request, back, status=FOUND)
    form = None
    if page.can_request:
        bound = request.method == "POST"
        form = IdlePeriodForm(
            request.POST if bound else None,
            request.FILES if bound else None,
            page=page,
            too_large=bool(upload and upload.too_large),
        )
    context: dict[str, Any] = {"page": page, "problem": "", "form": form}
    template = "selfservice/idle_periods.html"
    if request.method == "GET" or form is None:
        return render_page(request, template, context, "request")
    if not form.is_valid():
        return render_page(request, template, context, "request", status=422)
    try:
        outcome = services.request_idle_period(
            studio, customer_id, page.contract, form.request(), form.cleaned_data.get("document"),
            key=form.cleaned_data["key"],
        )  # fmt: skip
    except services.Refused as refused:
        if refused.field:
            form.add_error(refused.field, refused.message)
        else:
            context["problem"] = refused.message
        return render_page(request, template, context, "request", status=422)

    def done() -> HttpResponse:
        if outcome.result.get("state") == "ACCEPTED":
            messages.success(request, _("Your idle period has been entered."))
        else:
            messages.success(request, _("Your idle period request has been sent. The studio will check it."))
        return redirect_after(request, back, status=FOUND)

    return answer(request, outcome, done=done, form=form, page=(template, "request"), context=context)


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def withdraw_idle_period(request: StudioRequest, slug: str, contract_id: int, idle_period_id: int) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    back = _idle_periods_url(slug, contract_id)
    polled = poll(request, services.IDLE_PERIOD_WITHDRAWAL, lambda found: back)
    if polled is not None:
        return polled
    page = services.idle_withdrawal_page(studio, customer_id, contract_id, idle_period_id, raw_key=posted_key(request))
    if page.resent.done:
        return redirect_after(request, back, status=FOUND)
    form = ConfirmForm(request.POST or None)
    if page.resent.resuming and form.is_valid():
        # Checked as the member's own when it was first sent; it may be gone now because it worked.
        outcome = services.withdraw_idle_period(
            studio, customer_id, page.contract, idle_period_id, key=form.cleaned_data["key"]
        )
        return _idle_withdrawal_outcome(request, outcome, back)
    row = services.own_idle_period(page, idle_period_id)
    context: dict[str, Any] = {"page": page, "row": row, "form": form, "problem": ""}
    template = "selfservice/withdraw_idle_period.html"
    if request.method == "GET" or not row.can_withdraw:
        return render_page(request, template, context, "flow")
    if not form.is_valid():
        return render_page(request, template, context, "flow", status=422)
    outcome = services.withdraw_idle_period(studio, customer_id, page.contract, row.id, key=form.cleaned_data["key"])
    return answer(
        request,
        outcome,
        done=lambda: _idle_withdrawal_outcome(request, outcome, back),
        form=form,
        page=(template, "flow"),
        context=context,
    )


def _idle_withdrawal_outcome(request: StudioRequest, outcome: services.Outcome, back: str) -> HttpResponse:
    if outcome.in_progress:
        return pending(request, outcome)
    if outcome.ok:
        messages.success(request, _("Your idle period has been withdrawn."))
    else:
        messages.error(request, outcome.message)
    return redirect_after(request, back, status=FOUND)
