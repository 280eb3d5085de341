"""Read-only admin for cancelations without login: the studio's record of every declaration."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from portal.admin_scope import StudioScopedAdmin
from selfservice.models import OnlineCancelation


@admin.register(OnlineCancelation)
class OnlineCancelationAdmin(StudioScopedAdmin):
    list_display = (
        "received_at",
        "studio",
        "kind",
        "outcome",
        "filed_end_date",
        "matched_customer_id",
        "studio_emailed",
    )
    list_filter = ("studio", "kind", "outcome", ("received_at", admin.DateFieldListFilter))
    search_fields = ("reference", "last_name", "contract_identifier")
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in OnlineCancelation._meta.fields if f.name != "nonce"]
    exclude = ("nonce",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OnlineCancelation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OnlineCancelation | None = None) -> bool:
        # A declaration must not disappear; data protection deletion is a deliberate superuser act.
        return bool(request.user.is_superuser)
