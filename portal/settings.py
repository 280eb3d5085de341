"""Settings for the studio portal.

Every deployment knob is read from the environment through the typed helpers in
``portal.lib.env``; the README lists each variable. Defaults are the embedded
parts (SQLite, local-memory cache, immediate tasks) so a fresh clone runs with
no services; production sets DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.lib.env import envbool, envchoice, envfloat, envint, envlist, envrates, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-do-not-deploy-0123456789"

# Fernet keys (comma-separated, newest first) for API keys stored in the database.
# Without one, a key derived from SECRET_KEY is used; set it in production so
# that rotating SECRET_KEY does not make stored API keys unreadable.
PORTAL_ENCRYPTION_KEYS = envlist("PORTAL_ENCRYPTION_KEY")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
PUBLIC_BASE_URL = envstr("PUBLIC_BASE_URL").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "portal",
    "sandbox",
    "bookings",
    "trialoffers",
    "selfservice",
]

MIDDLEWARE = [
    # First, to log and time every answer (static files and cached pages too): no path, no client data.
    "portal.requestlog.RequestLogMiddleware",
    # Before everything a kept anonymous page does not need (sessions, CSRF, the view); it keeps the security
    # headers with the page, and lets a plain-HTTP request through to the HTTPS redirect.
    "portal.pagecache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.UpstreamTimingMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.StudioLocaleMiddleware",
    "portal.middleware.UnreadableApiKeyMiddleware",
    # Before CsrfViewMiddleware, which reads the body: refuses over-long bodies unread, checks members first.
    "portal.bodylimits.RequestBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out admin sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two
                # workers booking the same slot queue up instead of both reading
                # the old capacity (SQLite ignores select_for_update).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.lib.redis_cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
            # The default 300 entries are too few once members' bookings are cached.
            "OPTIONS": {"MAX_ENTRIES": 10000},
        }
    }

# Anonymous public pages (portal.pagecache): how long any HTTP cache may keep one (s-maxage), how long a
# stale one may be served while it is refreshed, or while the portal fails; and whether the portal keeps
# the rendered pages in the shared cache itself.
PUBLIC_PAGE_SECONDS = envint("PUBLIC_PAGE_SECONDS", 10, minimum=0)
PUBLIC_PAGE_STALE_SECONDS = envint("PUBLIC_PAGE_STALE_SECONDS", 30, minimum=0)
PUBLIC_PAGE_STALE_IF_ERROR_SECONDS = envint("PUBLIC_PAGE_STALE_IF_ERROR_SECONDS", 600, minimum=0)
PUBLIC_PAGE_CACHE = envbool("PUBLIC_PAGE_CACHE", True)
# Each process serves its own copy of a kept page for this long without asking the shared cache.
PUBLIC_PAGE_LOCAL_SECONDS = envfloat("PUBLIC_PAGE_LOCAL_SECONDS", 1.0, minimum=0.0)

# --- Sessions and cookies -----------------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 60 * 60 * 8, minimum=300)
SESSION_COOKIE_HTTPONLY = True
SECURE_DEFAULTS = not DEBUG
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", SECURE_DEFAULTS)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", SECURE_DEFAULTS)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Inside a studio's website the portal is a third-party frame: its cookies must be
# SameSite=None (which browsers accept only with Secure). Over plain HTTP (development) Lax.
SESSION_COOKIE_SAMESITE = "None" if SESSION_COOKIE_SECURE else "Lax"
CSRF_COOKIE_SAMESITE = "None" if CSRF_COOKIE_SECURE else "Lax"
LANGUAGE_COOKIE_SAMESITE = SESSION_COOKIE_SAMESITE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", SECURE_DEFAULTS)
# Load balancers probe /healthz and Prometheus scrapes /metrics over plain HTTP (Django matches the path
# without its leading slash).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SECURE_DEFAULTS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
# Preloading commits the whole parent domain to HTTPS for years and is hard to undo;
# it is the deployer's choice (SECURE_HSTS_PRELOAD=1), not a default, so its reminder is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind reverse proxies: how many of them append to X-Forwarded-For. The client (for rate
# limits) is the N-th address from the right; 0 uses REMOTE_ADDR. TRUST_X_FORWARDED_FOR=1 is
# the deprecated spelling of one proxy.
TRUSTED_PROXY_COUNT = envint(
    "TRUSTED_PROXY_COUNT", 1 if envbool("TRUST_X_FORWARDED_FOR", False) else 0, minimum=0, maximum=10
)
if envbool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"

# --- Auth (staff use Django admin) --------------------------------------------
# django-axes counts failed admin sign-ins and refuses further tries, even with the right
# password, once AXES_FAILURE_LIMIT is reached, until AXES_COOLOFF_MINUTES have passed or an
# operator runs `manage.py axes_reset` / `axes_reset_username NAME` / `axes_reset_ip ADDRESS`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 60, minimum=1))
# Each entry locks on its own: the address (one attacker trying many names) and the user name
# (many addresses trying one name; the name stays locked even for its owner until reset).
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
# The same client address as the portal's rate limits (trusted proxies counted from the right).
AXES_CLIENT_IP_CALLABLE = "portal.lib.ratelimit.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.admin_lockout.lockout_response"  # a plain, translated page
# Failed attempts are kept only until they expire; successful sign-ins (name, address) are not logged.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]  # masked in axes' log lines
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Request bodies -----------------------------------------------------------
# A body announced larger than this is answered 413 before it is read (portal.bodylimits).
# The largest legitimate body is an idle period form with one 5 MB document. Set the proxy's
# limit to match (nginx: client_max_body_size 6m).
MAX_REQUEST_BODY_BYTES = envint("MAX_REQUEST_BODY_MB", 6, minimum=1, maximum=100) * 1024 * 1024
# Form fields other than files (Django's default is 2.5 MB; the longest form field holds 2000 characters).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# One idle period document per request, plus the JSON "data" part that API clients may send
# to the sandbox as a file.
DATA_UPLOAD_MAX_NUMBER_FILES = 2
# Other views keep files up to this size in memory and larger ones in a temporary file; the idle
# period view keeps its one document in memory only (selfservice.uploads).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440

# --- Languages ----------------------------------------------------------------
LANGUAGE_CODE = "de"
# Every language the portal speaks; each studio enables the ones its members see (Studio.languages).
LANGUAGES = [
    ("de", _("German")),
    ("en", _("English")),
    ("fr", _("French")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("es", _("Spanish")),
    ("pl", _("Polish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Email and background tasks -----------------------------------------------
EMAIL_MODE = envchoice("EMAIL_MODE", "file" if DEBUG else "smtp", ("smtp", "file", "console"))
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}[EMAIL_MODE]
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS_MODE = envchoice("TASKS_MODE", "immediate", ("immediate", "database"))
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TASKS_MODE == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# Finished task rows (ids only, no content) are deleted after this many days by `manage.py housekeeping`.
TASKS_KEEP_FINISHED_DAYS = envint("TASKS_KEEP_FINISHED_DAYS", 7, minimum=0)

# Seconds a worker keeps a studio's settings before reading them again (admin changes
# reach other workers within this time; 0 reads the database on every request).
STUDIO_CACHE_SECONDS = envfloat("STUDIO_CACHE_SECONDS", 10.0, minimum=0)

# --- The PerfectGym client ----------------------------------------------------
# The one place the upstream timeouts are set (seconds).
UPSTREAM_CONNECT_TIMEOUT = envfloat("UPSTREAM_CONNECT_TIMEOUT", 3.05, minimum=0.1)
UPSTREAM_READ_TIMEOUT = envfloat("UPSTREAM_READ_TIMEOUT", 10.0, minimum=0.1)
UPSTREAM_GET_RETRIES = envint("UPSTREAM_GET_RETRIES", 2, minimum=0, maximum=5)
UPSTREAM_BACKOFF_SECONDS = envfloat("UPSTREAM_BACKOFF_SECONDS", 0.2, minimum=0)
UPSTREAM_RETRY_AFTER_CAP_SECONDS = envfloat("UPSTREAM_RETRY_AFTER_CAP_SECONDS", 2.0, minimum=0)
# Threads per process for pages that need several upstream calls at once (0: one after another).
UPSTREAM_CONCURRENCY = envint("UPSTREAM_CONCURRENCY", 8, minimum=0, maximum=64)

# --- The sandbox (stateful stand-in for the API) -------------------------------
# Off in production unless asked for: the in-process adapter needs no HTTP endpoint.
SANDBOX_HTTP_ENABLED = envbool("SANDBOX_HTTP_ENABLED", DEBUG)
# The requests transport that answers sandbox studios in-process (no sockets).
SANDBOX_ADAPTER = "sandbox.adapter.SandboxAdapter"
SANDBOX_LATENCY_MS = envint("SANDBOX_LATENCY_MS", 0, minimum=0, maximum=60000)
SANDBOX_ERROR_RATES = envrates("SANDBOX_ERROR_RATES", (500, 503, 429))
SANDBOX_TIMEOUT_RATE = envfloat("SANDBOX_TIMEOUT_RATE", 0.0, minimum=0, maximum=1)
SANDBOX_RATE_LIMIT_PER_MINUTE = envint("SANDBOX_RATE_LIMIT_PER_MINUTE", 1000, minimum=1)

# --- Logging: one line per request and per upstream call, never personal data ---
LOG_LEVEL = envchoice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
# One JSON object per line for log collectors; plain text for `make run` (DEBUG).
LOG_FORMAT = envchoice("LOG_FORMAT", "plain" if DEBUG else "json", ("json", "plain"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Django's own request lines name the path (which can hold a sign-in token): the route instead.
    "filters": {"route_not_path": {"()": "portal.logformat.RouteNotPathFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["route_not_path"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "portal": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "sandbox": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # A member's malformed PDF is refused with a sentence; pypdf's repair notes are not the operator's concern.
        "pypdf": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# --- Metrics (Prometheus, at /metrics) ------------------------------------------
# /metrics answers a request with "Authorization: Bearer <METRICS_TOKEN>" or from one of these
# addresses or networks (the client address as the rate limits see it); anyone else gets a 404.
METRICS_TOKEN = envstr("METRICS_TOKEN")
METRICS_ALLOWED_IPS = envlist("METRICS_ALLOWED_IPS")
