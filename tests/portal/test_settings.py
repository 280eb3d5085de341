"""Settings come from the environment; a bad value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.lib.env import envbool, envint, envlist, envrates, envstr

ROOT = Path(__file__).resolve().parents[2]


def test_typed_helpers_read_good_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    monkeypatch.setenv("X_RATES", "500:0.01,503:0.5")
    assert envbool("X_BOOL", False) is True
    assert envint("X_INT", 1, minimum=1) == 42
    assert envlist("X_LIST") == ["a.example", "b.example"]
    assert envrates("X_RATES", (500, 503, 429)) == {500: 0.01, 503: 0.5}


def test_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert envstr("X_SECRET") == "from-a-file"


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("X_BOOL", "maybe", lambda: envbool("X_BOOL", False)),
        ("X_INT", "ten", lambda: envint("X_INT", 1)),
        ("X_INT", "0", lambda: envint("X_INT", 1, minimum=1)),
        ("X_RATES", "500=1", lambda: envrates("X_RATES", (500,))),
        ("X_RATES", "404:0.5", lambda: envrates("X_RATES", (500,))),
    ],
)
def test_bad_values_name_the_variable(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader()


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # tests/settings.py set test defaults in this process's environment: start from a clean one.
    ours = {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "SECURE_SSL_REDIRECT",
        "EMAIL_MODE",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest for Playwright
    }
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_start_up_fails_clearly_without_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_start_up_fails_clearly_on_a_bad_timeout():
    result = _manage("check", SECRET_KEY="x" * 50, UPSTREAM_READ_TIMEOUT="soon")
    assert result.returncode != 0
    assert "UPSTREAM_READ_TIMEOUT must be a number" in result.stderr


def test_deploy_check_is_clean_with_secret_key_and_allowed_hosts(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        SECRET_KEY="a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefgh",
        ALLOWED_HOSTS="portal.example.com",
        SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        TASKS_MODE="database",  # as the README's production section sets it (immediate mail is warned about)
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_debug_is_off_unless_set():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", SECRET_KEY="k" * 50)
    assert result.stdout.strip().endswith("False")


def _test_database_name(database_url: str) -> str:
    code = "from django.conf import settings; print(settings.DATABASES['default']['TEST']['NAME'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize("database_url", ["", "postgres://postgres@127.0.0.1:5432/postgres"])
def test_two_test_runs_at_once_never_share_a_test_database(database_url):
    """Two runs against one PostgreSQL server must not create and drop each other's test database."""
    first, second = _test_database_name(database_url), _test_database_name(database_url)
    assert first and second and first != second
