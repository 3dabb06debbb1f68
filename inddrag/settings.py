"""Inddrag settings: one file; everything that varies per deployment comes from the environment.

`.env.example` lists every variable. With DEBUG off the app refuses to start without SECRET_KEY
and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from inddrag.lib.env import envbool, envint, envlist, envsecret

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", "False")
# Under the test runner the production settings apply, with test-only defaults for the values a
# deployment must set (tests of the refusal itself start a subprocess without them).
# (mypy's Django plugin loads these settings too, and is treated the same way.)
TESTING = bool({"pytest", "mypy"} & sys.modules.keys()) or sys.argv[1:2] == ["test"]

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY and TESTING:
    SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789"
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE)")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS",
    "127.0.0.1,localhost" if DEBUG else "testserver,127.0.0.1,localhost" if TESTING else "",
)
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "inddrag.accounts",
    "inddrag.municipalities",
    "inddrag.audit",
    "inddrag.children",
    "inddrag.conversations",
    "inddrag.decisions",
    "inddrag.portal",
    "inddrag.plans",
    "inddrag.letters",
    "inddrag.reflection",
    "inddrag.training",
    "inddrag.implementation",
    "inddrag.insights",
    "inddrag.reminders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "inddrag.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "inddrag.lib.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "inddrag.accounts.middleware.OTPMiddleware",  # django-otp's, see there
    "django.contrib.messages.middleware.MessageMiddleware",  # before the timeout, which uses it
    "inddrag.accounts.middleware.SessionTimeoutMiddleware",
    "inddrag.municipalities.middleware.MembershipMiddleware",
    "inddrag.portal.session.ChildSessionMiddleware",
    "inddrag.accounts.middleware.AccessPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "inddrag.accounts.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "inddrag.urls"
WSGI_APPLICATION = "inddrag.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inddrag.municipalities.context_processors.membership",
                "inddrag.portal.context_processors.child_session",
            ],
        },
    },
]

# SQLite is the embedded default: WAL so readers never wait for the writer, synchronous=FULL so a
# committed access event survives power loss, IMMEDIATE transactions so writers queue on the busy
# timeout instead of failing with "database is locked" half-way through.
DATABASES: dict[str, dict[str, Any]] = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.getenv("DB_NAME", str(BASE_DIR / "inddrag.sqlite3")),
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
        # Keep connections: opening one in WAL mode costs several fsyncs (bench/).
        "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "600"),
        "CONN_HEALTH_CHECKS": True,
        # A file, not SQLite's shared in-memory database: the concurrency tests (T19, T20) need
        # writers in two threads to wait for each other, which the in-memory cache refuses. One
        # file per test process, so two runs side by side do not drop each other's database.
        "TEST": {
            "NAME": os.getenv("DB_TEST_NAME") or str(BASE_DIR / f".test-{os.getpid()}.sqlite3")
        },
    }
}
if os.getenv("DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.getenv("DB_HOST", "127.0.0.1"),
            "PORT": os.getenv("DB_PORT", "5432"),
            "NAME": os.getenv("DB_NAME", "inddrag"),
            "USER": os.getenv("DB_USER", "inddrag"),
            "PASSWORD": envsecret("DB_PASSWORD"),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "0"),
            "CONN_HEALTH_CHECKS": True,
        }
    }
elif os.getenv("DB", "sqlite") != "sqlite":
    raise ImproperlyConfigured("DB must be 'sqlite' or 'postgres'")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:  # Argon2 costs ~0.1 s a hash; tests that need it (T10 timing) override this
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
CHILD_LOGIN_URL = "portal:unlock"
LOGIN_REDIRECT_URL = "children:case_list"

# Second factor (django-otp). A wrong code throttles the device exponentially.
OTP_TOTP_ISSUER = "Inddrag"
OTP_TOTP_THROTTLE_FACTOR = envint("OTP_TOTP_THROTTLE_FACTOR", "1")

# Throttling and lockout (django-axes): 5 failures lock the account, or the IP address. There is
# no automatic unlock: a leader or administrator lifts it with a recorded reason.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = None
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "inddrag.accounts.views.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "password", "pin", "code"]
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions: the cookie lives at most SESSION_ABSOLUTE_SECONDS; SessionTimeoutMiddleware logs out
# after SESSION_IDLE_SECONDS without a request.
SESSION_ENGINE = "inddrag.accounts.sessions"  # Django's database sessions, see there
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", "1800")
SESSION_ABSOLUTE_SECONDS = envint("SESSION_ABSOLUTE_SECONDS", str(10 * 3600))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False" if DEBUG or TESTING else "True")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content Security Policy, enforced: our own origin only, no inline scripts, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", "False" if DEBUG or TESTING else "True")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.getenv("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

MAILERS = {
    "default": {
        "BACKEND": os.getenv(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG or TESTING
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "inddrag@example.com")
# The address of the site in links sent by e-mail (the daily digest of reminders).
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")
# The child channel's content-free SMS notices (inddrag/portal/notify.py).
CHILD_SMS_BACKEND = os.getenv(
    "CHILD_SMS_BACKEND",
    "inddrag.portal.notify.LocmemSMSBackend"
    if TESTING
    else "inddrag.portal.notify.ConsoleSMSBackend",
)

# A letter to a child under 15 whose LIX is above this needs the caseworker's confirmation that
# the child gets help to understand it (inddrag/letters/services.py).
CHILD_LETTER_LIX_LIMIT = envint("CHILD_LETTER_LIX_LIMIT", "30")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
FORM_RENDERER = "inddrag.lib.forms.FormRenderer"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
