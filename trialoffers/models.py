"""What the trial offer journey keeps locally: leads, their booking attempts, voucher redemptions, the funnel.

The API holds the lead customer and the booking; these rows exist so that a double click or a
timeout never creates a second lead or booking (the journey's nonce and the slot are unique keys),
so staff can follow every lead in admin, and so the confirmation link can be checked later.

Personal data is the minimum: first and last name and email address of the lead (for admin search,
the confirmation e-mail sent after the confirmation link is used, and support). Phone number, date
of birth, gender and address go only to the API. ``anonymise_leads`` clears the names and addresses
after the studio's retention period.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Studio


class OfferKind(models.TextChoices):
    CLASS = "class", _("class")
    APPOINTMENT = "appointment", _("appointment")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("in progress")
    UNKNOWN = "unknown", _("outcome unknown")
    BOOKED = "booked", _("booked")
    WAITING_LIST = "waiting_list", _("waiting list")
    CONFIRMATION_PENDING = "confirmation_pending", _("confirmation pending")
    CONFIRMED = "confirmed", _("confirmed")
    EXPIRED = "expired", _("expired")
    FAILED = "failed", _("failed")


# A journey holds at most one booking in these states ("one booking per intent").
HELD_STATUSES = (
    BookingStatus.BOOKED,
    BookingStatus.WAITING_LIST,
    BookingStatus.CONFIRMATION_PENDING,
    BookingStatus.CONFIRMED,
)


class LeadStatus(models.TextChoices):
    STARTED = "started", _("started")
    UNKNOWN = "unknown", _("outcome unknown")
    BOOKED = "booked", _("booked")
    WAITING_LIST = "waiting_list", _("waiting list")
    CONFIRMATION_PENDING = "confirmation_pending", _("confirmation pending")
    CONFIRMED = "confirmed", _("confirmed")
    EXPIRED = "expired", _("expired")
    FAILED = "failed", _("failed")


class LeadCreation(models.TextChoices):
    NOT_YET = "not_yet", _("not created yet")
    UNKNOWN = "unknown", _("outcome unknown")
    CREATED = "created", _("created")


class Lead(models.Model):
    """One journey of one visitor: from the form to a booking. ``journey`` is its idempotency key."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="trial_leads", verbose_name=_("studio"))
    journey = models.CharField(_("journey"), max_length=32, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    offer_kind = models.CharField(_("offer type"), max_length=12, choices=OfferKind.choices)
    offer_id = models.BigIntegerField(_("offer id"))
    offer_title = models.CharField(_("offer"), max_length=200, blank=True)
    config_id = models.BigIntegerField(_("trial offer config id"))

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=5, default="de")

    creation = models.CharField(
        _("lead creation"), max_length=10, choices=LeadCreation.choices, default=LeadCreation.NOT_YET
    )
    lead_customer_id = models.BigIntegerField(_("lead customer id"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=24, choices=LeadStatus.choices, default=LeadStatus.STARTED, db_index=True
    )
    failure_reason = models.CharField(_("reason"), max_length=60, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("trial lead")
        verbose_name_plural = _("trial leads")
        constraints = [models.UniqueConstraint(fields=["journey"], name="trialoffers_lead_unique_journey")]

    def __str__(self) -> str:
        return f"{self.offer_title} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.offer_title

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def held_booking(self) -> TrialBooking | None:
        return self.bookings.filter(status__in=HELD_STATUSES).first()

    def latest_booking(self) -> TrialBooking | None:
        return self.bookings.order_by("-updated_at").first()


class TrialBooking(models.Model):
    """One attempt to book one slot for a lead. (lead, slot_key) is unique: a repeat reuses the row."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("lead"))
    slot_key = models.CharField(_("slot"), max_length=160, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    kind = models.CharField(_("offer type"), max_length=12, choices=OfferKind.choices)
    offer_id = models.BigIntegerField(_("offer id"))
    offer_title = models.CharField(_("offer"), max_length=200, blank=True)
    class_slot_id = models.BigIntegerField(_("class slot id"), null=True, blank=True)
    # Appointment bookings send back exactly the strings the slot listing gave.
    start_raw = models.CharField(max_length=64, blank=True, editable=False)
    end_raw = models.CharField(max_length=64, blank=True, editable=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    instructors = models.CharField(_("instructors"), max_length=300, blank=True)

    status = models.CharField(
        _("status"), max_length=24, choices=BookingStatus.choices, default=BookingStatus.PENDING, db_index=True
    )
    failure_reason = models.CharField(_("reason"), max_length=60, blank=True)
    booking_id = models.BigIntegerField(_("booking id"), null=True, blank=True, db_index=True)
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("trial booking")
        verbose_name_plural = _("trial bookings")
        constraints = [
            models.UniqueConstraint(fields=["lead", "slot_key"], name="trialoffers_booking_unique_slot"),
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status__in=HELD_STATUSES), name="trialoffers_one_held_booking_per_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_held(self) -> bool:
        return self.status in HELD_STATUSES


class FunnelWeek(models.Model):
    """Counts per studio and week (Monday, studio time): offers viewed → forms started → leads → bookings."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="trial_funnel", verbose_name=_("studio"))
    week_start = models.DateField(_("week"))
    offers_viewed = models.PositiveIntegerField(_("offers viewed"), default=0)
    forms_started = models.PositiveIntegerField(_("forms started"), default=0)
    leads_created = models.PositiveIntegerField(_("leads created"), default=0)
    bookings_confirmed = models.PositiveIntegerField(_("bookings confirmed"), default=0)

    class Meta:
        ordering = ["-week_start", "studio__name"]
        verbose_name = _("funnel week")
        verbose_name_plural = _("funnel summary")
        constraints = [models.UniqueConstraint(fields=["studio", "week_start"], name="trialoffers_funnel_week")]

    def __str__(self) -> str:
        return f"{self.studio} {self.week_start:%G-W%V}"

    STEPS = ("offers_viewed", "forms_started", "leads_created", "bookings_confirmed")

    @classmethod
    def bump(cls, studio: Studio, step: str, *, day: date | None = None, by: int = 1) -> None:
        if step not in cls.STEPS:
            raise ValueError(step)
        import zoneinfo

        day = day or timezone.localdate(timezone=zoneinfo.ZoneInfo(studio.timezone))
        week_start = day - timedelta(days=day.weekday())
        updated = cls.objects.filter(studio=studio, week_start=week_start).update(**{step: F(step) + by})
        if not updated:
            row, created = cls.objects.get_or_create(studio=studio, week_start=week_start, defaults={step: by})
            if not created:
                cls.objects.filter(pk=row.pk).update(**{step: F(step) + by})


class VoucherStatus(models.TextChoices):
    PENDING = "pending", _("in progress")
    UNKNOWN = "unknown", _("outcome unknown")
    REDEEMED = "redeemed", _("redeemed")
    FAILED = "failed", _("failed")


class VoucherRedemption(models.Model):
    """One voucher form submission; ``nonce`` (from the signed form token) is its idempotency key.

    The access code is kept (encrypted) only so a repeated submit can show it again; it is
    cleared with the leads after the retention period. No names or addresses are stored.
    """

    studio = models.ForeignKey(
        Studio, on_delete=models.CASCADE, related_name="voucher_redemptions", verbose_name=_("studio")
    )
    nonce = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    code_hint = models.CharField(_("voucher code (end)"), max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.PENDING)
    failure_reason = models.CharField(_("reason"), max_length=60, blank=True)
    access_code_encrypted = models.TextField(blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("voucher redemption")
        verbose_name_plural = _("voucher redemptions")
        constraints = [models.UniqueConstraint(fields=["nonce"], name="trialoffers_voucher_unique_nonce")]

    def __str__(self) -> str:
        return f"…{self.code_hint} {self.get_status_display()}"


class VoucherMessage(models.Model):
    """The address and first name a voucher form was sent with, kept only until the access code is mailed.

    Tasks carry ids only (``portal.notifications``): the worker reads this row, sends the code
    (decrypted from the redemption) and deletes the row; ``manage.py housekeeping`` removes any
    a stopped worker left behind.
    """

    redemption = models.ForeignKey(VoucherRedemption, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    first_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        default_permissions = ()  # never shown in admin

    def __str__(self) -> str:
        return f"voucher message {self.pk}"

    @classmethod
    def prune(cls, now: datetime, *, dry_run: bool = False) -> int:
        old = cls.objects.filter(created_at__lt=now - timedelta(days=1))
        return old.count() if dry_run else old.delete()[0]
