"""Staff admin for studios: write-only API key, logo upload, who the studio's staff are, and setting a studio up
on its own page (a checklist, the connection test with what the API says about the studio, the embed snippet)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from portal.admin_forms import BASIC_FIELDS, StudioAdminForm
from portal.admin_scope import StudioScopedAdmin
from portal.exports import csv_response
from portal.models import AuditEntry, Studio
from portal.services import (
    ConnectionResult,
    connection_changed,
    settings_from_api,
    studio_overview,
    take_settings_from_api,
    test_connection,
)

UNREADABLE_KEY = _("The stored API key cannot be decrypted with the configured keys. Please enter the key again.")
# Changing one of these makes the last connection test, and what was read with the old connection, void.
CONNECTION_FIELDS = frozenset({"mode", "api_base_url", "api_key", "clear_api_key"})
EMBED_PAGES = (
    ("trial", _("Trial offers")),
    ("classes", _("Class schedule")),
    ("appointments", _("Appointments")),
    ("account", _("Member area")),
    ("cancel", _("Cancel contracts (§312k)")),
    ("voucher", _("Check-in voucher")),
)


def report_connection(modeladmin: admin.ModelAdmin, request: HttpRequest, studio: Studio, result: ConnectionResult):
    level = messages.SUCCESS if result.ok else messages.ERROR
    modeladmin.message_user(request, f"{studio.name}: {result.message}", level=level)


# --- The last connection test, per studio, for this admin session --------------------------------
# Kept in the session, not the database: a result is only true for the key it was run with, and the
# setup box only needs it until staff leave (no migration, nothing to go stale for other users).
LAST_TESTS = "portal:studio-connection-tests"


@dataclass(frozen=True)
class LastTest:
    ok: bool
    message: str


def remember_test(request: HttpRequest, studio: Studio, result: ConnectionResult) -> None:
    tests = dict(request.session.get(LAST_TESTS, {}))
    tests[str(studio.pk)] = {"ok": result.ok, "message": result.message}
    request.session[LAST_TESTS] = tests


def last_test(request: HttpRequest, studio: Studio) -> LastTest | None:
    found = request.session.get(LAST_TESTS, {}).get(str(studio.pk))
    return LastTest(ok=bool(found["ok"]), message=str(found["message"])) if found else None


def forget_test(request: HttpRequest, studio: Studio) -> None:
    tests = dict(request.session.get(LAST_TESTS, {}))
    if tests.pop(str(studio.pk), None) is not None:
        request.session[LAST_TESTS] = tests


# --- The setup box at the top of the studio's page ------------------------------------------------
@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool


def setup_checklist(studio: Studio, tested: LastTest | None) -> list[ChecklistItem]:
    return [
        ChecklistItem(str(_("API key stored")), studio.has_api_key and studio.api_key_is_readable),
        ChecklistItem(str(_("Connection tested and working")), bool(tested and tested.ok)),
        ChecklistItem(str(_("Cancelation reason chosen")), studio.default_cancelation_reason_id is not None),
        ChecklistItem(str(_("Embed origins set")), bool(studio.embed_origins)),
        ChecklistItem(str(_("Contact e-mail set")), bool(studio.contact_email)),
    ]


def setup_context(request: HttpRequest, studio: Studio) -> dict[str, Any]:
    """The setup box: the checklist, the last test, and after a working test what the API says about the
    studio (its address and opening hours are shown, never stored: the API is their source of truth)."""
    tested = last_test(request, studio)
    context: dict[str, Any] = {
        "checklist": setup_checklist(studio, tested),
        "last_test": tested,
        "embed_snippet": embed_snippet(request, studio, "trial", studio.default_language),
    }
    if tested and tested.ok:
        overview = studio_overview(studio)  # kept by the test a moment ago: no second call
        context["overview"] = overview
        if overview.information is not None:
            found = settings_from_api(overview.information)
            context["from_api"] = found
            context["from_api_differs"] = found.differ_from(studio)
    return context


def embed_snippet(request: HttpRequest, studio: Studio, page: str, language: str) -> str:
    base = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")
    return (
        f'<script src="{base}/embed.js" async></script>\n'
        f'<div data-studio-portal data-studio="{studio.slug}" data-page="{page}" data-lang="{language}"></div>'
    )


@admin.register(Studio)
class StudioAdmin(StudioScopedAdmin):
    studio_field = "pk"
    form = StudioAdminForm
    change_form_template = "admin/portal/studio/change_form.html"
    list_display = (
        "name",
        "slug",
        "mode",
        "key_is_set",
        "key_problem",
        "default_language",
        "is_active",
        "dashboard_link",
    )
    list_filter = ("mode", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("current_logo",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["test_connection_action"]
    fieldsets = (
        (_("Basics"), {"fields": BASIC_FIELDS}),
        (
            _("Connection"),
            {
                "fields": ("mode", "api_base_url", "api_key", "clear_api_key"),
                "description": _(
                    "Paste the API key, then choose “Save and test connection” at the bottom of the page: the key "
                    "is saved first, then tested."
                ),
            },
        ),
        (_("Look"), {"fields": ("brand_colour", "current_logo", "logo_upload", "remove_logo")}),
        (_("Embedding"), {"fields": ("allowed_embed_origins",)}),
        (
            _("Trial offers"),
            {
                "fields": (
                    "trial_what_to_bring",
                    "checkin_voucher_online_offer_id",
                    "lead_retention_days",
                    "lead_limit_per_ip_per_hour",
                    "lead_limit_per_email_per_day",
                )
            },
        ),
        (_("Member self-service"), {"fields": ("default_cancelation_reason_id",)}),
        (_("Staff"), {"fields": ("staff",)}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # Only superusers decide who belongs to a studio: staff would otherwise add themselves elsewhere.
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else (*readonly, "staff")

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "staff":
            users = get_user_model()
            kwargs["queryset"] = users._default_manager.filter(is_staff=True).order_by(users.USERNAME_FIELD)
            # Plain checkboxes: Django's two-box filter widget puts aria-label on role-less spans (axe).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new studio is a new tenant and nobody's yet: setting one up is the operator's job.
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Deleting a studio deletes all its records and its staff assignments.
        return bool(request.user.is_superuser)

    def studio_or_404(self, request: HttpRequest, object_id: str) -> Studio:
        """The studio of a custom page, if it is one of the user's (else it answers like a missing one)."""
        studio = self.get_object(request, object_id)
        if studio is None:
            raise Http404
        return studio

    @admin.display(boolean=True, description=_("API key set"))
    def key_is_set(self, studio: Studio) -> bool:
        return studio.has_api_key

    @admin.display(description=_("Dashboard"))
    def dashboard_link(self, studio: Studio) -> str:
        label = _("Dashboard: %(studio)s") % {"studio": studio.name}  # a link name that stands alone
        return format_html('<a href="{}">{}</a>', reverse("studio-dashboard", args=[studio.pk]), label)

    @admin.display(description=_("API key problem"))
    def key_problem(self, studio: Studio) -> str:
        if studio.has_api_key and not studio.api_key_is_readable:
            return str(_("API key cannot be decrypted: enter it again"))  # rendered in the request's language
        return ""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        studio = self.get_object(request, object_id)
        if request.method == "GET" and studio is not None:
            if studio.has_api_key and not studio.api_key_is_readable:
                # Every page of the studio says "not available" until then (SECRET_KEY changed without
                # PORTAL_ENCRYPTION_KEY): say what to do where staff look first.
                self.message_user(request, UNREADABLE_KEY, level=messages.ERROR)
            extra_context = {**(extra_context or {}), **setup_context(request, studio)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Studio, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and CONNECTION_FIELDS.intersection(form.changed_data):
            forget_test(request, obj)
            connection_changed(obj)

    def response_add(self, request: HttpRequest, obj: Studio, post_url_continue: str | None = None) -> HttpResponse:
        if "_test_connection" in request.POST:
            return self._saved_and_tested(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Studio) -> HttpResponse:
        if "_test_connection" in request.POST:
            return self._saved_and_tested(request, obj)
        return super().response_change(request, obj)

    def _saved_and_tested(self, request: HttpRequest, studio: Studio) -> HttpResponse:
        """ "Save and test connection": the pasted key is stored first (it is never kept in the page), then tested."""
        self.message_user(request, _("The studio “%(name)s” was saved.") % {"name": studio.name}, messages.SUCCESS)
        remember_test(request, studio, test_connection(studio))
        return HttpResponseRedirect(reverse("admin:portal_studio_change", args=[studio.pk]))

    @admin.display(description=_("Current logo"))
    def current_logo(self, studio: Studio):
        if not studio.pk or not studio.logo:
            return _("No logo")
        url = reverse("studio-logo", kwargs={"slug": studio.slug})
        return format_html('<img src="{}?v={}" alt="" height="48">', url, int(studio.updated_at.timestamp()))

    @admin.action(description=_("Test connection"))
    def test_connection_action(self, request: HttpRequest, queryset: QuerySet[Studio]) -> None:
        for studio in queryset:
            report_connection(self, request, studio, test_connection(studio))

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/test-connection/",
                self.admin_site.admin_view(self.test_connection_view),
                name="portal_studio_test_connection",
            ),
            path(
                "<path:object_id>/settings-from-api/",
                self.admin_site.admin_view(self.settings_from_api_view),
                name="portal_studio_settings_from_api",
            ),
            path(
                "<path:object_id>/embed/",
                self.admin_site.admin_view(self.embed_view),
                name="portal_studio_embed",
            ),
        ]
        return urls + super().get_urls()

    EMBED_PAGES = EMBED_PAGES

    def embed_view(self, request: HttpRequest, object_id: str):
        """The snippet a studio pastes into its website, per page, with a live preview."""
        studio = self.studio_or_404(request, object_id)
        if not self.has_view_permission(request, studio):
            raise PermissionDenied
        page = request.GET.get("page", "trial")
        if page not in dict(EMBED_PAGES):
            page = "trial"
        language = request.GET.get("lang", studio.default_language)
        if language not in studio.enabled_languages:
            language = studio.default_language
        context = {
            **self.admin_site.each_context(request),
            "title": _("Embed %(studio)s on your website") % {"studio": studio.name},
            "studio": studio,
            "opts": self.model._meta,
            "original": studio,
            "pages": EMBED_PAGES,
            "page": page,
            "language": language,
            "languages": [(code, get_language_info(code)["name_local"]) for code in studio.enabled_languages],
            "snippet": embed_snippet(request, studio, page, language),
            "origins": studio.embed_origins,
        }
        return TemplateResponse(request, "admin/portal/studio/embed.html", context)

    def _changeable_studio(self, request: HttpRequest, object_id: str) -> Studio:
        studio = self.studio_or_404(request, object_id)
        if not self.has_change_permission(request, studio):
            raise PermissionDenied
        return studio

    def test_connection_view(self, request: HttpRequest, object_id: str):
        """The setup box's "Test connection" button for the stored key (a POST: it calls out, so no
        prefetching links). The result shows in the setup box."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        studio = self._changeable_studio(request, object_id)
        remember_test(request, studio, test_connection(studio))
        return HttpResponseRedirect(reverse("admin:portal_studio_change", args=[studio.pk]))

    def settings_from_api_view(self, request: HttpRequest, object_id: str):
        """The setup box's "Use this name and time zone": staff confirmed what the API says."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        studio = self._changeable_studio(request, object_id)
        result = take_settings_from_api(studio)
        self.message_user(request, result.message, level=messages.SUCCESS if result.ok else messages.ERROR)
        return HttpResponseRedirect(reverse("admin:portal_studio_change", args=[studio.pk]))


@admin.register(AuditEntry)
class AuditEntryAdmin(StudioScopedAdmin):
    """The audit trail: read-only for everyone, filterable, exportable as CSV."""

    list_display = ("created_at", "studio", "actor", "action", "outcome", "upstream_status", "trace_id")
    list_filter = ("studio", "action", "outcome", ("created_at", admin.DateFieldListFilter))
    search_fields = ("actor", "trace_id", "action")
    date_hierarchy = "created_at"
    actions = ["export_csv"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description=_("Export selected entries as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[AuditEntry]) -> HttpResponse:
        return audit_csv_response(queryset)


def audit_csv_response(queryset: QuerySet[AuditEntry]) -> HttpResponse:
    header = ["when", "studio", "who", "what", "outcome", "upstream status", "trace id", "details"]
    rows = (
        [
            entry.created_at.isoformat(),
            entry.studio.slug,
            entry.actor,
            entry.action,
            entry.outcome,
            entry.upstream_status or "",
            entry.trace_id,
            json.dumps(entry.details, sort_keys=True),
        ]
        for entry in queryset.select_related("studio").order_by("created_at")
    )
    return csv_response("audit-log.csv", header, rows)
