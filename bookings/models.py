"""What the bookings area keeps itself: calendar feed tokens.

Classes, slots and bookings live upstream; each booking or cancelation sent is a ``portal.models.Write``.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from portal.models import Studio


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
