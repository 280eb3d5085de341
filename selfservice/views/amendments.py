"""Contact and address data: the page, sending a change, withdrawing a pending one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.http import StudioRequest, redirect_after
from portal.members import member_required
from selfservice import services
from selfservice.forms import AddressForm, ConfirmForm, ContactForm
from selfservice.views.common import FOUND, answer, poll, posted_key, render_page, upstream_safe


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def contact(request: StudioRequest, slug: str) -> HttpResponse:
    return _amendment_page(request, services.CONTACT, ContactForm)


@require_http_methods(["GET", "POST"])
@member_required
@upstream_safe
def address(request: StudioRequest, slug: str) -> HttpResponse:
    return _amendment_page(request, services.ADDRESS, AddressForm)


def _amendment_page(request: StudioRequest, kind: str, form_class: type[ContactForm | AddressForm]) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    template = "selfservice/amendment.html"
    polled = poll(request, services.amendment_action(kind), lambda found: request.path)
    if polled is not None:
        return polled
    page = services.amendment_page(studio, customer_id, kind, raw_key=posted_key(request))
    if page.resent.done:
        return redirect_after(request, request.path, status=FOUND)
    initial = {name: getattr(page.current, name) or "" for name in page.fields}
    form = form_class(request.POST if request.method == "POST" and page.editable else None, initial=initial)
    context = _amendment_context(page, form)
    if request.method == "GET":
        return render(request, template, context)
    if not page.editable:
        context["problem"] = page.refusal
        return render_page(request, template, context, "form", status=422)
    if not form.is_valid():
        return render_page(request, template, context, "form", status=422)
    outcome = services.change_data(studio, customer_id, page, form.values(), key=form.cleaned_data["key"])

    def done() -> HttpResponse:
        if outcome.result.get("applied") is False:
            messages.success(request, _("Your change has been sent. It applies once the studio has checked it."))
        else:
            messages.success(request, _("Your change has been saved."))
        return redirect_after(request, request.path, status=FOUND)

    return answer(request, outcome, done=done, form=form, page=(template, "form"), context=context)


def _amendment_context(page: services.AmendmentPage, form: ContactForm | AddressForm) -> dict[str, Any]:
    labels = [(form.fields[name].label, name) for name in page.fields]
    pending = page.current.pending_amendment
    return {
        "kind": page.kind,
        "current": page.current,
        "current_rows": [(label, getattr(page.current, name)) for label, name in labels],
        "pending_rows": [(label, getattr(pending, name)) for label, name in labels] if pending else [],
        "form": form if page.editable else None,
        "configuration": page.configuration,
        "withdraw_form": ConfirmForm() if pending else None,
        "problem": "",
    }


@require_POST
@member_required
@upstream_safe
def withdraw_amendment(request: StudioRequest, slug: str, amendment_id: int) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    amendment = services.pending_amendment(studio, customer_id, amendment_id, raw_key=posted_key(request))
    back = reverse(f"selfservice:{amendment.kind}", kwargs={"slug": slug})
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please try again."))
        return redirect_after(request, back, status=FOUND)
    outcome = services.withdraw_amendment(studio, customer_id, amendment, key=form.cleaned_data["key"])
    if outcome.ok:
        messages.success(request, _("Your pending change has been withdrawn."))
    else:
        messages.error(request, outcome.message)
    return redirect_after(request, back, status=FOUND)
