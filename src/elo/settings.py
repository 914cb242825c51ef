"""Elo settings: everything configurable comes from ELO_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("ELO_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The secret key from the environment, or one generated once and kept in the data dir."""
    if key := os.environ.get("ELO_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("ELO_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ELO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if host.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "bootstrap",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "elo.core",
    "elo.identity",
    "elo.contacts",
    "elo.activities",
    "elo.sales",
    "elo.billing",
    "elo.automation",
    "elo.webhooks",
    "elo.privacy",
    "elo.interchange",
    "elo.channels.email",
    "elo.channels.phone",
    "elo.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "elo.identity.middleware.UserLanguageMiddleware",
    "elo.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "elo.urls"
WSGI_APPLICATION = "elo.wsgi.application"
ASGI_APPLICATION = "elo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]


def _database() -> dict[str, Any]:
    url = os.environ.get("ELO_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'elo.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at
            # BEGIN so concurrent writers queue on busy_timeout instead of failing.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA cache_size=-64000;"
                "PRAGMA temp_store=MEMORY;"
            ),
        }
        config["TEST"] = {"NAME": os.environ.get("ELO_TEST_SQLITE_NAME") or None}
    else:
        config["CONN_HEALTH_CHECKS"] = True
        # A server that drops packets fails a connection in seconds, not minutes (/healthz).
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        # bin/run-tests names a test database per run, so runs side by side don't collide.
        config["TEST"] = {"NAME": os.environ.get("ELO_TEST_POSTGRES_NAME") or None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "identity:login"

# Failed logins per email (and per client address) within the window before refusing.
ELO_LOGIN_MAX_FAILURES = int(os.environ.get("ELO_LOGIN_MAX_FAILURES", "5"))
ELO_LOGIN_WINDOW_SECONDS = int(os.environ.get("ELO_LOGIN_WINDOW_SECONDS", "900"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("ELO_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("pt-br", _("Portuguese (Brazil)")),
    ("pt-pt", _("Portuguese (Portugal)")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("ELO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The task queue: the database (default) or Redis through RQ, chosen by configuration only:
# ELO_TASKS_BACKEND=django_tasks_rq.RQBackend and ELO_REDIS_URL=redis://host:6379/0.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ELO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
ELO_REDIS_URL = os.environ.get("ELO_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": ELO_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# Jobs run in the worker process itself: `elo worker` keeps heartbeat and scheduler threads,
# which a fork per job (rq's default) would copy in an unknown state.
RQ = {"WORKER_CLASS": "rq.worker.SimpleWorker"}

ELO_DEFAULT_REGION = os.environ.get("ELO_DEFAULT_REGION", "BR")
# The currency deals and reports use when none is given (ISO 4217).
ELO_BASE_CURRENCY = os.environ.get("ELO_BASE_CURRENCY", "BRL").upper()
ELO_API_MAX_PAGE_SIZE = 200

# The email channel: inbound mail is filed as ELO_EMAIL_INGEST_USER (an email; default the
# first admin); mail from unknown senders becomes a lead or is ignored; the HTTP inbound
# endpoint needs ELO_EMAIL_INBOUND_SECRET (HMAC-SHA256 of the body) and refuses without it.
ELO_EMAIL_INGEST_USER = os.environ.get("ELO_EMAIL_INGEST_USER", "")
ELO_EMAIL_UNKNOWN_SENDER = os.environ.get("ELO_EMAIL_UNKNOWN_SENDER", "lead")
ELO_EMAIL_INBOUND_SECRET = os.environ.get("ELO_EMAIL_INBOUND_SECRET", "")
ELO_EMAIL_MAX_MESSAGE_BYTES = int(os.environ.get("ELO_EMAIL_MAX_MESSAGE_BYTES", 25 * 1024 * 1024))
ELO_EMAIL_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("ELO_EMAIL_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
)
ELO_EMAIL_INBOUND_PER_MINUTE = int(os.environ.get("ELO_EMAIL_INBOUND_PER_MINUTE", "600"))
ELO_EMAIL_ATTACHMENT_DIR = DATA_DIR / "email-attachments"

# The phone channel: click-to-call links open a softphone with "tel:" or "sip:" (then
# sip:+E164@ELO_SIP_DOMAIN); call events are signed with ELO_PHONE_WEBHOOK_SECRET (generic
# JSON) or Twilio's auth token. Without a secret the matching events are refused.
ELO_PHONE_LINK = os.environ.get("ELO_PHONE_LINK", "tel")
ELO_SIP_DOMAIN = os.environ.get("ELO_SIP_DOMAIN", "")
ELO_PHONE_WEBHOOK_SECRET = os.environ.get("ELO_PHONE_WEBHOOK_SECRET", "")
ELO_TWILIO_AUTH_TOKEN = os.environ.get("ELO_TWILIO_AUTH_TOKEN", "")
# The exact URL Twilio is configured to call, when a proxy in front of Elo changes the scheme or
# host the request arrives with (Twilio signs the URL it called).
ELO_TWILIO_WEBHOOK_URL = os.environ.get("ELO_TWILIO_WEBHOOK_URL", "")
ELO_PHONE_MAX_BODY_BYTES = int(os.environ.get("ELO_PHONE_MAX_BODY_BYTES", "65536"))
ELO_PHONE_RATE_LIMIT = int(os.environ.get("ELO_PHONE_RATE_LIMIT", "600"))  # per minute and IP

EMAIL_BACKEND = os.environ.get(
    "ELO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ELO_LOG_LEVEL", "WARNING")},
}
