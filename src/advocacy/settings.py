"""One settings module, configured by environment variables.

Defaults give a working SQLite development setup under ``var/``. With ``ADVOCACY_ENV=production``
the settings insist on what production needs (a real SECRET_KEY, explicit ALLOWED_HOSTS, HTTPS) and
fail loudly at start-up rather than run insecurely.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import dj_email_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("ADVOCACY_VAR_DIR", Path.cwd() / "var")).resolve()


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_rate(name: str, default: str) -> str:
    """A limit as django-ratelimit reads it: "count/period", period s, m, h or d with an optional multiple."""
    value = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must be a limit such as 10/15m (count/period; s, m, h or d), not {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


ENV = env_str("ADVOCACY_ENV", "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"ADVOCACY_ENV must be development, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"


def secret_key() -> str:
    """The key from SECRET_KEY; outside production one is generated once and kept under var/."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when ADVOCACY_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG must be false when ADVOCACY_ENV=production: its error pages show settings and code to anyone"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when ADVOCACY_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
COMPANY_NAME = env_str("COMPANY_NAME", "Advocacy")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    "advocacy.core",
    "advocacy.customers",
    "advocacy.feedback",
    "advocacy.casework",
    "advocacy.advocates",
    "advocacy.insights",
    "advocacy.listening",
    "advocacy.outreach",
    "advocacy.portal",
    "advocacy.demo",
]

MIDDLEWARE = [
    "advocacy.core.middleware.RequestTimeoutMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "advocacy.core.middleware.PermissionsPolicyMiddleware",
    "advocacy.core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "advocacy.core.limits.ApiLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "advocacy.core.api.idempotency.IdempotencyMiddleware",
    "advocacy.core.middleware.ViewerTimezoneMiddleware",
]

ROOT_URLCONF = "advocacy.urls"
PERIODIC_TASKS = "advocacy.schedule.PERIODIC_TASKS"  # run by `advocacy scheduler`
WSGI_APPLICATION = "advocacy.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "advocacy.core.context_processors.navigation",
                "advocacy.core.context_processors.csp_nonce",
                "advocacy.core.context_processors.background_work",
            ],
            "builtins": ["advocacy.core.templatetags.when", "advocacy.core.templatetags.access"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'advocacy.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while a worker writes; IMMEDIATE takes the write lock at the
    # start of a transaction, so two writers queue instead of failing with "database is locked".
    # A page cache of up to 64 MB a connection (the default is 2 MB) keeps the indexes that every
    # mention batch writes into in memory: the listening ingest ran 1.3× faster at 50,000 mentions (P5b).
    # Django's backend, but a transaction waits for the write lock in steps of at most 0.5 ms instead of
    # SQLite's back-off to 100 ms (core/sqlite/base.py): a burst's slowest answers took half as long.
    DATABASES["default"]["ENGINE"] = "advocacy.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# The hottest statements (a one-click answer's, a limit's count) are prepared on PostgreSQL: parsed and
# planned once per connection (core/prepared.py). Off behind a pooler that cannot hold prepared statements.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql") and DATABASE_PREPARED_STATEMENTS:
    # Django turns psycopg's prepared statements off (None); psycopg's default turns them back on. Django's
    # own cursors bind on the client and never prepare, so only core/prepared.py's statements are.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve static files straight from the apps outside production, so `advocacy serve` works
# without a collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "media"

# Email: EMAIL_URL such as smtp://user:pass@host:587/?tls=True; console outside production.
_email = dj_email_url.parse(env_str("EMAIL_URL", "smtp://localhost:25" if PRODUCTION else "console:"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    # The same backend, with the marker written before the server can accept a mail (crash safety).
    EMAIL_BACKEND = "advocacy.outreach.mail.handover.EmailBackend"
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Advocacy <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work through the Tasks API: the database queue by default, RQ on Redis at scale.
TASK_BACKEND = env_str("TASK_BACKEND", "database")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {sorted(_TASK_BACKENDS)}, not {TASK_BACKEND!r}")
TASKS = {"default": _TASK_BACKENDS[TASK_BACKEND]}
if TASK_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0")}}

# Durable tasks (core/jobs): retries with exponential back-off, then the dead letters admins see.
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 5)
TASK_RETRY_BASE_SECONDS = env_int("TASK_RETRY_BASE_SECONDS", 30)
TASK_RETRY_MAX_SECONDS = env_int("TASK_RETRY_MAX_SECONDS", 3600)
# A worker beats every WORKER_HEARTBEAT_SECONDS and sweeps every WORKER_SWEEP_SECONDS; a worker silent for
# WORKER_LOST_AFTER_SECONDS (or whose process is gone, on the same host) is lost and its jobs retried.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_SWEEP_SECONDS = env_int("WORKER_SWEEP_SECONDS", 60)
WORKER_LOST_AFTER_SECONDS = env_int("WORKER_LOST_AFTER_SECONDS", 60)
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 3600)  # work claimed by a process that never beats
JOB_REDISPATCH_SECONDS = env_int("JOB_REDISPATCH_SECONDS", 900)
JOB_RETENTION_DAYS = env_int("JOB_RETENTION_DAYS", 14)
JOB_DEAD_RETENTION_DAYS = env_int("JOB_DEAD_RETENTION_DAYS", 90)
if WORKER_LOST_AFTER_SECONDS <= WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("WORKER_LOST_AFTER_SECONDS must be longer than WORKER_HEARTBEAT_SECONDS")

# Survey waves are sent in chunks of this many invitations, one job each.
WAVE_CHUNK_SIZE = env_int("WAVE_CHUNK_SIZE", 200)

# Imports
# Limits on every import file (docs/security.md, "Imports"), checked while reading, before a row is written.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 100 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)  # what an XLSX unpacks to
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_000_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 10_000)  # a longer cell fails its row
IMPORT_REPORT_MAX_BYTES = env_int("IMPORT_REPORT_MAX_BYTES", 256 * 1024)  # errors beyond are counted, not kept
IMPORT_REPORT_VALUE_CHARS = env_int("IMPORT_REPORT_VALUE_CHARS", 200)
IMPORT_INLINE_MAX_BYTES = env_int("IMPORT_INLINE_MAX_BYTES", 5 * 1024 * 1024)  # larger API uploads run in a worker
# Rows per import transaction. Each commit writes every index page its rows touched, and orders name random
# customers, so a smaller batch writes the same pages more often: at 1,000,000 orders on SQLite a commit cost
# 31 µs a row in batches of 2,000 and 11 µs in batches of 10,000 (docs/benchmarks.md, P1 round 4).
IMPORT_BATCH_SIZE = env_int("IMPORT_BATCH_SIZE", 10_000)
# SQLite's page cache while an import runs (a connection's is 64 MB, set above): a large import's index pages
# fall out of a smaller cache and every insert reads them again (docs/benchmarks.md, P1). 0 keeps the
# connection's own.
IMPORT_SQLITE_CACHE_MB = env_int("IMPORT_SQLITE_CACHE_MB", 256)
# WAL pages between SQLite's checkpoints while an import runs (its default is 1,000): a large import copies
# each index page back once for many batches instead of once a batch. 0 keeps SQLite's default.
IMPORT_SQLITE_CHECKPOINT_PAGES = env_int("IMPORT_SQLITE_CHECKPOINT_PAGES", 20_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Comment themes: "tfidf" (default, scikit-learn, offline) or "embeddings" (the `nlp` extra; a GPU when
# present). An embeddings setting without the extra installed falls back to tfidf and says so in the log.
THEMES_BACKEND = env_str("THEMES_BACKEND", "tfidf")
if THEMES_BACKEND not in {"tfidf", "embeddings"}:
    raise ImproperlyConfigured(f"THEMES_BACKEND must be 'tfidf' or 'embeddings', not {THEMES_BACKEND!r}")

# One-click answers: the first confirmed click settles an answer and the loop acts on it at once; a
# changed answer settles, and the loop acts on the change, once it has stood this long unchanged.
ANSWER_SETTLE_SECONDS = env_int("ANSWER_SETTLE_SECONDS", 300)
# One-click answers are followed up by runs the clicks wake, one per share of the answers (by id), so that
# that many workers can follow up a burst side by side (docs/surveys.md).
ANSWER_FOLLOW_UP_SHARES = env_int("ANSWER_FOLLOW_UP_SHARES", 4)
# How long the unsubscribe link in a mail keeps working: long (people unsubscribe from old mail) but
# finite, so a link that leaked years ago stops working.
UNSUBSCRIBE_LINK_DAYS = env_int("UNSUBSCRIBE_LINK_DAYS", 400)
# Retention: the words of mail sent to customers are emptied after this many days (0 keeps them).
MAIL_BODY_RETENTION_DAYS = env_int("MAIL_BODY_RETENTION_DAYS", 365)
# A customer import naming a company that is not an account yet: "create" it (as CRM contact exports
# expect) and list it in the report, or "link" only to accounts that exist (the row is refused).
IMPORT_UNKNOWN_ACCOUNTS = env_str("IMPORT_UNKNOWN_ACCOUNTS", "create")
if IMPORT_UNKNOWN_ACCOUNTS not in {"create", "link"}:
    raise ImproperlyConfigured(f"IMPORT_UNKNOWN_ACCOUNTS must be create or link, not {IMPORT_UNKNOWN_ACCOUNTS!r}")

# Caches and the limits' counters. The limits below count in a table of their own (core LimitCount,
# advocacy.core.limits: one statement a count), or in Redis when REDIS_URL is set. The default cache (a
# few cached page parts) is the database cache (table advocacy_cache, made by migration core 0003), or
# Redis; tests use a local-memory cache that each test starts empty.
REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if ENV == "test":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"}}
elif REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "advocacy_cache",
            "OPTIONS": {"MAX_ENTRIES": 10_000, "CULL_FREQUENCY": 4},
        }
    }
LIMITS_STORE = "cache" if CACHES["default"]["BACKEND"].endswith(".RedisCache") else "database"
# django-ratelimit checks the default cache, in which it counts only when LIMITS_STORE is "cache" (Redis,
# whose increment is atomic); otherwise the limits count in their own table and its checks do not apply.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if LIMITS_STORE == "database":
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
RATELIMIT_USE_CACHE = "default"
# Behind a proxy, the request header that carries the client's address (e.g. HTTP_X_REAL_IP); the
# limits key on REMOTE_ADDR otherwise. IPv6 addresses count per /64.
RATELIMIT_IP_META_KEY = env_str("CLIENT_IP_HEADER") or None

# Limits (docs/security.md, "Limits"): "count/period" with period s, m, h or d (15m = 15 minutes).
# Staff sign-in: failures per (username, IP): after SIGNIN_MAX_FAILURES in 15 minutes, that pair waits;
# usernames are compared NFKC + casefold, so another spelling of a name shares its budget.
SIGNIN_MAX_FAILURES = env_int("SIGNIN_MAX_FAILURES", 10)
LIMIT_SIGNIN_FAILURES_PER_IP = env_rate("LIMIT_SIGNIN_FAILURES_PER_IP", "30/15m")
LIMIT_SIGNIN_LINKS_PER_ADDRESS = env_rate("LIMIT_SIGNIN_LINKS_PER_ADDRESS", "10/h")
LIMIT_SIGNIN_LINKS_PER_IP = env_rate("LIMIT_SIGNIN_LINKS_PER_IP", "30/h")
LIMIT_ANSWERS_PER_IP = env_rate("LIMIT_ANSWERS_PER_IP", "120/m")
LIMIT_WEB_SURVEY_ANSWERS_PER_IP = env_rate("LIMIT_WEB_SURVEY_ANSWERS_PER_IP", "30/h")
LIMIT_REFERRAL_REQUESTS_PER_IP = env_rate("LIMIT_REFERRAL_REQUESTS_PER_IP", "120/h")
LIMIT_API_REQUESTS_PER_KEY = env_rate("LIMIT_API_REQUESTS_PER_KEY", "600/m")
LIMIT_API_REQUESTS_PER_IP = env_rate("LIMIT_API_REQUESTS_PER_IP", "1200/m")
# Referral clicks: one visitor (browser) counts once per link per window; one IP counts at most
# REFERRAL_CLICKS_PER_IP times per link per window (an office behind one address); beyond, no click.
REFERRAL_CLICK_WINDOW_HOURS = env_int("REFERRAL_CLICK_WINDOW_HOURS", 24)
REFERRAL_CLICKS_PER_IP = env_int("REFERRAL_CLICKS_PER_IP", 5)
# The shared web survey: answers to one survey from one IP beyond the first within a day are flagged.
WEB_SURVEY_DUPLICATE_WINDOW_HOURS = env_int("WEB_SURVEY_DUPLICATE_WINDOW_HOURS", 24)

# Portal sign-in links
MAGIC_LINK_MAX_AGE_MINUTES = env_int("MAGIC_LINK_MAX_AGE_MINUTES", 15)
MAGIC_LINK_MAX_PER_HOUR = env_int("MAGIC_LINK_MAX_PER_HOUR", 5)

# Outbound webhooks (outreach/webhooks): only to allowed hosts, and private addresses only inside allowed networks.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])  # hooks.example.com, *.example.com, or *
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])  # CIDRs of internal receivers, e.g. 10.0.0.0/8
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", PRODUCTION)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 10)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 5)
WEBHOOK_SECRET_OVERLAP_HOURS = env_int("WEBHOOK_SECRET_OVERLAP_HOURS", 24)
WEBHOOK_LOG_RETENTION_DAYS = env_int("WEBHOOK_LOG_RETENTION_DAYS", 30)

# Listening (issue 10): the learned sentiment model and the listening rules.
SENTIMENT_MIN_LABELLED = env_int("SENTIMENT_MIN_LABELLED", 200)  # detractor + promoter comments before learning
LISTENING_FEED_TIMEOUT_SECONDS = env_int("LISTENING_FEED_TIMEOUT_SECONDS", 20)
LISTENING_FEED_MAX_BYTES = env_int("LISTENING_FEED_MAX_BYTES", 5_000_000)
LISTENING_MATERIAL_CONNECTION_MONTHS = env_int("LISTENING_MATERIAL_CONNECTION_MONTHS", 12)
LISTENING_DISCLOSURE_MARKERS = env_list(
    "LISTENING_DISCLOSURE_MARKERS",
    [
        "#ad",
        "#sponsored",
        "#partner",
        "i received",
        "i was given",
        "in exchange for",
        "gifted",
        "#werbung",
        "#anzeige",
        "j'ai reçu",
        "#publicité",
        "recibí",
        "#publicidad",
    ],
)

# Requests: `advocacy serve` ends a request that runs longer than this (core/watchdog.py).
REQUEST_TIMEOUT_SECONDS = env_int("REQUEST_TIMEOUT_SECONDS", 60)

# API
API_PAGE_SIZE = 50
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)
# An Idempotency-Key whose first request never answered is taken over by a retry after this lease
# (longer than the request timeout, so the first request is over by then).
IDEMPOTENCY_LEASE_SECONDS = env_int("IDEMPOTENCY_LEASE_SECONDS", REQUEST_TIMEOUT_SECONDS + 30)
IDEMPOTENCY_MAX_BODY_BYTES = env_int("IDEMPOTENCY_MAX_BODY_BYTES", 256 * 1024)
if IDEMPOTENCY_LEASE_SECONDS <= REQUEST_TIMEOUT_SECONDS:
    raise ImproperlyConfigured("IDEMPOTENCY_LEASE_SECONDS must be longer than REQUEST_TIMEOUT_SECONDS")

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp): scripts only from this server and only with the page's
# nonce, so injected markup cannot run script; nothing framed, no plugins, forms post only here.
# Inline style attributes stay allowed: plotly.js and htmx style elements they create.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Powerful browser features the product never uses are switched off for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters with 5 distinct ones")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
