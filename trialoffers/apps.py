from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrialoffersConfig(AppConfig):
    name = "trialoffers"
    verbose_name = _("Trial offers")

    def ready(self) -> None:
        from portal import housekeeping, notifications, pagecache, writes
        from trialoffers import dashboard, services
        from trialoffers.services.reconcile import reconcile_journeys

        dashboard.register()

        notifications.register(services.BOOKING_EMAIL, services.send_booking_message)
        notifications.register(services.VOUCHER_EMAIL, services.send_voucher_message)
        notifications.register(services.ALREADY_MEMBER_EMAIL, services.send_already_member_message)
        housekeeping.register("trial offers", services.housekeeping)
        # The journey's Write row is only its form's claim: its unknowns are in its own rows.
        writes.register_sweep("trial journeys", reconcile_journeys)
        pagecache.register_hit_counter(services.OFFER_VIEW, services.count_kept_offer_view)
