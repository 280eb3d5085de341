"""The request helpers every app's views share: which template or partial, where to go next, and how.

One way each, so that the apps agree: a fragment is a named partial of the page's own template
(django-template-partials, ``"page.html#name"``); a redirect after a form is a full page load for
htmx too (a swapped redirect would nest a whole page inside a fragment); a return address
(``?next=``) is only ever a path of the same studio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from portal.models import Studio


class StudioRequest(HttpRequest):
    """A request to one studio's pages, as the views see it (for the type checker; never instantiated).

    ``studio`` is set by the studio lookup, ``customer_id`` by ``member_required`` on member pages,
    ``htmx`` by django-htmx's middleware.
    """

    studio: Studio
    customer_id: int
    htmx: HtmxDetails


# Return addresses longer than this are dropped: Django refuses to redirect to URLs over 2048 characters.
MAX_NEXT_LENGTH = 2000


def template_for(request: HttpRequest, template: str, partial: str | None, *, target: str | None = None) -> str:
    """``template#partial`` for an htmx request (that targets ``target``, when given), else the whole page.

    A history restore (the user went back and htmx lost its snapshot) always gets the whole page.
    """
    htmx = getattr(request, "htmx", None)
    if not partial or not htmx or htmx.history_restore_request:
        return template
    if target is not None and htmx.target != target:
        return template
    return f"{template}#{partial}"


def redirect_after(request: HttpRequest, url: str, *, status: int = 303) -> HttpResponse:
    """Post/redirect/get; for htmx a full page load of ``url`` (``HX-Redirect``)."""
    if getattr(request, "htmx", None):
        return HttpResponseClientRedirect(url)
    response = HttpResponseRedirect(url)
    response.status_code = status
    return response


def safe_next(request: HttpRequest, value: str | None, *, studio_slug: str, default: str) -> str:
    """``value`` when it is a path of this studio on this host, else ``default``."""
    if not value or len(value) > MAX_NEXT_LENGTH or "\n" in value or "\r" in value:
        return default
    if not value.startswith(f"/s/{studio_slug}/") or value.startswith("//"):
        return default
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=False):
        return default
    return value
