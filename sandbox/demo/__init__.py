"""Demo data for the sandbox: a studio whose schedule is always relative to today.

``load(studio)`` wipes the studio's sandbox state and writes it again, so the
management command can be rerun at any time. Each area of the API has its own
module with a ``load(store, today)`` function.
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from sandbox.store import Store

if TYPE_CHECKING:
    from portal.models import Studio

# Order matters: later modules may refer to what earlier ones created.
DEMO_MODULES = ["sandbox.demo.studio", "sandbox.demo.classes", "sandbox.demo.trialoffers", "sandbox.demo.members"]


def load(studio: Studio, today: date | None = None) -> None:
    today = today or timezone.localdate(timezone=__import__("zoneinfo").ZoneInfo(studio.timezone))
    store = Store(studio)
    with transaction.atomic():
        store.clear()
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue  # an area not built yet
                raise
            module.load(store, today)
