"""What self-service keeps itself: sign-in tokens and §312k declarations.

Everything else (contracts, idle periods, contact data) is read from the API on
every page. The records here exist because the API cannot hold them: a sign-in
link must be single-use and a cancelation without login must never be lost even
when it could not be filed upstream. Writes are recorded as ``portal.models.Write``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Studio

SIGN_IN_LINK_LIFETIME = timedelta(minutes=15)


def hash_token(raw: str) -> str:
    # A fast hash is enough: the token is 256 random bits, not a password.
    return hashlib.sha256(raw.encode()).hexdigest()


class SignInTokenQuerySet(models.QuerySet["SignInToken"]):
    def usable(self) -> SignInTokenQuerySet:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class SignInToken(models.Model):
    """One emailed sign-in link. Only the token's hash is stored; the link works once, for 15 minutes."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    customer_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SignInTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-in link")
        verbose_name_plural = _("sign-in links")
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"customer:{self.customer_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, studio: Studio, customer_id: int) -> str:
        """Store a new token and return it in clear (for the email only; it is not kept)."""
        raw = secrets.token_urlsafe(32)
        # Tokens are useless a while after they expire: keep the table small.
        cls.prune(timezone.now())
        cls.objects.create(
            studio=studio,
            token_hash=hash_token(raw),
            customer_id=customer_id,
            expires_at=timezone.now() + SIGN_IN_LINK_LIFETIME,
        )
        return raw

    @classmethod
    def find_usable(cls, studio: Studio, raw: str) -> SignInToken | None:
        return cls.objects.usable().filter(studio=studio, token_hash=hash_token(raw)).first()

    @classmethod
    def redeem(cls, studio: Studio, raw: str) -> int | None:
        """Use the token up and return its customer id; None when unknown, expired or used.

        The conditional UPDATE makes two simultaneous clicks sign in at most once.
        """
        token = cls.find_usable(studio, raw)
        if token is None:
            return None
        used = cls.objects.usable().filter(pk=token.pk).update(used_at=timezone.now())
        if used != 1:
            return None
        # One link used: the member's other links (older requests, a forwarded mail) stop working.
        cls.revoke_all(studio, token.customer_id)
        return token.customer_id

    @classmethod
    def revoke_all(cls, studio: Studio, customer_id: int) -> int:
        """Use up every outstanding link of this member (on sign-in and on sign-out)."""
        return cls.objects.usable().filter(studio=studio, customer_id=customer_id).update(used_at=timezone.now())

    @classmethod
    def prune(cls, now: datetime, *, dry_run: bool = False) -> int:
        """Tokens a day past their expiry: nothing can use them any more."""
        old = cls.objects.filter(expires_at__lt=now - timedelta(days=1))
        return old.count() if dry_run else old.delete()[0]


SIGN_IN_REQUEST_LIFETIME = timedelta(hours=1)


class SignInRequest(models.Model):
    """A sign-in form's address, kept only until the worker has answered it (then deleted).

    The request does the same work for every address (store this, queue one task with its id);
    the worker searches the customer, issues the token and sends the link, so neither the task
    table nor the response time tells anyone whether the address belongs to a customer.
    """

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    # Where the link leads: the absolute sign-in URL up to the token, and the query that follows it.
    link_base = models.TextField()
    link_query = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in request")
        verbose_name_plural = _("sign-in requests")
        default_permissions = ()  # never shown in admin

    def __str__(self) -> str:
        return f"sign-in request {self.pk}"

    @classmethod
    def prune(cls, now: datetime, *, dry_run: bool = False) -> int:
        """Requests no worker answered (it was down): the link would be stale by now anyway."""
        old = cls.objects.filter(created_at__lt=now - SIGN_IN_REQUEST_LIFETIME)
        return old.count() if dry_run else old.delete()[0]


class OnlineCancelation(models.Model):
    """A cancelation declared without login (§312k BGB), kept exactly as received.

    It is personal data the studio needs to act on the declaration, so it is
    kept here (and shown read-only in admin) until the studio has handled it, and
    then for the studio's retention period as proof of what was declared when
    (``purge_old``, run daily by ``manage.py housekeeping``).
    """

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary termination")
        EXTRAORDINARY = "extraordinary", _("Extraordinary termination")

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("received, not processed yet")
        FILED = "filed", _("filed with the studio's system")
        FORWARDED = "forwarded", _("forwarded to the studio")

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="+")
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nonce = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    language = models.CharField(max_length=5, default="de")

    # The declaration as the person typed it.
    kind = models.CharField(_("kind of termination"), max_length=20, choices=Kind.choices)
    extraordinary_reason = models.TextField(_("reason for extraordinary termination"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"))
    contract_identifier = models.CharField(_("customer number or contract"), max_length=100)
    earliest_possible = models.BooleanField(_("earliest possible date"), default=True)
    requested_end_date = models.DateField(_("requested end date"), null=True, blank=True)

    # What the portal did with it.
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.RECEIVED)
    matched_customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True)
    matched_contract_id = models.BigIntegerField(_("contract id"), null=True, blank=True)
    filed_end_date = models.DateField(_("end date filed"), null=True, blank=True)
    filed_status = models.CharField(_("cancelation status"), max_length=40, blank=True)
    note_for_studio = models.TextField(_("note for the studio"), blank=True)
    thread_id = models.BigIntegerField(_("communication thread id"), null=True, blank=True)
    studio_emailed = models.BooleanField(_("studio emailed"), default=False)
    trace_id = models.CharField(_("trace id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("cancelation without login")
        verbose_name_plural = _("cancelations without login")
        constraints = [models.UniqueConstraint(fields=["studio", "nonce"], name="selfservice_online_cancel_once")]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.get_kind_display()} ({self.get_outcome_display()})"

    @property
    def handled(self) -> bool:
        """Filed upstream, or forwarded to where staff see it (the studio's mail or a thread on the customer)."""
        if self.outcome == self.Outcome.FILED:
            return True
        return self.outcome == self.Outcome.FORWARDED and (self.studio_emailed or self.thread_id is not None)

    @classmethod
    def purge_old(cls, now: datetime, *, dry_run: bool = False) -> int:
        """Delete handled declarations older than the studio's retention whose filed end date has passed.

        Why these and not all: a declaration nobody at the studio has seen yet (processing broke off,
        no address to forward to) must not vanish; staff handle it in admin first. A filed one is kept
        until the contract has ended, when disputes about the end date arise.
        """
        handled = models.Q(outcome=cls.Outcome.FILED) | models.Q(
            models.Q(studio_emailed=True) | models.Q(thread_id__isnull=False), outcome=cls.Outcome.FORWARDED
        )
        today = timezone.localdate(now)
        total = 0
        for studio in Studio.objects.all():
            old = cls.objects.filter(
                handled,
                models.Q(filed_end_date__isnull=True) | models.Q(filed_end_date__lt=today),
                studio=studio,
                received_at__lt=now - timedelta(days=studio.cancelation_retention_days),
            )
            total += old.count() if dry_run else old.delete()[0]
        return total
