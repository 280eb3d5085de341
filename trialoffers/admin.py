"""Staff's view of leads: every lead of their studios with its bookings and status, filters, search, CSV export,
the funnel."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.admin_scope import StudioScopedAdmin
from portal.exports import csv_response
from trialoffers import services
from trialoffers.models import FunnelWeek, Lead, TrialBooking, VoucherRedemption
from trialoffers.outcomes import MESSAGES, VOUCHER_MESSAGES


def reason_label(reason: str) -> str:
    """The reason as staff read it: the visitor's sentence, plus the code for support."""
    if not reason:
        return ""
    text = MESSAGES.get(reason) or VOUCHER_MESSAGES.get(reason)
    return f"{reason}: {text}" if text else reason


class OfferFilter(admin.SimpleListFilter):
    title = _("offer")
    parameter_name = "offer"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, str]]:
        # The offers of the leads this user may see, not those of other studios.
        leads = model_admin.get_queryset(request).order_by("offer_title")
        titles = leads.values_list("offer_title", flat=True).distinct()
        return [(title, title) for title in titles if title]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(offer_title=self.value()) if self.value() else queryset


class ReadOnlyAdmin(StudioScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TrialBookingInline(admin.TabularInline):
    model = TrialBooking
    extra = 0
    can_delete = False
    fields = ("starts_at", "offer_title", "location", "status", "reason", "booking_id", "confirm_by", "attempts")
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason(self, booking: TrialBooking) -> str:
        return reason_label(booking.failure_reason)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "studio", "offer_title", "slot", "status", "reason", "full_name", "email")
    list_filter = ("status", OfferFilter, ("created_at", admin.DateFieldListFilter), "studio", "offer_kind")
    search_fields = ("first_name", "last_name", "email", "=lead_customer_id", "=bookings__booking_id", "offer_title")
    date_hierarchy = "created_at"
    inlines = [TrialBookingInline]
    actions = ["export_csv"]
    fields = (
        "studio",
        "created_at",
        "status",
        "reason",
        "offer_kind",
        "offer_title",
        "offer_id",
        "config_id",
        "first_name",
        "last_name",
        "email",
        "language",
        "lead_customer_id",
        "creation",
        "anonymised_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("studio").prefetch_related("bookings")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Unconfirmed bookings past their deadline are shown as expired, as the API treats them.
        services.expire_overdue()
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("name"))
    def full_name(self, lead: Lead) -> str:
        return lead.full_name

    @admin.display(description=_("reason"))
    def reason(self, lead: Lead) -> str:
        return reason_label(lead.failure_reason)

    @admin.display(description=_("time"))
    def slot(self, lead: Lead) -> str:
        bookings = sorted(lead.bookings.all(), key=lambda b: b.updated_at, reverse=True)
        if not bookings:
            return ""
        return timezone.localtime(bookings[0].starts_at).strftime("%Y-%m-%d %H:%M")

    @admin.action(description=_("Export selected leads as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Lead]) -> HttpResponse:
        return leads_csv_response(queryset)


LEAD_COLUMNS = [
    "created_at",
    "studio",
    "status",
    "reason",
    "offer_kind",
    "offer",
    "slot_start",
    "booking_status",
    "booking_id",
    "lead_customer_id",
    "first_name",
    "last_name",
    "email",
    "language",
]


def _lead_row(lead: Lead) -> list[Any]:
    latest = max(lead.bookings.all(), key=lambda b: b.updated_at, default=None)
    return [
        lead.created_at.isoformat(),
        lead.studio.slug,
        lead.status,
        lead.failure_reason,
        lead.offer_kind,
        lead.offer_title,
        latest.starts_at.isoformat() if latest else "",
        latest.status if latest else "",
        (latest.booking_id or "") if latest else "",
        lead.lead_customer_id or "",
        lead.first_name,
        lead.last_name,
        lead.email,
        lead.language,
    ]


def leads_csv_response(queryset: QuerySet[Lead]) -> HttpResponse:
    leads = queryset.select_related("studio").prefetch_related("bookings")
    return csv_response("trial-leads.csv", LEAD_COLUMNS, (_lead_row(lead) for lead in leads))


@admin.register(FunnelWeek)
class FunnelWeekAdmin(ReadOnlyAdmin):
    list_display = (
        "week",
        "studio",
        "offers_viewed",
        "forms_started",
        "leads_created",
        "bookings_confirmed",
        "conversion",
    )
    list_filter = ("studio", ("week_start", admin.DateFieldListFilter))
    ordering = ("-week_start", "studio__name")

    @admin.display(description=_("week"), ordering="week_start")
    def week(self, row: FunnelWeek) -> str:
        return f"{row.week_start:%G-W%V} ({row.week_start:%Y-%m-%d})"

    @admin.display(description=_("viewed → booked"))
    def conversion(self, row: FunnelWeek) -> str:
        if not row.offers_viewed:
            return "–"
        return f"{100 * row.bookings_confirmed / row.offers_viewed:.1f} %"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VoucherRedemption)
class VoucherRedemptionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "studio", "code_hint", "status", "reason")
    list_filter = ("status", "studio", ("created_at", admin.DateFieldListFilter))
    search_fields = ("code_hint",)
    fields = ("studio", "created_at", "code_hint", "status", "reason", "anonymised_at")
    readonly_fields = fields

    @admin.display(description=_("reason"))
    def reason(self, redemption: VoucherRedemption) -> str:
        return reason_label(redemption.failure_reason)
