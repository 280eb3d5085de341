"""A member's contract: cancel it, withdraw its cancelation, see the confirmation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from portal.http import StudioRequest, redirect_after
from portal.members import member_required
from selfservice import services
from selfservice.forms import CancelationForm, ConfirmForm
from selfservice.views.common import FOUND, answer, language, poll, posted_key, render_page, upstream_safe


def _confirmation(slug: str, key: UUID | None) -> str:
    return reverse("selfservice:confirmation", kwargs={"slug": slug, "key": key})


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def cancel_contract(request: StudioRequest, slug: str, contract_id: int) -> HttpResponse:
    """Choose end date and reason, review, confirm (step = choose | review | confirm)."""
    studio, customer_id = request.studio, request.customer_id
    polled = poll(request, services.CANCELATION, lambda found: _confirmation(slug, found.key))
    if polled is not None:
        return polled
    page = services.contract_page(
        studio, customer_id, contract_id, action=services.CANCELATION, raw_key=posted_key(request)
    )
    if page.resent.done:
        return redirect_after(request, _confirmation(slug, page.resent.key), status=FOUND)
    if not page.can_cancel:
        if request.method == "POST":  # canceled meanwhile: the page says so
            return redirect_after(request, request.path, status=FOUND)
        return render(request, "selfservice/cancel.html", {"contract": page.contract, "form": None})
    reasons = services.cancelation_reasons(studio)
    step = request.POST.get("step", "choose") if request.method == "POST" else "choose"
    if request.method == "GET" or step == "edit":
        # Back from the review: the choices again, as unbound initial values (going back is not an error).
        initial = request.POST.dict() if step == "edit" else None
        form = CancelationForm(initial=initial, contract=page.contract, reasons=reasons)
        return render_page(request, "selfservice/cancel.html", {"contract": page.contract, "form": form}, "flow")
    # Sent again while its outcome is unknown: the date it was sent with, even if no longer offered, to reconcile.
    resend = request.POST.get("end_date") if page.resent.resuming else None
    form = CancelationForm(request.POST, contract=page.contract, reasons=reasons, resend_date=resend)
    context: dict[str, Any] = {"contract": page.contract, "form": form, "problem": ""}
    if not form.is_valid():
        return render_page(request, "selfservice/cancel.html", context, "flow", status=422)
    if step != "confirm":
        context["review"] = True
        return render_page(request, "selfservice/cancel.html", context, "flow")
    outcome = services.cancel_contract(
        studio,
        customer_id,
        page.contract,
        end_date=form.cleaned_data["end_date"],
        reason=form.chosen_reason,
        key=form.cleaned_data["key"],
        language=language(),
    )
    context["review"] = not outcome.renew_key
    return answer(
        request,
        outcome,
        done=lambda: redirect_after(request, _confirmation(slug, outcome.key), status=FOUND),
        form=form,
        page=("selfservice/cancel.html", "flow"),
        context=context,
    )


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def withdraw_cancelation(request: StudioRequest, slug: str, contract_id: int) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    action = services.CANCELATION_WITHDRAWAL
    polled = poll(request, action, lambda found: _confirmation(slug, found.key))
    if polled is not None:
        return polled
    page = services.contract_page(studio, customer_id, contract_id, action=action, raw_key=posted_key(request))
    if page.resent.done:
        return redirect_after(request, _confirmation(slug, page.resent.key), status=FOUND)
    form = ConfirmForm(request.POST or None)
    context: dict[str, Any] = {"contract": page.contract, "form": form, "problem": ""}
    template = "selfservice/withdraw_cancelation.html"
    if request.method == "GET" or not page.can_withdraw:
        return render_page(request, template, context, "flow")
    if not form.is_valid():
        return render_page(request, template, context, "flow", status=422)
    outcome = services.withdraw_cancelation(
        studio, customer_id, page.contract, key=form.cleaned_data["key"], language=language()
    )
    return answer(
        request,
        outcome,
        done=lambda: redirect_after(request, _confirmation(slug, outcome.key), status=FOUND),
        form=form,
        page=(template, "flow"),
        context=context,
    )


@require_http_methods(["GET"])
@member_required
def confirmation(request: StudioRequest, slug: str, key: UUID) -> HttpResponse:
    found = services.confirmation(request.studio, request.customer_id, key)
    if found is None:
        raise Http404("No such confirmation")
    context = services.confirmation_context(request.studio, found)
    return render(request, "selfservice/confirmation.html", context)
