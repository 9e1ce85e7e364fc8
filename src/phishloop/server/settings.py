"""Django settings, all from `PHISHLOOP_*` environment variables (see docs/server.md).

Embedded default: SQLite in WAL mode and raw reports on the filesystem under
`PHISHLOOP_DATA_DIR`, tasks run by the in-process worker. Scale: `PHISHLOOP_DATABASE_URL`
(PostgreSQL) and `PHISHLOOP_BROKER_URL` (Redis or RabbitMQ) for Celery workers.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url

from phishloop.server.env import data_dir, env_bool, env_float, env_int, env_list, env_str

DATA_DIR = data_dir()
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """`PHISHLOOP_SECRET_KEY`, else a random key kept in the data directory (0600), so
    sessions and signed values survive restarts without any configuration."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if path.is_file():
        return path.read_text("utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.touch(mode=0o600)
    path.write_text(key, "utf-8")
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = list(env_list("ALLOWED_HOSTS", ("localhost", "127.0.0.1", "[::1]", "testserver")))
CSRF_TRUSTED_ORIGINS = list(env_list("CSRF_TRUSTED_ORIGINS"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally, no CDN
    "phishloop.server.audit",
    "phishloop.server.accounts",
    "phishloop.server.jobs",
    "phishloop.server.incidents",
    "phishloop.server.reports",
    "phishloop.server.events",
    "phishloop.server.notifications",
    "phishloop.server.remediation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "phishloop.server.urls"
WSGI_APPLICATION = "phishloop.server.wsgi.application"
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
            ]
        },
    }
]


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "phishloop.sqlite3"),
        # WAL lets the web server read while the worker writes; IMMEDIATE transactions take
        # the write lock up front, so concurrent writers wait (busy timeout) instead of
        # failing with "database is locked" when a read lock cannot be upgraded.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _raw_storage() -> dict[str, Any]:
    """Where raw reports live: the filesystem (default) or S3-compatible object storage."""
    kind = env_str("BLOB_STORAGE", "filesystem").lower()
    if kind == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("S3_BUCKET"),
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "region_name": env_str("S3_REGION") or None,
                "location": env_str("S3_PREFIX", "raw"),
                "file_overwrite": False,
                "default_acl": None,
            },
        }
    location = env_str("BLOB_DIR") or str(DATA_DIR / "blobs")
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location, "file_permissions_mode": 0o600},
    }


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "raw": _raw_storage(),
}
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or str(DATA_DIR / "static"))
# WhiteNoise serves the collected files from STATIC_ROOT when it exists (created by `serve`),
# else straight from the apps through the finders; no warning about a missing directory.
WHITENOISE_AUTOREFRESH = not STATIC_ROOT.is_dir()
WHITENOISE_USE_FINDERS = True  # the embedded server needs no `collectstatic`

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "phishloop.server.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["phishloop.server.accounts.permissions.IsViewer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["phishloop.server.api.throttling.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Per token: a report button shares one token among all employees, and a campaign
        # brings hundreds of reports a minute; this stops runaway scripts, not them.
        "intake": env_str("INTAKE_RATE", "100/second"),
        "anonymous": env_str("ANONYMOUS_RATE", "60/minute"),
    },
    "EXCEPTION_HANDLER": "phishloop.server.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "phishloop API",
    "DESCRIPTION": "Reports in, incidents and verdicts out. Authenticate with "
    "`Authorization: Bearer <token>` (`phishloop token create NAME --role ROLE`).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReportStateEnum": "phishloop.server.reports.models.ReportState",
        "IncidentStateEnum": "phishloop.server.incidents.models.IncidentState",
        "JobStateEnum": "phishloop.server.jobs.models.JobState",
        "PullStateEnum": "phishloop.server.remediation.models.PullState",
        "PullActionOutcomeEnum": "phishloop.server.remediation.models.ActionOutcome",
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# phishloop's own settings
PHISHLOOP_CONFIG = env_str("CONFIG")  # the organisation TOML file (analysis, policy, …)
PHISHLOOP_BROKER_URL = env_str("BROKER_URL")  # empty: embedded worker, no broker
PHISHLOOP_MAX_REPORT_BYTES = env_int("MAX_REPORT_BYTES", 50 * 1024 * 1024, minimum=1024)
PHISHLOOP_JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 5, minimum=1)
PHISHLOOP_JOB_RETRY_SECONDS = env_float("JOB_RETRY_SECONDS", 5.0)
# A running job whose worker died (no finish within this) is due again.
PHISHLOOP_JOB_LEASE_SECONDS = env_float("JOB_LEASE_SECONDS", 600.0, minimum=1.0)
PHISHLOOP_CLUSTER_WINDOW_HOURS = env_float("CLUSTER_WINDOW_HOURS", 72.0)
# How alike (0..1, core.cluster) a copy must be to join a campaign's incident.
PHISHLOOP_CLUSTER_MIN_SIMILARITY = env_float("CLUSTER_MIN_SIMILARITY", 0.7)
# Outbound events: absolute links in webhook payloads, and how long a receiver may take.
PHISHLOOP_PUBLIC_URL = env_str("PUBLIC_URL")
PHISHLOOP_WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 10.0, minimum=0.1)

CELERY_BROKER_URL = PHISHLOOP_BROKER_URL or "memory://"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
}
