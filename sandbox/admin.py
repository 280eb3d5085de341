"""The sandbox in admin: its stored entities (read-only) and each studio's fault injection.

The fault settings are an inline on the studio's page. ``portal`` knows nothing
of the sandbox, so the sandbox replaces the studio admin with a subclass that
adds the inline.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin import StudioAdmin
from portal.admin_scope import StudioScopedAdmin
from portal.models import Studio
from sandbox.models import SandboxFaults, SandboxObject


class SandboxFaultsInline(admin.StackedInline):
    model = SandboxFaults
    can_delete = False
    max_num = 1
    classes = ("collapse",)
    fieldsets = (
        (
            None,
            {
                "description": _("Only for sandbox studios: makes the stand-in API slow or failing on purpose."),
                "fields": ("latency_ms", "error_rates", "timeout_rate"),
            },
        ),
    )


class StudioWithFaultsAdmin(StudioAdmin):
    inlines = (*StudioAdmin.inlines, SandboxFaultsInline)


admin.site.unregister(Studio)
admin.site.register(Studio, StudioWithFaultsAdmin)


@admin.register(SandboxObject)
class SandboxObjectAdmin(StudioScopedAdmin):
    list_display = ("id", "kind", "studio", "updated_at")
    list_filter = ("kind", "studio")
    search_fields = ("=id", "kind")
    list_select_related = ("studio",)
    fields = ("studio", "kind", "pretty_data", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("data"))
    def pretty_data(self, obj: SandboxObject) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False, sort_keys=True))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SandboxObject | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SandboxObject | None = None) -> bool:
        return False
