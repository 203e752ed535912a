"""Regie's settings, read from the environment.

Every deployment-specific value comes from an environment variable (see docs/configuration.md). With no
environment at all Regie runs on an SQLite file under ``var/`` with a secret key generated once into
``var/``; production values (secure cookies, HSTS, HTTPS redirect) are on whenever ``DEBUG`` is off.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent

env = environ.Env()

VAR_DIR = Path(env.str("REGIE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """The secret key comes from SECRET_KEY, else from a file generated once (mode 0600) under var/."""
    value = env.str("SECRET_KEY", default="")
    if value:
        return value
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "mozilla_django_oidc",
    "regie.core",
    "regie.portfolio",
    "regie.planning",
    "regie.raid",
    "regie.governance",
    "regie.engagement",
    "regie.services",
    "regie.suppliers",
    "regie.configuration",
    "regie.cases",
    "regie.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "regie.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "regie.core.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "regie.urls"
WSGI_APPLICATION = "regie.wsgi.application"

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
                "regie.core.context_processors.shell",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'regie.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE transactions take the write lock at
    # BEGIN, so two writers queue on the busy timeout instead of failing half-way with "locked". A
    # 64 MB page cache and reads through a memory map of up to 1 GB keep the pages a job reads again
    # (the events of a hundred thousand cases) from going back to the file each time.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;"
        ),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- authentication -------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed sign-ins are throttled per user name and address; the record lives in the database so
# that every app server behind a proxy sees the same count.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind PROXY_COUNT trusted reverse proxies the client's address is taken from X-Forwarded-For.
REGIE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "regie.core.middleware.client_ip"

# Optional OpenID Connect single sign-on, on when OIDC_RP_CLIENT_ID is set.
OIDC_ENABLED = bool(env.str("OIDC_RP_CLIENT_ID", default=""))
if OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
    OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)
    OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
    AUTHENTICATION_BACKENDS.append("regie.core.oidc.RegieOIDCBackend")
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"

# --- security -------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept readable for the API docs
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
REGIE_IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
REGIE_IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)

# --- languages ------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("sv", _("Swedish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_TZ = True

# --- static and uploaded files --------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploaded documents go through Django's storage API: MEDIA_ROOT on local disk unless S3_BUCKET names a
# bucket on S3-compatible storage (needs the optional extra: pip install "regie[s3]").
if env.str("S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("S3_PREFIX", default=""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# The largest document file accepted, and the file types a document may have (by extension).
REGIE_DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=25 * 1024 * 1024)
_DOCUMENT_TYPES = "pdf docx xlsx pptx vsdx odt ods odp odg txt csv md xml json png jpg jpeg gif mpp msg eml zip"
REGIE_DOCUMENT_EXTENSIONS = [
    e.strip().lower().lstrip(".") for e in env.list("DOCUMENT_EXTENSIONS", default=_DOCUMENT_TYPES.split()) if e.strip()
]

# --- email ----------------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Regie <regie@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
REGIE_BASE_URL = env.str("REGIE_BASE_URL", default="http://127.0.0.1:8000")

# --- background jobs ------------------------------------------------------------------------------
REGIE_JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=600)
REGIE_WORKER_POLL_SECONDS = env.float("WORKER_POLL_SECONDS", default=1.0)

# --- communication ---------------------------------------------------------------------------------
REGIE_ACTION_REMIND_DAYS = env.int("ACTION_REMIND_DAYS", default=2)
REGIE_MEETING_PACK_DAYS = env.int("MEETING_PACK_DAYS", default=3)

# --- contract management -------------------------------------------------------------------------
# Contract managers are reminded this many days before a notice, renewal or end date (each once).
REGIE_AGREEMENT_NOTICE_DAYS = env.list("AGREEMENT_NOTICE_DAYS", cast=int, default=[60, 30, 7])
REGIE_OBLIGATION_REMIND_DAYS = env.int("OBLIGATION_REMIND_DAYS", default=7)
# The service desk's mailboxes: MAIL_ROUTES="servicedesk@example.org=WORKPLACE,facilities@example.org=ROOMS"
# (address = the code of the service a new case is logged against), a default service for any other
# address, and the largest attachment a received mail may carry (larger: the mail is quarantined).
REGIE_MAIL_ROUTES = {address.strip().lower(): code.strip() for address, code in env.dict("MAIL_ROUTES", default={}).items()}
REGIE_MAIL_DEFAULT_SERVICE = env.str("MAIL_DEFAULT_SERVICE", default="")
REGIE_MAIL_MAX_ATTACHMENT = env.int("MAIL_MAX_ATTACHMENT", default=10 * 1024 * 1024)

# --- status reporting ----------------------------------------------------------------------------
# A report is due this many days after its period ends; drafters are reminded this many days before.
REGIE_STATUS_REPORT_GRACE_DAYS = env.int("STATUS_REPORT_GRACE_DAYS", default=3)
REGIE_STATUS_REPORT_REMIND_DAYS = env.int("STATUS_REPORT_REMIND_DAYS", default=3)
# Plans with more tasks than this are rescheduled by a background job (with a progress bar) after an edit.
REGIE_PLAN_SYNC_LIMIT = env.int("PLAN_SYNC_LIMIT", default=5000)
# A plan finishing more working days than this after its baseline suggests a red schedule status.
REGIE_SCHEDULE_AMBER_DAYS = env.int("SCHEDULE_AMBER_DAYS", default=5)
# The largest MS Project XML file accepted for import.
REGIE_MSPDI_MAX_BYTES = env.int("MSPDI_MAX_BYTES", default=200 * 1024 * 1024)

# --- API ------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
REGIE_BENCHMARK_VIEWS = env.bool("REGIE_BENCHMARK_VIEWS", default=False)

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
