"""The task table in admin: status and times only, never arguments, return values or tracebacks.

django_tasks_db registers an admin that shows every field of a task row. Task arguments are
ids only (``portal.notifications``), but a traceback may still quote data, so the portal
replaces that admin with one that shows what staff need to see that mail is flowing.
A task row names no studio, so only superusers see the table (``portal.admin_scope``).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

from portal.admin_scope import SuperuserOnlyAdmin

VISIBLE = ("id", "status", "enqueued_at", "started_at", "finished_at", "queue_name", "exception_class_path")


class TaskResultAdmin(SuperuserOnlyAdmin):
    list_display = ("id", "task_path", "status", "enqueued_at", "finished_at", "exception_class_path")
    list_filter = ("status", "queue_name")
    ordering = ["-enqueued_at"]
    fields = VISIBLE
    readonly_fields = VISIBLE

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_search_fields(self, request: HttpRequest):
        return ()  # searching would look into the arguments


def install() -> None:
    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)
