"""The app's wiring: how its writes are reconciled in the background is registered with ``portal``."""

from __future__ import annotations

from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self) -> None:
        from bookings import dashboard
        from bookings.services.reconcile import RECONCILERS
        from portal import writes

        dashboard.register()

        for action, read in RECONCILERS.items():
            writes.register_reconciler(action, read)
