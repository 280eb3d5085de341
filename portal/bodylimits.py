"""Request bodies: refused by their announced size, and read only once the visitor may send one.

Django reads a body lazily, at the first access to ``request.POST``, ``request.FILES`` or
``request.body``. Whoever touches it first decides how much a process buffers: CSRF checks read
``request.POST``, so a view that checks the member after its CSRF check has already buffered
whatever a stranger sent. ``RequestBodyMiddleware`` therefore

- answers 413 to a body whose ``Content-Length`` is over ``MAX_REQUEST_BODY_BYTES``, without reading it
  (a body sent without ``Content-Length`` is never read by Django at all);
- runs a view's access check before anything reads the body, for views marked with ``@check_before_body``;
- turns "too many files" and "too much form data" into a page that says so, not a bare "Bad request".

It sits before ``CsrfViewMiddleware`` so its ``process_view`` runs first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]

BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def check_before_body(access_check: Callable[[View], View]) -> Callable[[View], View]:
    """Marks a view whose body is read only after ``access_check`` let the request through.

    ``access_check`` is a view decorator such as ``member_required``: the middleware calls it around a
    view that does nothing, and answers with its response (a redirect to sign-in) when it gives one.
    """

    def mark(view: View) -> View:
        view.check_before_body = access_check  # type: ignore[attr-defined]  # read by the middleware below
        return view

    return mark


def _passed(request: HttpRequest, *args: Any, **kwargs: Any) -> None:
    return None


def _megabytes(size: int) -> int:
    return max(1, round(size / (1024 * 1024)))


class RequestBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0  # Django reads nothing from a body with a malformed length either
        if announced > settings.MAX_REQUEST_BODY_BYTES:
            return too_large(request)
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        access_check = getattr(view_func, "check_before_body", None)
        if access_check is None or request.method in BODYLESS_METHODS:
            return None
        return access_check(_passed)(request, *view_args, **view_kwargs)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, TooManyFilesSent):
            message = _("Too many files were sent at once. Please go back and send fewer files.")
            return _refusal(request, _("Too many files"), message, status=400)
        if isinstance(exception, RequestDataTooBig):
            return too_large(request)
        return None


def too_large(request: HttpRequest) -> HttpResponse:
    message = _("What you sent is larger than %(size)d MB. Please go back and send a smaller file.") % {
        "size": _megabytes(settings.MAX_REQUEST_BODY_BYTES)
    }
    # (The unread body stays on the connection: the WSGI server discards it or closes the connection.)
    return _refusal(request, _("Too large"), message, status=413)


def _refusal(request: HttpRequest, title: str, message: str, *, status: int) -> HttpResponse:
    # csrf_token "": a refusal sets no cookie (base.html would otherwise create the CSRF cookie).
    context = {"title": title, "message": message, "csrf_token": ""}
    return render(request, "errors/refused.html", context, status=status)
