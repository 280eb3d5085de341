"""Stay useful through upstream faults: the fault drill's targets (issue 16), bounded in time.

Several simulated members and leads use the portal at once while the sandbox fails 20% of upstream
calls (500, 503 and 429 mixed), then 35% of them by timing out. Integrity first: no server error, no
double booking, and every write whose outcome was unknown is settled by the background reconcile.
"""

from __future__ import annotations

import math

import pytest
from django.core.management import call_command
from django.test import override_settings

from portal import writes
from portal.models import Studio
from sandbox import drill

SECONDS = 5.0


def binomial_cdf(k: int, n: int, p: float) -> float:
    """P(at most k successes in n tries, each succeeding with probability p)."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


@pytest.fixture
@override_settings(PUBLIC_BASE_URL="http://testserver")  # the background job sends a trial's booking e-mail
def drilled(transactional_db):
    call_command("load_demo", "--no-admin", verbosity=0)
    studio = Studio.objects.get(slug="demo")
    phases = [drill.PHASES["none"], drill.PHASES["errors20"], drill.PHASES["timeouts35"]]
    result = drill.run(studio, phases, members=3, leads=2, seconds=SECONDS, reconcile=writes.reconcile_unknown)
    print(drill.table(result))
    return result


def test_through_upstream_faults_the_portal_stays_useful_and_never_double_books(drilled):
    calm, *faulty = drilled.reports
    assert calm.schedule_views and calm.lead_journeys, "the drill did not get going"
    assert drilled.double_bookings == 0
    assert drilled.unknown_after == 0, drilled.unknown_before
    for report in drilled.reports:
        assert report.server_errors == 0, report.phase.name
    assert sum(report.schedule_views for report in faulty) > 0, "every view fell in a pause: nothing measured"
    for report in faulty:
        name = report.phase.name
        assert report.book_share >= 0.9, (name, report.schedule_with_book, report.schedule_views)
        for page in ("trial list", "trial times", "account"):
            assert report.share(page) >= 0.9, (name, page, report.pages_ok[page], report.pages[page])
        # Lead journeys keep finishing: at least 80% of the calm rate (the target). A short drill
        # sees a dozen journeys, so the check is statistical: it fails when so few booked that a rate of
        # 80% of the calm one would give that few less than once in a hundred runs.
        tried = report.lead_journeys - report.leads_full
        target = 0.8 * calm.lead_share
        assert tried and binomial_cdf(report.leads_booked, tried, target) >= 0.01, (name, report.leads_booked, tried)
