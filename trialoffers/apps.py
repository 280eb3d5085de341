from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialoffersConfig(AppConfig):
    name = "trialoffers"
    verbose_name = _("Trial offers")

    def ready(self) -> None:
        from portal import housekeeping, notifications
        from trialoffers import services

        notifications.register(services.BOOKING_EMAIL, services.send_booking_message)
        notifications.register(services.VOUCHER_EMAIL, services.send_voucher_message)
        notifications.register(services.ALREADY_MEMBER_EMAIL, services.send_already_member_message)
        housekeeping.register("trial offers", services.housekeeping)
