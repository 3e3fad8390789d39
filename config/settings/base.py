"""SaferStat settings. Every setting that differs between installs comes from the
environment and is listed, with a comment, in `.env.example`."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from pythonjsonlogger.core import RESERVED_ATTRS as _JSON_RESERVED

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from .env into the environment; real environment variables win."""
    if not path.is_file() or os.environ.get("SAFERSTAT_SKIP_DOTENV"):
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip())


_load_dotenv(BASE_DIR / ".env")


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_path(name: str, default: Path) -> Path:
    """A path setting; relative paths are relative to the project folder."""
    value = Path(env(name) or default)
    return value if value.is_absolute() else BASE_DIR / value


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in (env(name, default) or "").split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY is not set: copy .env.example to .env or export SECRET_KEY.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin, with SaferStat's site: its sign-in is the app's (password, then code).
    "saferstat.core.admin_site.SaferStatAdminConfig",
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
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "saferstat.core",
    "saferstat.intelligence",
    "saferstat.governance",
    "saferstat.plan",
    "saferstat.performance",
    "saferstat.casereviews",
    "saferstat.reports",
    "saferstat.assessment",
    "saferstat.delivery",
    "saferstat.dataprotection",
]

MIDDLEWARE = [
    # First: every log line of the request, from any middleware, carries the request id.
    "saferstat.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose check reads the body: refuses an upload by size or permission
    # before a byte of it is read (saferstat/core/uploads.py).
    "saferstat.core.uploads.UploadGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    # A session that still owes its second factor reaches only the code, set-up and sign-out.
    "saferstat.core.twofactor_middleware.TwoFactorMiddleware",
    "saferstat.core.security.PrivatePagesNotStoredMiddleware",
    "saferstat.core.security.FormMethodsOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "saferstat" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saferstat.core.context_processors.navigation",
            ],
        },
    },
]


def _database_url(url: str) -> str:
    """Make a relative SQLite path relative to the project folder, not the current directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(BASE_DIR / url[len(prefix) :])
    return url


DATABASES = {
    "default": dj_database_url.parse(
        _database_url(env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'saferstat.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0") or 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web app read while the task worker writes. Transactions take the write
    # lock when they begin (IMMEDIATE) and wait up to 20 s for it: a deferred transaction
    # that reads and then writes fails at once with "database is locked" when another
    # connection wrote in between (the busy timeout does not apply to that upgrade).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sessions end after 8 hours, or when the browser closes.
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)) or 0)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
# /health/ answers plain HTTP too: the proxy and monitoring ask it on the loopback address.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: no inline scripts anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): 5 failures (wrong passwords and wrong sign-in codes) per
# user and address lock for 30 minutes; see docs/security.md section 2.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5") or 5)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"  # rendered with status 429 (Too Many Requests)
# Also locks a username after this many failures from any addresses, and an address after
# this many failures across any usernames (password spraying), within the cool-off time.
AXES_HANDLER = "saferstat.core.security.SaferStatAxesHandler"
SAFERSTAT_USERNAME_FAILURE_LIMIT = int(env("SAFERSTAT_USERNAME_FAILURE_LIMIT", "20") or 0)
SAFERSTAT_ADDRESS_FAILURE_LIMIT = int(env("SAFERSTAT_ADDRESS_FAILURE_LIMIT", "30") or 0)
# The client address failures are counted against: REMOTE_ADDR, or, when REMOTE_ADDR is one
# of SAFERSTAT_TRUSTED_PROXIES, the address the outermost of SAFERSTAT_TRUSTED_PROXY_COUNT
# proxies appended to X-Forwarded-For (never one the client could have sent).
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SAFERSTAT_TRUSTED_PROXY_COUNT = int(
    env("SAFERSTAT_TRUSTED_PROXY_COUNT", "1" if BEHIND_TLS_PROXY else "0") or 0
)
SAFERSTAT_TRUSTED_PROXIES = env_list("SAFERSTAT_TRUSTED_PROXIES", "127.0.0.1,::1")
AXES_CLIENT_IP_CALLABLE = "saferstat.core.security.client_ip_address"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Where collectstatic puts the static files (the proxy may serve them from there).
STATIC_ROOT = env_path("SAFERSTAT_STATIC_DIR", BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "saferstat" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env_path("SAFERSTAT_MEDIA_DIR", BASE_DIR / "var" / "media")

# 1: partnership admins and analysts, staff and superusers must use two-factor sign-in.
SAFERSTAT_REQUIRE_2FA = env_bool("SAFERSTAT_REQUIRE_2FA", False)
# django-otp: authenticator apps show "SaferStat"; after each wrong code the next is refused
# for 1, 2, 4, 8... seconds (per device), on top of the account lockout above.
OTP_TOTP_ISSUER = "SaferStat"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows keys or recovery codes

# Uploads larger than this are refused before they are read (docs/security.md, "Uploads"):
# by Content-Length before the body is read, and by the streaming upload handler as the
# body arrives. Set the proxy's body limit (nginx client_max_body_size) to match.
SAFERSTAT_MAX_UPLOAD_BYTES = int(env("SAFERSTAT_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)) or 0)
# A meeting paper (PDF, Word, Excel, PowerPoint, OpenDocument or CSV, checked by content) is
# refused above this size (default 20 MB); it must also be under SAFERSTAT_MAX_UPLOAD_BYTES.
SAFERSTAT_MAX_PAPER_BYTES = int(env("SAFERSTAT_MAX_PAPER_BYTES", str(20 * 1024 * 1024)) or 0)
# Replacing a police.uk month in a way that changes its total by more than this share
# (0.10 = 10%) needs a written reason (docs/security.md, force data). A first load needs none.
SAFERSTAT_REPLACE_CONFIRM_SHARE = float(env("SAFERSTAT_REPLACE_CONFIRM_SHARE", "0.10") or 0.10)
# Form data (not files) larger than this is refused; bodies of pages that take no file too.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "saferstat.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A police.uk .csv.gz is refused if it unpacks to more than this many bytes (default 512 MB;
# a national month is about 150 MB), or to more than this many times its own size.
SAFERSTAT_MAX_UNPACKED_BYTES = int(env("SAFERSTAT_MAX_UNPACKED_BYTES", str(512 * 1024 * 1024)) or 0)
SAFERSTAT_MAX_UNPACK_RATIO = float(env("SAFERSTAT_MAX_UNPACK_RATIO", "100") or 100)
# Days an uploaded file is kept once it was loaded or refused (0: deleted at once).
# `manage.py purge_uploads` deletes older ones, and files left without a row.
SAFERSTAT_UPLOAD_RETENTION_DAYS = int(env("SAFERSTAT_UPLOAD_RETENTION_DAYS", "0") or 0)

# The analytical store (Parquet, read by DuckDB) and the ONS reference files.
SAFERSTAT_WAREHOUSE = env_path("SAFERSTAT_WAREHOUSE", BASE_DIR / "var" / "warehouse")
SAFERSTAT_DEMO_DATA = env_path("SAFERSTAT_DEMO_DATA", BASE_DIR / "demo_data")
# Boundary files (GeoJSON) for the explorer's maps.
SAFERSTAT_BOUNDARIES_DIR = env_path(
    "SAFERSTAT_BOUNDARIES_DIR", BASE_DIR / "demo_data" / "boundaries"
)

# Fetching police.uk months by themselves (`saferstat fetch`, the `fetch_policeuk` task;
# docs/fetch.md): the archive folder (latest.zip and YYYY-MM.zip), how many requests to try
# and the seconds before the first retry (doubled each time), a request's timeout, the
# largest archive accepted, and where it is downloaded to be checked before loading.
SAFERSTAT_POLICEUK_ARCHIVE_URL = env(
    "SAFERSTAT_POLICEUK_ARCHIVE_URL", "https://data.police.uk/data/archive/"
)
SAFERSTAT_FETCH_ATTEMPTS = max(1, int(env("SAFERSTAT_FETCH_ATTEMPTS", "4") or 4))
SAFERSTAT_FETCH_BACKOFF = float(env("SAFERSTAT_FETCH_BACKOFF", "30") or 0)
SAFERSTAT_FETCH_TIMEOUT = float(env("SAFERSTAT_FETCH_TIMEOUT", "60") or 60)
SAFERSTAT_FETCH_MAX_BYTES = int(env("SAFERSTAT_FETCH_MAX_BYTES", str(4 * 1024**3)) or 0)
SAFERSTAT_FETCH_DIR = env_path("SAFERSTAT_FETCH_DIR", BASE_DIR / "var" / "fetch")

# Backups (`manage.py backup`): where archives go, and where pg_dump/pg_restore are when
# they are not on PATH (they must be as new as the PostgreSQL server).
SAFERSTAT_BACKUP_DIR = env_path("SAFERSTAT_BACKUP_DIR", BASE_DIR / "var" / "backups")
SAFERSTAT_PG_BINDIR = env("SAFERSTAT_PG_BINDIR", "") or None

TASKS = {
    "default": {
        "BACKEND": env("SAFERSTAT_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# /health/ reports the task worker as down when it has claimed no task for this long (an idle
# worker runs a heartbeat task every minute).
SAFERSTAT_WORKER_SILENT_SECONDS = int(env("SAFERSTAT_WORKER_SILENT_SECONDS", "300") or 300)

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "saferstat@localhost")
# The address people reach the app at, for links in emails (reminders).
SAFERSTAT_SITE_URL = env("SAFERSTAT_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# SMTP, used when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend (reminders).
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)

# Logs go to standard error (journald under systemd): one line per record, as text or, with
# SAFERSTAT_LOG_FORMAT=json, as JSON lines for a log collector. Every line written while
# answering a request carries its id (X-Request-ID from the proxy, or a new one), and each
# request ends with one access line (saferstat.access) with its status and duration.
SAFERSTAT_LOG_FORMAT = (env("SAFERSTAT_LOG_FORMAT", "text") or "text").strip().lower()
if SAFERSTAT_LOG_FORMAT not in {"text", "json"}:
    raise RuntimeError("SAFERSTAT_LOG_FORMAT must be text or json.")


def logging_config(log_format: str, level: str = "INFO") -> dict:
    """The LOGGING setting for `log_format` ("text" or "json")."""
    json_lines = log_format == "json"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            # A refused or missing page (4xx) is one line in the log, not a traceback: it is
            # the app working as meant. Server errors (5xx) keep theirs.
            "client_errors_in_one_line": {"()": "saferstat.core.logfilters.ClientErrorsInOneLine"},
            "request_id": {
                "()": "saferstat.core.logfilters."
                + ("RequestId" if json_lines else "TextRequestId")
            },
        },
        "formatters": {
            "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
                # Django puts the request object on its records: not for the log.
                "reserved_attrs": [*_JSON_RESERVED, "request"],
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id", "client_errors_in_one_line"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"axes": {"level": "WARNING"}},
    }


LOGGING = logging_config(SAFERSTAT_LOG_FORMAT, env("LOG_LEVEL", "INFO") or "INFO")
