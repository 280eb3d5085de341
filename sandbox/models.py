"""The sandbox's state: one row per upstream entity, kept in the portal's database.

Keeping it in the database (not in memory) makes the sandbox the same across
gunicorn workers and lets it survive restarts. ``data`` holds the entity in the
API's own camelCase shape; the row id is the entity's id.
"""

from __future__ import annotations

from django.db import models

from portal.models import Studio


class SandboxObject(models.Model):
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["studio", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
