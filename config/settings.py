"""Footnote's settings: one module, configured by environment variables.

Production is the default; `DEBUG=true` (what `make run` sets) is development mode.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-key-for-local-development-only")
elif not env("SECRET_KEY", default=""):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random string "
        "(or DEBUG=true for local development)."
    )
else:
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.FootnoteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",  # its form template for the browsable API's filters (DEBUG)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "corsheaders",
    "import_export",
    "reversion",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "common",
    "relations",
    "articles",
]

MIDDLEWARE = [
    # First, so that every answer to another site's script carries the CORS headers, redirects included,
    # and a preflight is answered before anything else can redirect it.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and the API, compressed (static files come compressed from WhiteNoise, above).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as its documentation asks: it answers a locked-out login with its own page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins and wait for it, rather than fail with
    # "database is locked" half-way through when two people save at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # Tests of two saves at once need a file: an in-memory database fails at once where a file waits.
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_DATABASE", default=None)}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short queries whose estimates run high (a sync's subqueries) spent more compiling JIT code
    # than running: 300 ms for a 16 ms query at archive scale.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# What every server process must agree on: the progress of background imports ("jobs") and when
# public pages last changed ("public", common/caching.py). Redis when there is one; otherwise files on
# this machine, which its web and worker processes share.
SHARED_CACHE = (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env("JOBS_CACHE_DIR", default=str(BASE_DIR / ".jobs-cache")),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
)
CACHES["jobs"] = {**SHARED_CACHE, "KEY_PREFIX": "jobs"}
CACHES["public"] = {**SHARED_CACHE, "KEY_PREFIX": "public", "TIMEOUT": None}

# Background jobs (large imports) run in `manage.py db_worker`, queued in the database every server shares.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# django-axes counts failed logins per user name and address, in the database every server shares.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# X-Forwarded-For is believed only behind as many proxies as PROXY_COUNT says: anyone can send it.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = [*(["HTTP_X_FORWARDED_FOR"] if PROXY_COUNT else []), "REMOTE_ADDR"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; tests and development read the sources directly.
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Uploads (spreadsheets in the admin) are capped so a huge file is refused, not swallowed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
# How long an unchanged public page is kept rendered (common/caching.py); 0 renders every request.
FOOTNOTE_PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=24 * 60 * 60)
FOOTNOTE_MAX_IMPORT_BYTES = env.int("MAX_IMPORT_BYTES", default=10 * 1024 * 1024)
# What a spreadsheet may hold once opened: an XLSX is checked before it is parsed (common/uploads.py).
FOOTNOTE_MAX_IMPORT_ROWS = env.int("MAX_IMPORT_ROWS", default=200_000)
FOOTNOTE_MAX_IMPORT_COLUMNS = env.int("MAX_IMPORT_COLUMNS", default=200)
FOOTNOTE_MAX_IMPORT_UNCOMPRESSED_BYTES = env.int("MAX_IMPORT_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)
FOOTNOTE_MAX_IMPORT_MEMBERS = env.int("MAX_IMPORT_MEMBERS", default=200)
# Files with more rows than this are previewed and imported by a background worker, with a progress bar.
FOOTNOTE_IMPORT_INLINE_ROWS = env.int("IMPORT_INLINE_ROWS", default=2_000)
# A file previewed but never confirmed is deleted after this many hours.
FOOTNOTE_IMPORT_KEEP_HOURS = env.int("IMPORT_KEEP_HOURS", default=24)
# An article file (Markdown, text or Word) the importer accepts, and the longest body an article may have.
FOOTNOTE_MAX_ARTICLE_IMPORT_BYTES = env.int("MAX_ARTICLE_IMPORT_BYTES", default=2 * 1024 * 1024)
FOOTNOTE_MAX_BODY_CHARS = env.int("MAX_BODY_CHARS", default=500_000)
FOOTNOTE_MAX_NOTES = env.int("MAX_NOTES", default=2_000)

# Link health (`manage.py check_links`) and archived copies. Sites see who asks and how to reach them:
# set SITE_URL and LINK_CHECK_CONTACT (an address for webmasters), or the whole LINK_CHECK_USER_AGENT.
_LINK_CHECK_ABOUT = "; ".join(
    filter(None, [env("SITE_URL", default=""), env("LINK_CHECK_CONTACT", default="")])
)
LINK_CHECK_USER_AGENT = env(
    "LINK_CHECK_USER_AGENT",
    default="FootnoteLinkChecker/1.0" + (f" (+{_LINK_CHECK_ABOUT})" if _LINK_CHECK_ABOUT else ""),
)
LINK_CHECK_TIMEOUT = env.float("LINK_CHECK_TIMEOUT", default=10.0)  # seconds for one request
LINK_CHECK_CONCURRENCY = env.int("LINK_CHECK_CONCURRENCY", default=8)  # requests under way at once
# Seconds between the end of one request to a host and the start of the next; one at a time per host.
LINK_CHECK_PER_HOST_INTERVAL = env.float("LINK_CHECK_PER_HOST_INTERVAL", default=1.0)
LINK_CHECK_STALE_DAYS = env.int("LINK_CHECK_STALE_DAYS", default=7)  # a link checked longer ago is due
# Addresses inside the server's own network (loopback, private, link-local) are never requested.
LINK_CHECK_ALLOW_PRIVATE = env.bool("LINK_CHECK_ALLOW_PRIVATE", default=False)
WEB_ARCHIVE_SAVE_URL = env("WEB_ARCHIVE_SAVE_URL", default="https://web.archive.org/save/")
WEB_ARCHIVE_TIMEOUT = env.float("WEB_ARCHIVE_TIMEOUT", default=60.0)  # saving a page can take a while

# Security: safe by default, relaxed only in development.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading is near-impossible to undo, so a deployer asks for it knowingly.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The admin still sets a few style attributes inline.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # Read-only: no request body is ever read, so none can fail to parse (no 400 or 415 for one).
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # Every error in one shape, {"type", "errors": [{"code", "detail", "attr"}]}, documented per operation.
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["common.throttling.SharedAnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", default="600/minute")},
    # The client is the address PROXY_COUNT proxies from the end of X-Forwarded-For; with none, the peer's.
    "NUM_PROXIES": PROXY_COUNT,
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "common.api_errors.ApiExceptionHandler",
    # What the API can answer, so the schema promises no other: it has no authentication, no permission
    # to refuse and no request bodies (401, 403, 415), and a 500 is a bug, not part of the contract.
    "ALLOWED_ERROR_STATUS_CODES": ["400", "404", "405", "406", "429"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Footnote API",
    "DESCRIPTION": (
        "Everything Footnote publishes, as JSON: articles with their numbered notes, the claims they "
        "make with their evidence, the sources they cite, their authors and topics, and the actors, "
        "relations and developments the analysis is about. Read-only and anonymous. Lists page by "
        "cursor (follow `next`); `updated_since` and /api/v1/removals/ keep a copy up to date; every "
        "answer carries an ETag and Last-Modified for conditional requests."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "articles.models.Claim.Status",
        "ArticleKindEnum": "articles.models.Article.Kind",
        "ActorKindEnum": "relations.models.Actor.Kind",
        # The error shape's enums, one name each (drf-standardized-errors' documented overrides).
        **{
            name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
            for name in (
                "ValidationErrorEnum",
                "ClientErrorEnum",
                "ErrorCode404Enum",
                "ErrorCode405Enum",
                "ErrorCode406Enum",
                "ErrorCode429Enum",
            )
        },
    },
    # drf-spectacular's enum hook, taught to leave the per-operation validation error enums alone.
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "common.api_errors.describe_errors",
    ],
}

# Other sites' scripts may read the API and the JSON feeds, anonymously: no cookies are sent or honoured.
CORS_URLS_REGEX = r"^/(api/.*|(.*/)?feed\.json)$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Conditional requests ask for 304s; the rest of what a script sends needs no preflight.
CORS_ALLOW_HEADERS = ["accept", "if-modified-since", "if-none-match"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Link"]

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
# The file between preview and confirm is kept in the database, so a confirm may land on any server.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "common.imports.DatabaseTmpStorage"

FOOTNOTE_SITE_NAME = env("SITE_NAME", default="Footnote")

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The level is on the handler too: Django's own loggers pass their records up to it.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # httpx logs every request at INFO: the link checker's thousands would bury what matters.
    "loggers": {"httpx": {"level": "WARNING"}},
}
