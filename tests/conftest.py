"""Shared fixtures. Named studios and members, healthchecks-style."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from portal import counting, pagecache
from portal.models import Studio
from portal.studios import forget_studios
from portal.upstream import client_for, reset_sessions


@pytest.fixture(autouse=True)
def _clean_cache_and_sessions():
    cache.clear()
    pagecache.forget()
    reset_sessions()
    forget_studios()  # the test database is rolled back under the per-process studio cache
    yield
    cache.clear()
    counting.forget()  # nothing counted is left for the exit's flush (it would write to the development database)


@pytest.fixture
def demo_studio(db) -> Studio:
    """The demo studio on the sandbox with its full demo data (as `make run` loads it)."""
    from django.core.management import call_command

    call_command("load_demo", "--no-admin", verbosity=0)
    return Studio.objects.get(slug="demo")


@pytest.fixture
def demo_client(demo_studio):
    """The typed client talking to the demo studio's sandbox in-process."""
    return client_for(demo_studio, language="en")
