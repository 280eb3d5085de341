from __future__ import annotations

from django.apps import AppConfig


class SelfserviceConfig(AppConfig):
    name = "selfservice"

    def ready(self) -> None:
        from portal import housekeeping, notifications
        from selfservice import online_cancelation, services
        from selfservice.models import SignInRequest, SignInToken

        notifications.register(services.SIGN_IN_LINK, services.send_sign_in_link)
        notifications.register(services.CONFIRMATION, services.send_confirmation)
        notifications.register(online_cancelation.STUDIO_EMAIL, online_cancelation.send_studio_email)
        notifications.register(online_cancelation.RECEIPT, online_cancelation.send_receipt)

        housekeeping.register("online cancelations", online_cancelation.purge_old)
        housekeeping.register(
            "sign-in links",
            lambda *, now, dry_run=False: {
                "expired sign-in links": SignInToken.prune(now, dry_run=dry_run),
                "unanswered sign-in requests": SignInRequest.prune(now, dry_run=dry_run),
            },
        )
