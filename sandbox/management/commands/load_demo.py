"""Create (or reset) the demo studio with its sandbox data. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from portal import dashboard
from portal.models import Studio
from sandbox import demo
from sandbox.demo.trialoffers import DEMO_ONLINE_OFFER_ID

DEMO_API_KEY = "demo-api-key"


class Command(BaseCommand):
    help = "Create or reset the demo studio 'demo' on the sandbox, with an admin login admin/admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-admin", action="store_true", help="Do not create the admin/admin login.")
        parser.add_argument(
            "--history",
            action="store_true",
            help="Also fill about eight weeks of dashboard history (audit log, funnel, page views, upstream calls).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        studio, created = Studio.objects.get_or_create(
            slug="demo",
            defaults={
                "name": "Demo Fitness Berlin",
                "mode": Studio.Mode.SANDBOX,
                "timezone": "Europe/Berlin",
                "default_language": "de",
                "languages": ["de", "en", "fr", "it", "nl", "es", "pl"],  # the demo speaks every language
                "contact_email": "hallo@demo-fitness.example",
                "privacy_policy_url": "https://demo-fitness.example/datenschutz",
                "trial_what_to_bring": "Sportkleidung, saubere Hallenschuhe, ein Handtuch und etwas zu trinken.",
            },
        )
        studio.set_api_key(DEMO_API_KEY)
        # The demo's vouchers belong to this online offer (sandbox/demo/trialoffers.py).
        studio.checkin_voucher_online_offer_id = DEMO_ONLINE_OFFER_ID
        studio.mode = Studio.Mode.SANDBOX
        studio.save()
        demo.load(studio)
        if options["history"]:  # opt-in: tests count the audit entries and records their own actions make
            dashboard.load_demo_history(studio)
        if not options["no_admin"]:
            User = get_user_model()
            user, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@localhost"})
            user.is_staff = user.is_superuser = True
            user.set_password("admin")
            user.save()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Demo studio '{studio.slug}' {'created' if created else 'reset'}."))
