"""Staff see only their own studios in admin; superusers see everything.

A staff user belongs to studios through ``Studio.staff``. Every admin of the project derives from
``StudioScopedAdmin`` (naming the path from its model to the studio) or, when its rows belong to no
studio, from ``SuperuserOnlyAdmin``. Scoping the queryset is what keeps other studios out: Django's
admin finds the object of every change, delete and history page, every action's selection and every
CSV export through ``get_queryset``, so another studio's object answers like a missing one.
The permission checks on the object and the limited choices (foreign keys, list filters) say the
same again where Django does not go through the queryset.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest

from portal.models import Studio


def studios_of(user: Any) -> QuerySet[Studio]:
    """The studios ``user`` may see in admin: all for a superuser, else those they are staff of."""
    if user.is_superuser:
        return Studio.objects.all()
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Studio.objects.none()
    return Studio.objects.filter(staff=user)


def limit_to_studios(queryset: QuerySet[Any], user: Any, studio_field: str) -> QuerySet[Any]:
    """``queryset`` without the rows of studios ``user`` does not belong to."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{studio_field}__in": studios_of(user)})


def studio_id_of(obj: models.Model, studio_field: str) -> Any:
    """The id of the studio ``obj`` belongs to, following ``studio_field`` ("pk", "studio", "lead__studio")."""
    if studio_field == "pk":
        return obj.pk
    *hops, last = studio_field.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")


class StudioScopedAdmin(admin.ModelAdmin):
    """An admin whose rows belong to a studio: non-superusers see and change only their studios' rows."""

    # The lookup path from the model to its studio; "pk" for the studio itself.
    studio_field: str = "studio"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return limit_to_studios(super().get_queryset(request), request.user, self.studio_field)

    def is_own(self, request: HttpRequest, obj: models.Model | None) -> bool:
        """Whether ``obj`` belongs to one of the user's studios (no object: the question is about the model)."""
        if obj is None or request.user.is_superuser:
            return True
        return studios_of(request.user).filter(pk=studio_id_of(obj, self.studio_field)).exists()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self.is_own(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self.is_own(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self.is_own(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new row must belong to a studio of the user: without one there is nothing to add to.
        return super().has_add_permission(request) and studios_of(request.user).exists()

    def _scoped_choices(self, db_field: models.Field[Any, Any], request: HttpRequest) -> QuerySet[Any] | None:
        """The rows a relation may point to when its target is scoped too (the studio itself, a lead...)."""
        related_admin = self.admin_site._registry.get(db_field.related_model)  # type: ignore[arg-type]
        if isinstance(related_admin, StudioScopedAdmin):
            return related_admin.get_queryset(request)
        return None

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if "queryset" not in kwargs:
            choices = self._scoped_choices(db_field, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if "queryset" not in kwargs:
            choices = self._scoped_choices(db_field, request)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        """A filter on a studio (or another scoped relation) offers only the values of rows the user sees.

        Django's plain related filter lists every row of the target table: other studios' names.
        """
        list_filter = super().get_list_filter(request)
        if request.user.is_superuser:
            return list(list_filter)
        return [self._scoped_filter(entry, request) for entry in list_filter]

    def _scoped_filter(self, entry: Any, request: HttpRequest) -> Any:
        if not isinstance(entry, str):
            return entry
        try:
            field = get_fields_from_path(self.model, entry)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return entry
        if field.is_relation and self._scoped_choices(field, request) is not None:
            return (entry, admin.RelatedOnlyFieldListFilter)
        return entry


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """An admin whose rows belong to no single studio: only superusers see it, whatever the permissions say."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)
