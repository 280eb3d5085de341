"""The one daily job (cron, a systemd timer): anonymise old leads, purge old §312k records, prune tasks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import housekeeping


class Command(BaseCommand):
    help = (
        "Run every registered clean-up: anonymise lead records and purge cancelations without login after each "
        "studio's retention period, delete expired sign-in links and short-lived e-mail data, and prune finished "
        "task rows. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be removed.")
        parser.add_argument(
            "--only", action="append", choices=housekeeping.registered(), help="Run only this job (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        try:
            counts = housekeeping.run(dry_run=dry_run, only=options["only"])
        except housekeeping.HousekeepingFailed as exc:
            raise CommandError(str(exc)) from None
        verb = "would be removed" if dry_run else "removed"
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} {verb}")
