"""Clear personal data of leads older than each studio's retention period (run daily, e.g. from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from trialoffers import services


class Command(BaseCommand):
    help = (
        "Anonymise local lead records (names, email addresses) and voucher access codes older than the studio's "
        "'keep lead records (days)' setting. Counts and statuses stay for the funnel."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be anonymised.")

    def handle(self, *args, **options):
        services.expire_overdue()
        counts = services.anonymise_old_records(dry_run=options["dry_run"])
        verb = "would be anonymised" if options["dry_run"] else "anonymised"
        self.stdout.write(f"{counts['leads']} lead(s) and {counts['vouchers']} voucher redemption(s) {verb}.")
