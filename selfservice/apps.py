"""The app's wiring: its mail workers, housekeeping jobs and background reconcilers are registered with
``portal``."""

from __future__ import annotations

from datetime import datetime

from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "selfservice"

    def ready(self) -> None:
        from portal import housekeeping, notifications, writes
        from selfservice import dashboard
        from selfservice.services import emails, online_cancelation, reconcile
        from selfservice.services.contracts import CONFIRMATION
        from selfservice.services.sign_in import SIGN_IN_LINK

        dashboard.register()

        notifications.register(SIGN_IN_LINK, emails.send_sign_in_link)
        notifications.register(CONFIRMATION, emails.send_confirmation)
        notifications.register(online_cancelation.STUDIO_EMAIL, emails.send_studio_email)
        notifications.register(online_cancelation.RECEIPT, emails.send_receipt)

        housekeeping.register("online cancelations", online_cancelation.purge_old)
        housekeeping.register("sign-in links", _prune_sign_in)

        for action, read in reconcile.RECONCILERS.items():
            writes.register_reconciler(action, read, then=reconcile.AFTERWARDS.get(action))


def _prune_sign_in(*, now: datetime, dry_run: bool = False) -> dict[str, int]:
    from selfservice.models import SignInRequest, SignInToken

    return {
        "expired sign-in links": SignInToken.prune(now, dry_run=dry_run),
        "unanswered sign-in requests": SignInRequest.prune(now, dry_run=dry_run),
    }
