"""What the portal stores itself: studios and their settings, the audit log and idempotent writes.

Gym data lives upstream (the PerfectGym API); this is only what the API cannot hold.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib import crypto
from portal.perfectgym import errors as perfectgym_errors

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #0a7d5a."))


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


# scheme://host[:port] and nothing else: the value is copied into the CSP header, where a space,
# a ";" or a "*" would add sources or whole directives. Hosts are names, IPv4 or [IPv6].
ORIGIN = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])"
    r"(?::[0-9]{1,5})?",
    re.IGNORECASE,
)


def parse_origins(text: str) -> list[str]:
    """Allowed embed origins, one per line (``https://www.studio.example``)."""
    return [line.strip().rstrip("/") for line in text.splitlines() if line.strip()]


def is_origin(value: str) -> bool:
    if not ORIGIN.fullmatch(value):
        return False
    try:
        return urlsplit(value).port != 0
    except ValueError:  # port above 65535
        return False


def validate_origins(text: str) -> None:
    for origin in parse_origins(text):
        if not is_origin(origin):
            raise ValidationError(
                _(
                    "“%(origin)s” is not an origin. Write only the scheme (https:// or http://), the host and, if "
                    "needed, a port, one per line, with no path, spaces, wildcards or semicolons, e.g. "
                    "https://www.studio.example"
                ),
                params={"origin": origin},
            )


def default_languages() -> list[str]:
    return ["de", "en"]


class Studio(models.Model):
    class Mode(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (demo data, no real tenant)")
        LIVE = "live", _("Live (a real PerfectGym tenant)")

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")
        ITALIAN = "it", _("Italian")
        DUTCH = "nl", _("Dutch")
        SPANISH = "es", _("Spanish")
        POLISH = "pl", _("Polish")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True, help_text=_("Used in the address: /s/slug/"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin", validators=[validate_timezone])
    default_language = models.CharField(
        _("default language"), max_length=5, choices=Language.choices, default=Language.GERMAN
    )
    languages = models.JSONField(
        _("languages"),
        default=default_languages,
        help_text=_("The languages visitors can choose; the default language is always one of them."),
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.SANDBOX)
    api_base_url = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_("For live mode, e.g. https://yourtenant.open-api.perfectgym.com (no trailing slash)."),
    )
    api_key_encrypted = models.TextField(editable=False, blank=True, default="")
    brand_colour = models.CharField(_("brand colour"), max_length=7, default="#0a7d5a", validators=[HEX_COLOUR])
    logo = models.BinaryField(_("logo"), blank=True, null=True, editable=False)
    logo_content_type = models.CharField(max_length=40, blank=True, editable=False)
    allowed_embed_origins = models.TextField(
        _("allowed embed origins"),
        blank=True,
        validators=[validate_origins],
        help_text=_("Websites that may show the portal in an iframe, one origin per line."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    privacy_policy_url = models.URLField(_("privacy policy URL"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # Trial offers and vouchers.
    trial_what_to_bring = models.TextField(
        _("what to bring to a trial"), blank=True, help_text=_("Shown on the trial booking confirmation and e-mail.")
    )
    checkin_voucher_online_offer_id = models.BigIntegerField(
        _("online offer id for check-in vouchers"), null=True, blank=True
    )
    lead_retention_days = models.PositiveIntegerField(
        _("keep lead records (days)"), default=90, help_text=_("Local lead records are anonymised after this.")
    )
    lead_limit_per_ip_per_hour = models.PositiveIntegerField(_("lead sign-ups per IP address per hour"), default=10)
    lead_limit_per_email_per_day = models.PositiveIntegerField(_("lead sign-ups per e-mail address per day"), default=5)

    # Member self-service.
    default_cancelation_reason_id = models.BigIntegerField(
        _("cancelation reason for cancelations without login"),
        null=True,
        blank=True,
        help_text=_("The studio's cancelation reason id used for §312k cancelations filed through the API."),
    )
    cancelation_retention_days = models.PositiveIntegerField(
        _("keep cancelations without login (days)"),
        default=365,
        help_text=_(
            "Handled cancelations without login are deleted this many days after receipt, but not before the "
            "contract's end date filed with them. Unhandled ones are kept until staff have dealt with them."
        ),
    )

    # Who may see and manage this studio in admin (``portal.admin_scope``); superusers see every studio.
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="staff_studios",
        verbose_name=_("staff"),
        help_text=_(
            "Staff users who see and manage this studio and its records in admin. Superusers see every studio."
        ),
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("studio")
        verbose_name_plural = _("studios")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.api_base_url:
            self.api_base_url = self.api_base_url.rstrip("/")
        if self.mode == self.Mode.LIVE:
            if not self.api_base_url:
                raise ValidationError({"api_base_url": _("A live studio needs its tenant's API base URL.")})
            if not self.api_base_url.startswith("https://"):
                raise ValidationError({"api_base_url": _("The PerfectGym API is only reachable over HTTPS.")})

    # --- API key: write-only, encrypted at rest -------------------------------
    def set_api_key(self, raw_key: str) -> None:
        self.api_key_encrypted = crypto.encrypt(raw_key.strip()) if raw_key.strip() else ""

    @property
    def in_germany(self) -> bool:
        """German consumer law applies (§312k BGB wording): the studio keeps German time (Busingen is German too)."""
        return self.timezone in ("Europe/Berlin", "Europe/Busingen")

    @property
    def enabled_languages(self) -> list[str]:
        """The languages visitors can choose, in the portal's order; the default language always among them."""
        chosen = set(self.languages or []) | {self.default_language}
        return [code for code, _name in self.Language.choices if code in chosen]

    @property
    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)

    @property
    def api_key_is_readable(self) -> bool:
        """False when a key is stored but the configured keys cannot decrypt it (staff must enter it again)."""
        try:
            _ = self.api_key
        except crypto.DecryptionError:
            return False
        return True

    @property
    def is_sandbox(self) -> bool:
        return self.mode == self.Mode.SANDBOX

    @property
    def embed_origins(self) -> list[str]:
        # Checked again here: rows saved before the validator was strict may hold anything.
        return [origin for origin in parse_origins(self.allowed_embed_origins) if is_origin(origin)]

    @property
    def brand_text_colour(self) -> str:
        """Black or white, whichever reads better on the brand colour (WCAG contrast)."""
        return readable_text_colour(self.brand_colour)

    @property
    def brand_ink_colour(self) -> str:
        """The brand colour itself where it reads on white (4.5:1), else a darkened version for links and text."""
        return ink_on_white(self.brand_colour)


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    la, lb = sorted((_relative_luminance(colour_a), _relative_luminance(colour_b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text_colour(background: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", background or ""):
        return "#ffffff"
    return "#000000" if contrast_ratio(background, "#000000") >= contrast_ratio(background, "#ffffff") else "#ffffff"


def ink_on_white(colour: str) -> str:
    """Darken ``colour`` until it has 4.5:1 contrast on white (text and links in the brand colour)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
        return "#0a5c43"
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    for _step in range(40):
        candidate = f"#{r:02x}{g:02x}{b:02x}"
        if contrast_ratio(candidate, "#ffffff") >= 4.5:
            return candidate
        r, g, b = int(r * 0.9), int(g * 0.9), int(b * 0.9)
    return "#000000"


class AuditEntry(models.Model):
    """A self-service action and its upstream result. Read-only in admin.

    Personal data is limited to what the studio needs to act: the customer id
    (never names or e-mail addresses) and the upstream traceId for support.
    """

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="audit_entries")
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.CharField(_("who"), max_length=80, help_text=_('e.g. "customer:1234", "lead", "anonymous"'))
    action = models.CharField(_("what"), max_length=60, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=40)
    upstream_status = models.PositiveSmallIntegerField(_("upstream status"), null=True, blank=True)
    trace_id = models.CharField(_("trace id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.outcome}"


class WriteQuerySet(models.QuerySet):
    def unfinished(self, studio: Studio, actor: str, action: str) -> WriteQuerySet:
        """Writes whose outcome nobody knows: lost answers and requests interrupted while sending."""
        stale = timezone.now() - Write.STALE_AFTER
        lost = models.Q(state=Write.State.UNKNOWN) | models.Q(state=Write.State.PENDING, updated_at__lt=stale)
        return self.filter(lost, studio=studio, actor=actor, action=action)


class Write(models.Model):
    """One upstream write, keyed by the idempotency key its form carried (``portal.writes``).

    A repeated submission finds this row instead of writing again. ``result`` holds what the
    confirmation shows (ids, dates, statuses), or the error a refusal came with; never names.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("being sent")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("not sent")
        UNKNOWN = "unknown", _("outcome unknown")

    # Longer than the longest write takes (a trial journey: up to four calls with their timeouts):
    # an older PENDING row was interrupted and is reconciled by reading.
    STALE_AFTER = timedelta(seconds=120)

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField(_("idempotency key"))
    actor = models.CharField(max_length=80)  # "customer:1234", "lead"
    action = models.CharField(max_length=40)
    # What the write is about (checked as the actor's own when it was created): a repeated form must match.
    target = models.JSONField(default=dict, blank=True)
    # Ids and dates that identify the write (its audit details), for reading it back in the background.
    details = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WriteQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["studio", "key"], name="portal_write_once")]
        indexes = [models.Index(fields=["studio", "actor", "action", "state"], name="portal_write_actor_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.actor} {self.state}"

    @classmethod
    def claim(
        cls,
        studio: Studio,
        key: uuid.UUID,
        *,
        actor: str,
        action: str,
        target: dict[str, Any],
        details: dict[str, Any] | None = None,
    ) -> tuple[Write, bool]:
        """The row for ``key``: created (PENDING, this request writes) or the one stored before."""
        try:
            with transaction.atomic():
                row = cls.objects.create(
                    studio=studio, key=key, actor=actor, action=action, target=target, details=details or {}
                )
                return row, True
        except IntegrityError:
            return cls.objects.get(studio=studio, key=key), False

    def belongs_to(self, actor: str, action: str, target: dict) -> bool:
        return (self.actor, self.action, self.target) == (actor, action, target)

    @property
    def is_stale(self) -> bool:
        return timezone.now() - self.updated_at > self.STALE_AFTER

    @property
    def unfinished(self) -> bool:
        """Sent, but its outcome is not known yet: reconcile before anything else."""
        return self.state == self.State.UNKNOWN or (self.state == self.State.PENDING and self.is_stale)

    def take_over(self) -> bool:
        """Make this request the writer of a stored row; False when another request was quicker."""
        taken = Write.objects.filter(pk=self.pk, state=self.state, updated_at=self.updated_at).update(
            state=self.State.PENDING, updated_at=timezone.now()
        )
        if taken:
            self.refresh_from_db()
        return bool(taken)

    def finish(self, state: str, result: dict) -> None:
        self.state, self.result = state, result
        self.save(update_fields=["state", "result", "updated_at"])

    @staticmethod
    def error_result(error: perfectgym_errors.ApiError) -> dict:
        """What is kept of an upstream error, so a repeated form shows the same sentence (no upstream text)."""
        return {"error": type(error).__name__, "http_status": error.status, "error_code": error.error_code}

    def error(self) -> perfectgym_errors.ApiError | None:
        """The stored error again (its class, status and errorCode), for the sentence shown to the member."""
        name = self.result.get("error") if isinstance(self.result, dict) else None
        klass = getattr(perfectgym_errors, str(name), None) if name else None
        if not (isinstance(klass, type) and issubclass(klass, perfectgym_errors.ApiError)):
            return None
        return klass(self.action, status=self.result.get("http_status"), error_code=self.result.get("error_code"))


def _add_to_row(
    model: type[models.Model], keys: dict[str, Any], changes: dict[str, Any], first: dict[str, Any]
) -> None:
    """Add to the row ``keys`` names (``changes``: F expressions), or create it with ``first``; safe when
    two processes add to the same row at once (the one that loses the insert adds to the winner's row)."""
    if model._default_manager.filter(**keys).update(**changes):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**keys, **first)
    except IntegrityError:
        model._default_manager.filter(**keys).update(**changes)


class PageViewDay(models.Model):
    """Views of one studio page on one day (studio time), counted by ``portal.counting``.

    Nothing of the visitor is kept: no address, agent, cookie, path or query; only the route name.
    """

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="page_view_days", verbose_name=_("studio")
    )
    day = models.DateField(_("day"))
    page = models.CharField(
        _("page"), max_length=100, help_text=_('The page\'s route name, e.g. "trialoffers:offers".')
    )
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-day", "page"]
        verbose_name = _("page views per day")
        verbose_name_plural = _("page views per day")
        constraints = [models.UniqueConstraint(fields=["studio", "day", "page"], name="portal_page_view_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.page} {self.views}"

    @classmethod
    def add(cls, studio_id: int, day: date, page: str, views: int) -> None:
        keys = {"studio_id": studio_id, "day": day, "page": page}
        _add_to_row(cls, keys, {"views": models.F("views") + views}, {"views": views})


class UpstreamDay(models.Model):
    """Calls of one PerfectGym operation for one studio on one day (studio time), counted by
    ``portal.counting``. Every attempt counts (a retried read once per try); an error is any answer
    but a 2xx, or none (a timeout, a refused connection)."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="upstream_days", verbose_name=_("studio"))
    day = models.DateField(_("day"))
    operation = models.CharField(_("operation"), max_length=100)
    calls = models.PositiveIntegerField(_("calls"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    rate_limited = models.PositiveIntegerField(_("rate limited (429)"), default=0)
    total_ms = models.PositiveBigIntegerField(_("total time (ms)"), default=0)
    max_ms = models.PositiveIntegerField(_("longest call (ms)"), default=0)

    class Meta:
        ordering = ["-day", "operation"]
        verbose_name = _("upstream calls per day")
        verbose_name_plural = _("upstream calls per day")
        constraints = [models.UniqueConstraint(fields=["studio", "day", "operation"], name="portal_upstream_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.operation} {self.calls}"

    @property
    def average_ms(self) -> float:
        return self.total_ms / self.calls if self.calls else 0.0

    @classmethod
    def add(
        cls,
        studio_id: int,
        day: date,
        operation: str,
        *,
        calls: int,
        errors: int,
        rate_limited: int,
        total_ms: int,
        max_ms: int,
    ) -> None:
        first = {"calls": calls, "errors": errors, "rate_limited": rate_limited, "total_ms": total_ms, "max_ms": max_ms}
        changes: dict[str, Any] = {name: models.F(name) + value for name, value in first.items() if name != "max_ms"}
        changes["max_ms"] = Greatest(models.F("max_ms"), models.Value(max_ms))
        _add_to_row(cls, {"studio_id": studio_id, "day": day, "operation": operation}, changes, first)
