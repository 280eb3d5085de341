"""Who is signed in as a member: the session holds the studio and the customer id, nothing else.

Shared by every app with member pages (self-service signs members in, bookings
shows their bookings), so it lives here rather than in one of them. Every member
page re-reads what it shows from the API; ids that arrive in URLs or forms are
checked against this customer's own data before any upstream call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from portal.bodylimits import check_before_body
from portal.http import MAX_NEXT_LENGTH, StudioRequest

if TYPE_CHECKING:
    from portal.models import Studio

SESSION_KEY = "member"

View = Callable[..., HttpResponse]


def sign_in(request: HttpRequest, studio: Studio, customer_id: int) -> None:
    # A fresh session id on sign-in defeats session fixation.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"studio": studio.pk, "customer": int(customer_id)}


def sign_out(request: HttpRequest) -> None:
    request.session.flush()


def signed_in_customer_id(request: HttpRequest, studio: Studio) -> int | None:
    member = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not member or member.get("studio") != studio.pk:
        return None
    return int(member["customer"])


def member_required(view: View) -> View:
    """For views under /s/<slug>/: sends visitors who are not signed in to the sign-in page.

    Sets ``request.customer_id`` for the view.
    """

    @wraps(view)
    def wrapper(request: StudioRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        from portal.studios import studio_or_404

        studio = studio_or_404(request, slug)
        customer_id = signed_in_customer_id(request, studio)
        if customer_id is None:
            sign_in_page = reverse("selfservice:account", kwargs={"slug": studio.slug})
            with_next = f"{sign_in_page}?{urlencode({'next': request.get_full_path()})}"
            # Django refuses redirects over 2048 characters: an address that long is not kept to return to.
            return redirect(with_next if len(with_next) <= MAX_NEXT_LENGTH else sign_in_page)
        request.studio = studio
        request.customer_id = customer_id
        return view(request, slug, *args, **kwargs)

    # The body middleware runs this check before the CSRF check reads a body: a stranger's POST to a
    # member page is answered with the sign-in redirect before anything is buffered.
    return check_before_body(member_required)(wrapper)
