"""Settings for the test suite: the production settings with test-only defaults.

DATABASE_URL and REDIS_URL still come from the environment, so CI runs the same
suite on SQLite and locmem and again on PostgreSQL and Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("EMAIL_MODE", "console")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("PORTAL_ENCRYPTION_KEY", "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests must never wait for backoff.
UPSTREAM_BACKOFF_SECONDS = 0
UPSTREAM_RETRY_AFTER_CAP_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    # Each run gets its own key space on a shared Redis.
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file (not the shared in-memory database) so threads wait for SQLite's write lock
    # like gunicorn workers do, and the concurrent-booking test runs here too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
else:
    # Two runs at once on one PostgreSQL server (two checkouts, CI beside a developer) must not
    # create, use and drop the same test database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_portal_{os.getpid()}"}  # noqa: F405
# Upstream calls run inline: the db fixture's transaction is invisible to other threads (tests of the
# thread pool itself use transactional_db and override this).
UPSTREAM_CONCURRENCY = 0
# Tests change studios with queryset updates too; the lookup cache has its own test.
STUDIO_CACHE_SECONDS = 0
# Tests drive the sandbox over HTTP too (off by default outside DEBUG; tests/portal/test_settings.py checks that).
SANDBOX_HTTP_ENABLED = True
# Tests change the sandbox's data directly and look at the next page: the portal keeps no rendered
# pages here (the headers are the same); tests/portal/test_pagecache.py switches it on.
PUBLIC_PAGE_CACHE = False
