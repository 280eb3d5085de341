"""The sandbox's state, kept in the portal's database: its entities and its fault settings.

Keeping it in the database (not in memory) makes the sandbox the same across
gunicorn workers and lets it survive restarts. ``SandboxObject.data`` holds the
entity in the API's own camelCase shape; the row id is the entity's id.
``SandboxFaults`` is a studio's fault injection: it belongs to the stand-in for
the API, so it is kept apart from the product's ``Studio``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class SandboxFaults(models.Model):
    """Added latency, error and timeout rates for one sandbox studio (ignored in live mode).

    No row means no faults; the environment's settings apply on top (see ``sandbox.faults``).
    """

    STATUSES = ("500", "503", "429")

    studio = models.OneToOneField(Studio, on_delete=models.CASCADE, primary_key=True, related_name="sandbox_faults")
    latency_ms = models.PositiveIntegerField(_("sandbox: added latency (ms)"), default=0)
    error_rates = models.JSONField(
        _("sandbox: error rates"),
        default=dict,
        blank=True,
        help_text=_('Share of requests answered with an error, e.g. {"500": 0.01, "503": 0.05, "429": 0.01}.'),
    )
    timeout_rate = models.FloatField(_("sandbox: timeout rate"), default=0.0)

    class Meta:
        verbose_name = _("Sandbox fault injection")
        verbose_name_plural = _("Sandbox fault injection")

    def __str__(self) -> str:
        return str(self.studio)

    def clean(self) -> None:
        rates = self.error_rates or {}
        if not isinstance(rates, dict) or any(
            str(status) not in self.STATUSES or not isinstance(share, (int, float)) or not 0 <= share <= 1
            for status, share in rates.items()
        ):
            raise ValidationError({"error_rates": _("Use statuses 500, 503, 429 with shares from 0 to 1.")})
        if not 0 <= self.timeout_rate <= 1:
            raise ValidationError({"timeout_rate": _("Use a share from 0 to 1.")})
