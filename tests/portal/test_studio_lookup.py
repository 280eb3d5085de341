"""The per-process studio lookup: no query on a warm request, and a saved change applies at once."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.studios import get_active_studio


def test_warm_lookup_needs_no_query_and_saving_clears_it(settings, demo_studio):
    settings.STUDIO_CACHE_SECONDS = 10
    assert get_active_studio("demo").name == demo_studio.name
    with CaptureQueriesContext(connection) as queries:
        again = get_active_studio("demo")
    assert len(queries) == 0
    again.name = "Changed only in this copy"
    assert get_active_studio("demo").name == demo_studio.name

    demo_studio.name = "Renamed Studio"
    demo_studio.save()
    assert get_active_studio("demo").name == "Renamed Studio"

    demo_studio.is_active = False
    demo_studio.save()
    assert get_active_studio("demo") is None
