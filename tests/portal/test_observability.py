"""One JSON log line per request without personal data; Prometheus metrics at /metrics for the scraper only."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from prometheus_client import REGISTRY

from portal.logformat import JsonFormatter, RouteNotPathFilter
from sandbox import faults

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = "/s/demo/classes/"
TOKEN = "scrape-token-0123456789"


@pytest.fixture
def request_lines(caplog):
    """The request lines logged so far, as the JSON formatter writes them."""
    caplog.set_level(logging.INFO, logger="portal.request")
    formatter = JsonFormatter()

    def lines() -> list[str]:
        return [formatter.format(record) for record in caplog.records if record.name == "portal.request"]

    return lines


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_one_json_line_per_request_with_route_not_path(client, demo_studio, request_lines):
    next_url = "/s/demo/classes/%3Fx%3Dmia%40example.com"
    response = client.get(f"/s/demo/account/?next={next_url}")
    assert response.status_code == 200

    [line] = request_lines()
    entry = json.loads(line)
    assert entry["logger"] == "portal.request"
    assert entry["level"] == "INFO"
    assert entry["method"] == "GET"
    assert entry["route"] == "selfservice:account"
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 0
    assert {"time", "message", "upstream_calls", "upstream_ms"} <= entry.keys()
    for private in ("mia", "example.com", "%40", "next", "/s/demo", "127.0.0.1", "Cookie", "csrftoken"):
        assert private not in line


def test_a_sign_in_token_never_reaches_the_log(client, demo_studio, request_lines):
    secret = "tokenpart-9f8e7d6c5b4a"
    client.get(f"/s/demo/account/sign-in/{secret}/")
    [line] = request_lines()
    assert json.loads(line)["route"] == "selfservice:sign-in-link"
    assert secret not in line


def test_an_address_that_matches_nothing_is_logged_as_dash(client, db, request_lines):
    client.get("/no-such-page/mia@example.com")
    [line] = request_lines()
    assert json.loads(line)["route"] == "-"
    assert json.loads(line)["status"] == 404
    assert "example.com" not in line


def test_djangos_own_request_lines_name_the_route_not_the_path():
    request = RequestFactory().get("/s/demo/account/sign-in/secret-token/")
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "%s: %s", ("Internal Server Error", request.path), None
    )
    record.request = request
    RouteNotPathFilter().filter(record)
    assert record.getMessage() == "Internal Server Error: -"
    assert "request" not in JsonFormatter().format(record).replace('"logger":"django.request"', "")


def test_a_cold_page_logs_its_upstream_calls(client, demo_studio, request_lines):
    response = client.get(SCHEDULE)
    assert response.status_code == 200
    entry = json.loads(request_lines()[0])
    calls = int(re.search(r'desc="(\d+) calls?"', response["Server-Timing"]).group(1))
    assert entry["route"] == "bookings-schedule"
    assert entry["upstream_calls"] == calls > 0
    assert entry["upstream_ms"] > 0

    client.get(SCHEDULE)  # the same page again: kept whole (portal.pagecache), answered before routing
    again = json.loads(request_lines()[1])
    assert again["route"] == "bookings-schedule"
    assert again["upstream_calls"] == 0


def test_metrics_are_not_found_without_a_token_or_allowed_address(client, db, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404

    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404

    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 404  # the test client is 127.0.0.1


def test_metrics_with_the_bearer_token(client, db, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "private, no-store"
    assert "portal_request_duration_seconds" in response.content.decode()


def test_metrics_from_an_allowed_address(client, db, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["192.0.2.1", "127.0.0.0/8"]
    assert client.get("/metrics").status_code == 200


def test_metrics_count_pages_upstream_calls_and_cache_lookups(client, demo_studio, settings):
    settings.METRICS_TOKEN = TOKEN
    schedule = {"route": "bookings-schedule", "method": "GET", "status": "2xx"}
    slots = {"operation": "getClassSlotsForMultipleClasses", "outcome": "ok"}
    before = {
        "pages": sample("portal_request_duration_seconds_count", **schedule),
        "slots": sample("portal_upstream_call_duration_seconds_count", **slots),
        "miss": sample("portal_cache_lookups_total", result="miss"),
        "fresh": sample("portal_cache_lookups_total", result="fresh"),
    }

    client.get(SCHEDULE)  # cold: loads what it shows
    client.get(SCHEDULE)  # the kept page: no cache lookups at all
    # Another language is another kept page: rendered again, from the cached reads.
    client.get(SCHEDULE, HTTP_ACCEPT_LANGUAGE="en")
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()

    assert (
        'portal_upstream_call_duration_seconds_count{operation="getClassSlotsForMultipleClasses",outcome="ok"}' in body
    )
    assert 'portal_request_duration_seconds_count{method="GET",route="bookings-schedule",status="2xx"}' in body
    assert "portal_cache_lookups_total{" in body
    assert sample("portal_request_duration_seconds_count", **schedule) == before["pages"] + 3
    assert sample("portal_upstream_call_duration_seconds_count", **slots) > before["slots"]
    assert sample("portal_cache_lookups_total", result="miss") > before["miss"]
    assert sample("portal_cache_lookups_total", result="fresh") > before["fresh"]
    # /metrics itself is counted under its own name (after this scrape, so seen in the next one)
    assert sample("portal_request_duration_seconds_count", route="metrics", method="GET", status="2xx") >= 1


def test_upstream_errors_are_labelled_by_their_class(client, demo_studio):
    limited = {"operation": "getClassSlotsForMultipleClasses", "outcome": "RateLimited"}
    before = sample("portal_upstream_call_duration_seconds_count", **limited)
    faults.configure(demo_studio, error_rates={"429": 1.0})
    client.get(SCHEDULE)
    assert sample("portal_upstream_call_duration_seconds_count", **limited) > before


@pytest.mark.parametrize(
    ("env", "expected"),
    [({"DEBUG": "0"}, "json"), ({"DEBUG": "1"}, "plain"), ({"DEBUG": "1", "LOG_FORMAT": "json"}, "json")],
)
def test_log_format_follows_debug_unless_set(env, expected):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "LOG_FORMAT", "DJANGO_SETTINGS_MODULE")}
    code = "import portal.settings as s; print(s.LOG_FORMAT, s.LOGGING['handlers']['console']['formatter'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [expected, expected]


def test_gunicorn_workers_are_added_up_in_multiprocess_mode(tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR each process writes its own files; /metrics in any worker sums them."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_TOKEN": TOKEN,
    }
    setup = "import django; django.setup(); from portal import metrics; "
    worker = setup + "metrics.observe_request('bookings-schedule', 'GET', 200, 0.05)"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], cwd=ROOT, env=env, check=True)
    scrape = setup + (
        "from django.test import RequestFactory; "
        f"request = RequestFactory().get('/metrics', HTTP_AUTHORIZATION='Bearer {TOKEN}'); "
        "print(metrics.metrics_view(request).content.decode())"
    )
    body = subprocess.run(
        [sys.executable, "-c", scrape], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    assert 'portal_request_duration_seconds_count{method="GET",route="bookings-schedule",status="2xx"} 2.0' in body

    from portal.gunicorn_hooks import on_starting

    on_starting(None)  # not set in this process: leaves the files alone
    assert list(tmp_path.glob("histogram_*.db"))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    on_starting(None)  # a new deployment start begins from nothing
    assert not list(tmp_path.glob("*.db"))
