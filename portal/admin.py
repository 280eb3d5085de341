"""Staff admin for studios: write-only API key, logo upload, a connection test and who the studio's staff are."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_scope import StudioScopedAdmin
from portal.exports import csv_response
from portal.lib.filetypes import check_image
from portal.models import AuditEntry, Studio
from portal.services import ConnectionResult, test_connection

LOGO_MAX_BYTES = 200 * 1024
UNREADABLE_KEY = _("The stored API key cannot be decrypted with the configured keys. Please enter the key again.")


def _formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")  # API and privacy URLs are HTTPS (Django 6's default)
    return db_field.formfield(**kwargs)


# The studio's basic settings: the first section of its admin page, and fields of its form.
BASIC_FIELDS = (
    "name",
    "slug",
    "is_active",
    "default_language",
    "timezone",
    "contact_email",
    "privacy_policy_url",
)


class StudioAdminForm(forms.ModelForm):
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_api_key = forms.BooleanField(label=_("Remove the stored API key"), required=False)
    logo_upload = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("PNG, JPEG or WebP, at most 200 KB. Shown in the header of every studio page."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Studio
        formfield_callback = _formfield
        fields = (*BASIC_FIELDS, "mode", "api_base_url", "brand_colour", "allowed_embed_origins")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["api_key"]
        if self.instance.pk and self.instance.has_api_key:
            field.widget.attrs["placeholder"] = _("A key is stored (hidden)")
            field.help_text = _(
                "A key is stored. It is never shown again. Leave this empty to keep it, or enter a new key to "
                "replace it."
            )
        else:
            field.widget.attrs["placeholder"] = _("No key stored yet")
            field.help_text = _(
                "No key is stored yet. Paste the API key from the PerfectGym Open API settings; it is stored "
                "encrypted and never shown again."
            )
        if not (self.instance.pk and self.instance.logo):
            self.fields["remove_logo"].disabled = True

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                _("The logo may be at most 200 KB (this file has %(size)d KB)."), params={"size": upload.size // 1024}
            )
        data = upload.read()
        checked = check_image(data)  # decoded, not only recognised by its first bytes
        if checked.content_type is None:
            raise forms.ValidationError(_("Upload a PNG, JPEG or WebP image."))
        return {"data": data, "content_type": checked.content_type}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("api_key") and cleaned.get("clear_api_key"):
            self.add_error("clear_api_key", _("Either enter a new key or remove the stored one, not both."))
        if cleaned.get("logo_upload") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", _("Either upload a new logo or remove the current one, not both."))
        return cleaned

    def save(self, commit: bool = True) -> Studio:
        studio: Studio = super().save(commit=False)
        if self.cleaned_data.get("clear_api_key"):
            studio.set_api_key("")
        elif self.cleaned_data.get("api_key"):
            studio.set_api_key(self.cleaned_data["api_key"])
        logo = self.cleaned_data.get("logo_upload")
        if logo:
            studio.logo, studio.logo_content_type = logo["data"], logo["content_type"]
        elif self.cleaned_data.get("remove_logo"):
            studio.logo, studio.logo_content_type = None, ""
        if commit:
            studio.save()
            self.save_m2m()
        return studio


def report_connection(modeladmin: admin.ModelAdmin, request: HttpRequest, studio: Studio, result: ConnectionResult):
    level = messages.SUCCESS if result.ok else messages.ERROR
    modeladmin.message_user(request, f"{studio.name}: {result.message}", level=level)


@admin.register(Studio)
class StudioAdmin(StudioScopedAdmin):
    studio_field = "pk"
    form = StudioAdminForm
    change_form_template = "admin/portal/studio/change_form.html"
    list_display = ("name", "slug", "mode", "key_is_set", "key_problem", "default_language", "is_active")
    list_filter = ("mode", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("current_logo",)
    filter_horizontal = ("staff",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["test_connection_action"]
    fieldsets = (
        (_("Basics"), {"fields": BASIC_FIELDS}),
        (_("Connection"), {"fields": ("mode", "api_base_url", "api_key", "clear_api_key")}),
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

    @admin.display(description=_("API key problem"))
    def key_problem(self, studio: Studio) -> str:
        if studio.has_api_key and not studio.api_key_is_readable:
            return str(_("API key cannot be decrypted: enter it again"))  # rendered in the request's language
        return ""

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        studio = self.get_object(request, object_id)
        if request.method == "GET" and studio is not None and studio.has_api_key and not studio.api_key_is_readable:
            # Every page of the studio says "not available" until then (SECRET_KEY changed without
            # PORTAL_ENCRYPTION_KEY): say what to do where staff look first.
            self.message_user(request, UNREADABLE_KEY, level=messages.ERROR)
        return super().change_view(request, object_id, form_url, extra_context)

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
                "<path:object_id>/embed/",
                self.admin_site.admin_view(self.embed_view),
                name="portal_studio_embed",
            ),
        ]
        return urls + super().get_urls()

    EMBED_PAGES = (
        ("trial", _("Trial offers")),
        ("classes", _("Class schedule")),
        ("appointments", _("Appointments")),
        ("account", _("Member area")),
        ("cancel", _("Cancel contracts (§312k)")),
        ("voucher", _("Check-in voucher")),
    )

    def embed_view(self, request: HttpRequest, object_id: str):
        """The snippet a studio pastes into its website, per page, with a live preview."""
        from django.template.response import TemplateResponse

        studio = self.studio_or_404(request, object_id)
        if not self.has_view_permission(request, studio):
            raise PermissionDenied
        page = request.GET.get("page", "trial")
        if page not in dict(self.EMBED_PAGES):
            page = "trial"
        language = request.GET.get("lang", studio.default_language)
        if language not in ("de", "en"):
            language = studio.default_language
        base = settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")
        snippet = (
            f'<script src="{base}/embed.js" async></script>\n'
            f'<div data-studio-portal data-studio="{studio.slug}" data-page="{page}" data-lang="{language}"></div>'
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Embed %(studio)s on your website") % {"studio": studio.name},
            "studio": studio,
            "opts": self.model._meta,
            "original": studio,
            "pages": self.EMBED_PAGES,
            "page": page,
            "language": language,
            "snippet": snippet,
            "origins": studio.embed_origins,
        }
        return TemplateResponse(request, "admin/portal/studio/embed.html", context)

    def test_connection_view(self, request: HttpRequest, object_id: str):
        """The change form's "Test connection" button (a POST: it calls out, so no prefetching links)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        studio = self.studio_or_404(request, object_id)
        if not self.has_change_permission(request, studio):
            raise PermissionDenied
        report_connection(self, request, studio, test_connection(studio))
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
