"""A studio's fault injection: its own model, an inline on the studio's admin page, kept through the migration."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.models import Studio
from sandbox import faults
from sandbox.models import SandboxFaults
from tests.portal.test_admin import change_url, form_data

BEFORE_THE_MOVE = [("portal", "0004_write"), ("sandbox", "0001_initial")]


def test_no_row_means_no_faults(demo_studio):
    plan = faults.plan_for(demo_studio)
    assert (plan.latency_ms, plan.error_status, plan.timeout) == (0, None, False)


def test_configure_changes_only_what_it_is_given(demo_studio):
    faults.configure(demo_studio, error_rates={"503": 1.0})
    faults.configure(demo_studio, latency_ms=40)
    stored = SandboxFaults.objects.get(studio=demo_studio)
    assert (stored.latency_ms, stored.error_rates, stored.timeout_rate) == (40, {"503": 1.0}, 0.0)


@pytest.mark.parametrize(
    "fields",
    [{"error_rates": {"404": 0.5}}, {"error_rates": {"503": 2}}, {"error_rates": ["503"]}, {"timeout_rate": 1.5}],
)
def test_rejects_rates_that_make_no_sense(demo_studio, fields):
    with pytest.raises(ValidationError):
        SandboxFaults(studio=demo_studio, **fields).full_clean()


def test_admin_shows_and_saves_the_faults_on_the_studio_page(admin_client, demo_studio):
    page = admin_client.get(change_url(demo_studio), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sandbox fault injection" in page and 'name="sandbox_faults-0-latency_ms"' in page
    data = form_data(
        demo_studio,
        **{
            "sandbox_faults-TOTAL_FORMS": "1",
            "sandbox_faults-0-latency_ms": "80",
            "sandbox_faults-0-error_rates": '{"503": 0.5}',
            "sandbox_faults-0-timeout_rate": "0.1",
        },
    )
    assert admin_client.post(change_url(demo_studio), data).status_code == 302
    stored = SandboxFaults.objects.get(studio=demo_studio)
    assert (stored.latency_ms, stored.error_rates, stored.timeout_rate) == (80, {"503": 0.5}, 0.1)


def test_admin_refuses_bad_rates(admin_client, demo_studio):
    data = form_data(
        demo_studio,
        **{"sandbox_faults-TOTAL_FORMS": "1", "sandbox_faults-0-error_rates": '{"503": 7}'},
    )
    response = admin_client.post(change_url(demo_studio), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Use statuses 500, 503, 429 with shares from 0 to 1." in response.content.decode()
    assert not SandboxFaults.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_faults_studios_had_both_ways():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE).apps.get_model("portal", "Studio")
    old.objects.create(name="Slow", slug="slow", sandbox_latency_ms=120, sandbox_error_rates={"503": 0.5})
    old.objects.create(name="Calm", slug="calm")
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        moved = {row.studio.slug: row for row in SandboxFaults.objects.select_related("studio")}
        assert list(moved) == ["slow"]  # a studio without faults needs no row
        assert (moved["slow"].latency_ms, moved["slow"].error_rates, moved["slow"].timeout_rate) == (
            120,
            {"503": 0.5},
            0.0,
        )
        assert set(Studio.objects.values_list("slug", flat=True)) == {"slow", "calm"}
        MigrationExecutor(connection).migrate(BEFORE_THE_MOVE)  # and back again
        assert old.objects.get(slug="slow").sandbox_error_rates == {"503": 0.5}
    finally:
        MigrationExecutor(connection).migrate(latest)
