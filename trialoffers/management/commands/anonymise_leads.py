"""Kept for existing cron entries: runs every daily clean-up (``manage.py housekeeping``), not only leads."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal import housekeeping


class Command(BaseCommand):
    help = "Alias of `manage.py housekeeping` (anonymise leads, purge old records, prune tasks). Run it daily."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be removed.")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        try:
            counts = housekeeping.run(dry_run=dry_run)
        except housekeeping.HousekeepingFailed as exc:
            raise CommandError(str(exc)) from None
        verb = "would be anonymised" if dry_run else "anonymised"
        leads, vouchers = counts.get("leads anonymised", 0), counts.get("voucher redemptions anonymised", 0)
        self.stdout.write(f"{leads} lead(s) and {vouchers} voucher redemption(s) {verb}.")
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
