"""The lead limit per address holds behind a proxy, whatever X-Forwarded-For the client sends."""

from __future__ import annotations

import pytest

from tests.trialoffers.conftest import lead_details, text_of
from tests.trialoffers.test_journey import choose_first_time, send
from trialoffers.models import Lead


@pytest.mark.parametrize("setting", [("TRUSTED_PROXY_COUNT", 1), ("TRUST_X_FORWARDED_FOR", True)])
def test_spoofed_forwarded_for_does_not_pass_the_lead_limit(visitor, morning, demo_studio, settings, setting):
    settings.TRUSTED_PROXY_COUNT = 0
    setattr(settings, *setting)
    demo_studio.lead_limit_per_ip_per_hour = 3
    demo_studio.save()
    refused = 0
    for n in range(5):
        form = choose_first_time(visitor, "Zumba")
        response = send(
            visitor, form, lead_details(f"lead{n}@example.org"), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 127.0.0.1"
        )
        refused += "too many sign-ups" in text_of(response)
    assert refused == 2
    assert Lead.objects.filter(lead_customer_id__isnull=False).count() == 3
