"""The job every minute (cron, a systemd timer): find out by reading what became of writes whose answer was lost."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal import writes


class Command(BaseCommand):
    help = (
        "Read what became of every write whose outcome is unknown (its answer was lost, or its request "
        "stopped while sending) and record it: done, or not done. Never sends anything to the studio's "
        "system. Run it every minute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = writes.reconcile_unknown()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        if counts.get(writes.CRASHED):
            raise CommandError(f"{counts[writes.CRASHED]} writes could not be reconciled (see the log)")
