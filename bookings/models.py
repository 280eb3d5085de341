"""What the bookings area keeps itself: booking attempts (idempotency) and calendar feed tokens.

Classes, slots and bookings live upstream. An attempt exists so that a double click or a
repeated form sends one booking, and so that an answer lost on the way (``OutcomeUnknown``)
is found out by reading the member's bookings before anything is sent again.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from portal.models import Studio


class BookingAttempt(models.Model):
    class Kind(models.TextChoices):
        CLASS = "class", _("class")
        APPOINTMENT = "appointment", _("appointment")

    class State(models.TextChoices):
        PENDING = "pending", _("being sent")
        DONE = "done", _("booked")
        REFUSED = "refused", _("not bookable")
        FAILED = "failed", _("not sent")
        UNKNOWN = "unknown", _("outcome unknown")

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField(_("idempotency key"))
    customer_id = models.BigIntegerField(_("customer id"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # What was booked: the class slot id, or "<bookable appointment id>@<start as the API wrote it>".
    target = models.CharField(_("target"), max_length=120)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    # validationStatus / bookingStatus / error class: the reason shown to the member, never upstream text.
    outcome = models.CharField(_("outcome"), max_length=64, blank=True)
    booking_id = models.BigIntegerField(_("booking id"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking attempt")
        verbose_name_plural = _("booking attempts")
        constraints = [models.UniqueConstraint(fields=["studio", "key"], name="bookings_attempt_unique_key")]
        indexes = [models.Index(fields=["studio", "customer_id", "kind", "target"])]

    def __str__(self) -> str:
        return f"customer:{self.customer_id} {self.kind} {self.target} {self.state}"


def hash_token(raw: str) -> str:
    # A fast hash is enough: the token is 256 random bits, not a password.
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A member's private calendar subscription URL. Only the token's hash is stored."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    customer_id = models.BigIntegerField(_("customer id"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        # One link per member: a new one replaces (revokes) the old.
        constraints = [models.UniqueConstraint(fields=["studio", "customer_id"], name="bookings_one_feed_per_member")]

    def __str__(self) -> str:
        return f"customer:{self.customer_id}"

    @classmethod
    def issue(cls, studio: Studio, customer_id: int) -> str:
        """Replace the member's link with a new one; the token is returned once, in clear, and not kept."""
        raw = secrets.token_urlsafe(32)
        with transaction.atomic():
            cls.objects.filter(studio=studio, customer_id=customer_id).delete()
            cls.objects.create(studio=studio, customer_id=customer_id, token_hash=hash_token(raw))
        return raw

    @classmethod
    def find(cls, studio: Studio, raw: str) -> CalendarFeed | None:
        if not raw or len(raw) > 100:
            return None
        return cls.objects.filter(studio=studio, token_hash=hash_token(raw)).first()
