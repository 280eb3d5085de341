"""Access to one studio's sandbox state. Entities are plain dicts with an ``id``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from sandbox.errors import ApiProblem
from sandbox.models import SandboxObject

if TYPE_CHECKING:
    from portal.models import Studio


def _as_dict(obj: SandboxObject) -> dict[str, Any]:
    return {**obj.data, "id": obj.pk}


class Store:
    def __init__(self, studio: Studio) -> None:
        self.studio = studio

    def _qs(self, kind: str) -> QuerySet[SandboxObject]:
        return SandboxObject.objects.filter(studio=self.studio, kind=kind)

    def get(self, kind: str, entity_id: int | str | None) -> dict[str, Any] | None:
        if entity_id is None:
            return None
        try:
            obj = self._qs(kind).get(pk=int(entity_id))
        except (SandboxObject.DoesNotExist, ValueError):
            return None
        return _as_dict(obj)

    def require(
        self, kind: str, entity_id: int | str | None, *, what: str | None = None, lock: bool = False
    ) -> dict[str, Any]:
        """The entity (with a row lock when ``lock``), or a 404 in the API's error shape naming ``what``."""
        found = self.lock(kind, entity_id) if lock else self.get(kind, entity_id)
        if found is None:
            raise ApiProblem.not_found(what or kind)
        return found

    def lock(self, kind: str, entity_id: int | str | None) -> dict[str, Any] | None:
        """Read with a row lock (PostgreSQL); SQLite serialises writers already."""
        if entity_id is None:
            return None
        try:
            obj = self._qs(kind).select_for_update().filter(pk=int(entity_id)).first()
        except ValueError:
            return None
        return _as_dict(obj) if obj else None

    def all(self, kind: str, **lookups: Any) -> list[dict[str, Any]]:
        """Entities of a kind, optionally filtered on data fields: ``all("booking", slotId=5)``."""
        filters = {f"data__{key}": value for key, value in lookups.items()}
        return [_as_dict(obj) for obj in self._qs(kind).filter(**filters).order_by("pk")]

    def create(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        payload = {k: v for k, v in data.items() if k != "id"}
        obj = SandboxObject.objects.create(studio=self.studio, kind=kind, data=payload)
        return _as_dict(obj)

    def save(self, kind: str, entity: dict[str, Any]) -> dict[str, Any]:
        """Replace an existing entity's data with ``entity`` (which carries its id)."""
        payload = {k: v for k, v in entity.items() if k != "id"}
        self._qs(kind).filter(pk=entity["id"]).update(data=payload)
        return entity

    def delete(self, kind: str, entity_id: int) -> None:
        self._qs(kind).filter(pk=entity_id).delete()

    def clear(self) -> None:
        SandboxObject.objects.filter(studio=self.studio).delete()
