"""Schedule, appointments and "My bookings". Thin views: the work is in ``bookings.services``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings import ics, services
from bookings.forms import chosen_day, schedule_filters
from bookings.models import CalendarFeed
from bookings.sources import studio_zone
from portal import writes
from portal.bodylimits import check_before_body
from portal.http import StudioRequest, redirect_after, safe_next, template_for
from portal.lib.ratelimit import client_ip, hit
from portal.members import member_required, signed_in_customer_id
from portal.pagecache import public_page
from portal.services import studio_occupancy
from portal.studios import studio_or_404

View = Callable[..., HttpResponse]

# After a form, a plain browser is sent on with a 302 (the tests and bookmarks of the first version).
REDIRECT_STATUS = 302


# --- Decorators -------------------------------------------------------------------------------------
def studio_page(*, private: bool = False) -> Callable[[View], View]:
    """Studio time zone for dates. A public page is one every visitor who is not signed in sees alike
    (``portal.pagecache``: shared caches keep it briefly); member pages are never stored."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: StudioRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            request.studio = studio_or_404(request, slug)
            with timezone.override(studio_zone(request.studio)):
                response = view(request, slug, *args, **kwargs)
            if private:
                patch_cache_control(response, private=True, no_store=True)
            return response

        return wrapper if private else public_page(wrapper)

    return decorator


def member_only(view: View) -> View:
    """``member_required``, but an HTMX request of a signed-out visitor navigates to the sign-in page
    instead of swapping it into a fragment."""
    protected = member_required(view)

    @wraps(view)
    def wrapper(request: StudioRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        studio = studio_or_404(request, slug)
        if request.htmx and signed_in_customer_id(request, studio) is None:
            next_url = request.htmx.current_url_abs_path or request.get_full_path()
            sign_in = reverse("selfservice:account", kwargs={"slug": studio.slug})
            return redirect_after(request, f"{sign_in}?{urlencode({'next': next_url})}")
        return protected(request, slug, *args, **kwargs)

    # Checked by the body middleware too, before the CSRF check reads a stranger's POST body.
    return check_before_body(member_only)(wrapper)


def _back(request: StudioRequest, name: str, **kwargs: Any) -> str:
    """Where to go back to after a form (``next``, only paths of this studio), else the page ``name``."""
    default = reverse(name, kwargs={"slug": request.studio.slug, **kwargs})
    value = request.POST.get("next") or request.GET.get("next")
    return safe_next(request, value, studio_slug=request.studio.slug, default=default)


def _done(request: HttpRequest, ok: bool, message: str, target: str) -> HttpResponse:
    """After a form: the message on the next page (PRG); HTMX navigates there instead of swapping it in."""
    (messages.success if ok else messages.error)(request, message)
    return redirect_after(request, target, status=REDIRECT_STATUS)


def _pending(request: HttpRequest, outcome: services.Outcome, **query: Any) -> HttpResponse:
    """While the first request still sends the form: this page asks again with ``query``."""
    return writes.pending_response(request, f"{request.path}?{urlencode(query)}", outcome.message)


# --- Schedule ---------------------------------------------------------------------------------------
@require_GET
@studio_page()
def schedule(request: StudioRequest, slug: str) -> HttpResponse:
    studio = request.studio
    customer_id = signed_in_customer_id(request, studio)
    filters = schedule_filters(request.GET)
    context = {
        "page": services.schedule_page(studio, filters, customer_id),
        "filters": filters,
        "signed_in": customer_id is not None,
        "next": request.get_full_path(),
    }
    template = template_for(request, "bookings/schedule.html", "results", target="schedule-results")
    return render(request, template, context)


@require_GET
@studio_page()
def occupancy(request: StudioRequest, slug: str) -> HttpResponse:
    """The studio's current occupancy as a fragment (for the studio home, loaded with hx-get)."""
    return render(request, "bookings/_occupancy.html", {"occupancy": studio_occupancy(request.studio)})


@require_http_methods(["GET", "POST"])
@studio_page(private=True)
@member_only
def book_class(request: StudioRequest, slug: str, slot_id: int) -> HttpResponse:
    next_url = _back(request, "bookings-schedule")
    poll = request.method == "GET" and "key" in request.GET  # asking what became of a form being sent
    if request.method == "GET" and not poll:
        return _class_booking_page(request, slot_id, next_url)
    key = request.GET.get("key") if poll else request.POST.get("key")
    outcome = services.book_class(request.studio, request.customer_id, slot_id, key, poll=poll)
    poll_url = f"{request.path}?{urlencode({'key': key, 'next': next_url})}"
    if request.htmx and outcome.slot is not None:
        return _slot_in_place(request, outcome, outcome.slot, next_url, poll_url if outcome.in_progress else "")
    if outcome.in_progress:
        return _pending(request, outcome, key=key, next=next_url)
    return _done(request, outcome.ok, outcome.message, f"{next_url}#slot-{slot_id}" if outcome.slot else next_url)


def _class_booking_page(request: StudioRequest, slot_id: int, next_url: str) -> HttpResponse:
    """For members who arrive from a link (after signing in) or without JavaScript."""
    try:
        view = services.slot_view(request.studio, slot_id, request.customer_id)
    except services.Unreachable as exc:
        return _done(request, False, exc.message, next_url)
    if view is None:
        raise Http404("No such class slot")
    return render(request, "bookings/book_class.html", {"view": view, "next": next_url})


def _slot_in_place(
    request: StudioRequest, outcome: services.Outcome, view: services.SlotView, next_url: str, poll_url: str
) -> HttpResponse:
    """The booked slot replaces itself, and the page's booking form gets a fresh key (the next click is new).

    While the first click is still being sent, the row asks again every second (``poll_url``).
    """
    context: dict[str, Any] = {"view": view, "signed_in": True, "poll_url": poll_url}
    if poll_url:
        context["message"] = ""
    row = render_to_string("bookings/schedule.html#slot", context, request=request)
    form = render_to_string("bookings/schedule.html#book_form", {"oob": True, "next": next_url}, request=request)
    response = HttpResponse(row + form, status=outcome.status)
    response["HX-Retarget"] = f"#slot-{view.id}"
    response["HX-Reswap"] = "outerHTML"
    return response


# --- Appointments -----------------------------------------------------------------------------------
@require_GET
@studio_page()
def appointment_types(request: StudioRequest, slug: str) -> HttpResponse:
    page = services.appointment_types_page(request.studio)
    return render(request, "bookings/appointment_types.html", {"page": page})


@require_GET
@studio_page()
def appointment_slots(request: StudioRequest, slug: str, type_id: int) -> HttpResponse:
    studio = request.studio
    try:
        page = services.appointment_page(studio, type_id, chosen_day(request.GET))
    except services.NotYours as exc:
        raise Http404("No such appointment") from exc
    context = {
        "page": page,
        "signed_in": signed_in_customer_id(request, studio) is not None,
        "next": request.get_full_path(),
    }
    template = template_for(request, "bookings/appointment_slots.html", "slots", target="appointment-slots")
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@studio_page(private=True)
@member_only
def book_appointment(request: StudioRequest, slug: str, type_id: int) -> HttpResponse:
    back = _back(request, "bookings-appointment", type_id=type_id)
    poll = request.method == "GET" and "key" in request.GET  # asking what became of a form being sent
    if request.method == "GET" and not poll:
        return _appointment_booking_page(request, type_id, request.GET.get("start", ""), back)
    data = request.GET if poll else request.POST
    start, end, key = data.get("start", ""), data.get("end", ""), data.get("key")
    outcome = services.book_appointment(request.studio, request.customer_id, type_id, start, end, key, poll=poll)
    if outcome.in_progress:
        return _pending(request, outcome, key=key, start=start, end=end, next=back)
    if request.htmx and outcome.appointment_slot is not None and not poll:
        context = {
            "slot": outcome.appointment_slot,
            "type_id": type_id,
            "message": outcome.message,
            "message_ok": outcome.ok,
            "booked": outcome.ok,
            "can_book": not outcome.ok,
            "signed_in": True,
            "next": back,
        }
        return render(request, "bookings/appointment_slots.html#slot", context, status=outcome.status)
    mine = reverse("bookings-mine", kwargs={"slug": request.studio.slug})
    return _done(request, outcome.ok, outcome.message, mine if outcome.ok else back)


def _appointment_booking_page(request: StudioRequest, type_id: int, start: str, back: str) -> HttpResponse:
    try:
        atype, slot = services.find_appointment_slot(request.studio, type_id, start)
    except services.NotYours as exc:
        raise Http404("No such appointment") from exc
    if slot is None:
        return _done(request, False, _("This time is no longer free. Please choose another time."), back)
    return render(request, "bookings/book_appointment.html", {"type": atype, "slot": slot, "next": back})


# --- My bookings ------------------------------------------------------------------------------------
@require_GET
@studio_page(private=True)
@member_only
def my_bookings(request: StudioRequest, slug: str) -> HttpResponse:
    new_feed_url = _take_new_feed_url(request)
    context = {
        "page": services.my_bookings_page(request.studio, request.customer_id),
        "new_feed_url": new_feed_url,
        "webcal_url": "webcal://" + new_feed_url.split("://", 1)[-1] if new_feed_url else "",
    }
    return render(request, "bookings/my_bookings.html", context)


def _cancel(
    request: StudioRequest,
    booking_id: int,
    cancel: Callable[..., services.Outcome],
    show: Callable[[str], HttpResponse],
) -> HttpResponse:
    """A cancel page: ``show`` the booking (with where to go back), or ``cancel`` it after the member confirmed."""
    back = _back(request, "bookings-mine")
    try:
        if request.method == "POST" or "sent" in request.GET:
            poll = request.method == "GET"  # asking what became of the cancelation being sent
            outcome = cancel(request.studio, request.customer_id, booking_id, poll=poll)
            if outcome.in_progress:
                return _pending(request, outcome, sent=1, next=back)
            return _done(request, outcome.ok, outcome.message, back)
        return show(back)
    except services.NotYours as exc:
        raise Http404("No such booking") from exc
    except services.Unreachable as exc:
        return _done(request, False, exc.message, back)


@require_http_methods(["GET", "POST"])
@studio_page(private=True)
@member_only
def cancel_class(request: StudioRequest, slug: str, booking_id: int) -> HttpResponse:
    def show(back: str) -> HttpResponse:
        detail = services.class_booking_detail(request.studio, request.customer_id, booking_id)
        context = {"detail": detail, "rule": services.cancel_rule_text(detail), "next": back}
        return render(request, "bookings/cancel_class.html", context)

    return _cancel(request, booking_id, services.cancel_class, show)


@require_http_methods(["GET", "POST"])
@studio_page(private=True)
@member_only
def cancel_appointment(request: StudioRequest, slug: str, booking_id: int) -> HttpResponse:
    def show(back: str) -> HttpResponse:
        booking = services.appointment_booking(request.studio, request.customer_id, booking_id)
        can_cancel = services.appointment_can_cancel(request.studio, booking)
        context = {"booking": booking, "can_cancel": can_cancel, "next": back}
        return render(request, "bookings/cancel_appointment.html", context)

    return _cancel(request, booking_id, services.cancel_appointment, show)


@require_GET
@studio_page(private=True)
@member_only
def booking_ics(request: StudioRequest, slug: str, kind: str, booking_id: int) -> HttpResponse:
    try:
        entry = services.entry_for(request.studio, request.customer_id, kind, booking_id)
    except services.NotYours as exc:
        raise Http404("No such booking") from exc
    body = ics.calendar([entry], request.studio, _host(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{booking_id}.ics"'
    return response


# --- Calendar feed -----------------------------------------------------------------------------------
_NEW_FEED_SESSION_KEY = "bookings_new_feed_url"


def _take_new_feed_url(request: HttpRequest) -> str:
    """A just-created feed URL is shown once (only its hash is stored)."""
    return str(request.session.pop(_NEW_FEED_SESSION_KEY, ""))


@require_POST
@studio_page(private=True)
@member_only
def manage_feed(request: StudioRequest, slug: str) -> HttpResponse:
    studio, customer_id = request.studio, request.customer_id
    if request.POST.get("action") == "revoke":
        CalendarFeed.objects.filter(studio=studio, customer_id=customer_id).delete()
        messages.success(request, _("Your calendar link is turned off. Calendar apps can no longer read it."))
    else:
        token = CalendarFeed.issue(studio, customer_id)
        feed_path = reverse("bookings-feed", kwargs={"slug": studio.slug, "token": token})
        request.session[_NEW_FEED_SESSION_KEY] = request.build_absolute_uri(feed_path)
        messages.success(request, _("Your new calendar link is ready. Any older link no longer works."))
    mine = reverse("bookings-mine", kwargs={"slug": studio.slug})
    return redirect_after(request, f"{mine}#calendar", status=REDIRECT_STATUS)


@require_GET
def feed(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The member's bookings for calendar apps: no cookies, the private token is the key."""
    studio = studio_or_404(request, slug)
    if not hit("bookings-feed-ip", client_ip(request), limit=600, window=3600):
        return HttpResponse(status=429, headers={"Retry-After": "3600"})
    subscription = CalendarFeed.find(studio, token)
    if subscription is None:
        raise Http404("No such calendar")
    if not hit("bookings-feed", subscription.token_hash, limit=120, window=3600):
        return HttpResponse(status=429, headers={"Retry-After": "3600"})
    with timezone.override(studio_zone(studio)):
        entries, results = services.upcoming_entries(studio, subscription.customer_id)
    if not all(result.has_value for result in results):
        # Tell the calendar app to try again later rather than remove the bookings it could not read.
        return HttpResponse(status=503, headers={"Retry-After": "600"})
    CalendarFeed.objects.filter(pk=subscription.pk).update(last_used_at=timezone.now())
    body = ics.calendar(entries, studio, _host(request), name=studio.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    patch_cache_control(response, private=True, max_age=900)
    return response


def _host(request: HttpRequest) -> str:
    return request.get_host().split(":")[0] or "portal"
