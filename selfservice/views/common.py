"""What the self-service views share: partial or page, the answer to a write, upstream trouble as a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation

from portal import writes
from portal.http import StudioRequest, redirect_after, template_for
from selfservice import services
from selfservice.forms import KeyedForm

# A redirect after a form is a 302 here, as it always was (the tests pin it).
FOUND = 302

View = Callable[..., HttpResponse]


def language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def render_page(
    request: StudioRequest, template: str, context: dict[str, Any], partial: str | None, status: int = 200
) -> HttpResponse:
    return render(request, template_for(request, template, partial), context, status=status)


def error_status(request: StudioRequest, status: int) -> int:
    # htmx swaps only 2xx and 422 (base.html): a form that must show a message to an htmx request gets 422.
    return 422 if request.htmx else status


def posted_key(request: StudioRequest) -> str | None:
    """The key of a posted form: the services tell from it whether the form is sent again."""
    return request.POST.get("key") if request.method == "POST" else None


def pending(request: StudioRequest, outcome: services.Outcome) -> HttpResponse:
    """The form's first request is still sending: the page asks again every second until it is done."""
    return writes.pending_response(request, f"{request.path}?{urlencode({'sent': outcome.key})}", outcome.message)


def poll(request: StudioRequest, action: str, done_url: Callable[[services.Outcome], str]) -> HttpResponse | None:
    """``GET ?sent=<key>``: what became of the form being sent (asked by the pending page), else None."""
    raw = request.GET.get("sent")
    if request.method != "GET" or raw is None:
        return None
    found = services.write_status(request.studio, request.customer_id, raw, action)
    if found is not None and found.in_progress:
        return writes.pending_response(request, request.get_full_path(), found.message)
    if found is not None and found.ok:
        return redirect_after(request, done_url(found), status=FOUND)
    if found is not None:
        messages.error(request, found.message)
    return redirect_after(request, request.path, status=FOUND)


def answer(
    request: StudioRequest,
    outcome: services.Outcome,
    *,
    done: Callable[[], HttpResponse],
    form: KeyedForm,
    page: tuple[str, str],
    context: dict[str, Any],
) -> HttpResponse:
    """A write's outcome: still sending, done (``done``), or the form (``page``: template, partial) again."""
    if outcome.in_progress:
        return pending(request, outcome)
    if outcome.ok:
        return done()
    if outcome.renew_key:
        form.renew_key()
    context["problem"] = outcome.message
    template, partial = page
    return render_page(request, template, context, partial, status=422)


def upstream_safe(view: View) -> View:
    """The studio's system unavailable becomes a page with a plain sentence; someone else's id a 404."""

    @wraps(view)
    def wrapper(request: StudioRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except services.NotOwned:
            raise Http404("Not this member's") from None
        except services.Unavailable as exc:
            return render(request, "selfservice/problem.html", {"message": exc.message}, status=503)

    return wrapper
