"""Print the availability table: simulated members and leads while the sandbox fails upstream calls."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test import override_settings

from portal.models import Studio
from sandbox import drill


class Command(BaseCommand):
    help = (
        "Run the fault drill on the demo studio (reloaded first): phases of simulated members and leads "
        "with injected upstream failures, then print the availability table. Changes the demo data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--phases", default="none,errors20,errors50,timeouts35", help=f"comma-separated: {', '.join(drill.PHASES)}"
        )
        parser.add_argument("--seconds", type=float, default=20.0, help="per phase (default 20)")
        parser.add_argument("--members", type=int, default=4)
        parser.add_argument("--leads", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        from portal import writes

        call_command("load_demo", "--no-admin", verbosity=0)
        studio = Studio.objects.get(slug="demo")
        phases = [drill.PHASES[name.strip()] for name in options["phases"].split(",") if name.strip()]
        # Links in the e-mails the background job sends need an address; the demo's when none is set.
        # The simulated browsers are Django test clients: they call themselves "testserver".
        with override_settings(
            PUBLIC_BASE_URL=settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000",
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        ):
            result = drill.run(
                studio,
                phases,
                members=options["members"],
                leads=options["leads"],
                seconds=options["seconds"],
                reconcile=writes.reconcile_unknown,
            )
        self.stdout.write(drill.table(result))
