"""The sandbox's stored entities, read-only: staff look, the API stand-in writes."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sandbox.models import SandboxObject


@admin.register(SandboxObject)
class SandboxObjectAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "studio", "updated_at")
    list_filter = ("kind", "studio")
    search_fields = ("=id", "kind")
    list_select_related = ("studio",)
    fields = ("studio", "kind", "pretty_data", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("data"))
    def pretty_data(self, obj: SandboxObject):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False, sort_keys=True))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
