"""The daily housekeeping of the trial journey: expire overdue confirmations, anonymise old records."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from portal.models import Studio
from trialoffers.models import Lead, VoucherMessage, VoucherRedemption
from trialoffers.services.confirmation import expire_overdue


def anonymise_old_records(*, now: datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Clear names and addresses of leads (and voucher access codes) older than each studio's retention."""
    now = now or timezone.now()
    counts = {"leads": 0, "vouchers": 0}
    for studio in Studio.objects.all():
        cutoff = now - timedelta(days=studio.lead_retention_days)
        leads = Lead.objects.filter(studio=studio, created_at__lt=cutoff, anonymised_at__isnull=True)
        vouchers = VoucherRedemption.objects.filter(studio=studio, created_at__lt=cutoff, anonymised_at__isnull=True)
        if dry_run:
            counts["leads"] += leads.count()
            counts["vouchers"] += vouchers.count()
            continue
        counts["leads"] += leads.update(first_name="", last_name="", email="", anonymised_at=now)
        counts["vouchers"] += vouchers.update(access_code_encrypted="", code_hint="", anonymised_at=now)
    return counts


def housekeeping(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    """The daily job's trial part: expire overdue confirmations, anonymise old leads, drop stale voucher mail."""
    if not dry_run:
        expire_overdue()
    counts = anonymise_old_records(now=now, dry_run=dry_run)
    return {
        "leads anonymised": counts["leads"],
        "voucher redemptions anonymised": counts["vouchers"],
        "unsent voucher e-mails": VoucherMessage.prune(now, dry_run=dry_run),
    }
