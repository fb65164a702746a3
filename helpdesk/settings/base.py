"""
Settings shared by every profile; values come from the environment.

DATABASE_URL  PostgreSQL URL (postgresql://user:pass@host:5432/db)
REDIS_URL     Redis URL for cache, throttles, idempotency and the Celery broker
              (redis://host:6379/0 or unix:///path/redis.sock)
SECRET_KEY    signing key for sessions, links and Message-IDs
ALLOWED_HOSTS comma-separated host names
EMAIL_URL     smtp://user:pass@host:587 (smtp+tls://, consolemail://, ...)
DEBUG         true/false
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "template_partials",
    "simple_history",
    "tickets",
    "triage",
    "routing",
    "escalation",
    "escalation.notifications",
    "escalation.escalations",
    "followup",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "helpdesk.security.SecurityHeadersMiddleware",
    # gunicorn serves no static files; WhiteNoise serves the admin's CSS in every profile.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tickets.api.limits.ApiBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

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

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False  # each service owns its transaction
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _redis_urls(url: str) -> tuple[str, str]:
    """Return (cache URL, Celery broker URL); kombu spells unix sockets redis+socket://."""
    if url.startswith("unix://"):
        return url, "redis+socket://" + url.removeprefix("unix://")
    return url, url


REDIS_URL = env("REDIS_URL")
_CACHE_URL, _BROKER_URL = _redis_urls(REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "helpdesk.cache.ReusingRedisCache",
        "LOCATION": _CACHE_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="hd"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cache"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "tickets:login"
LOGIN_REDIRECT_URL = "tickets:workspace"
LOGOUT_REDIRECT_URL = "tickets:login"
# Failed sign-ins per account name (and four times that per address), counted in Redis.
HELPDESK_LOGIN_RATE = env("HELPDESK_LOGIN_RATE", default="5/15m")

# Content-Security-Policy of every page (helpdesk.security); no inline script anywhere.
HELPDESK_CSP = env("HELPDESK_CSP", default=(
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
))
# drf-spectacular's Swagger page starts itself with an inline script.
HELPDESK_CSP_EXEMPT_PATHS: list[str] = ["/api/v1/docs/"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Bodies past these limits are refused with 413 before they are parsed.
HELPDESK_MAX_JSON_BODY = env.int("HELPDESK_MAX_JSON_BODY", default=1024 * 1024)
HELPDESK_MAX_MULTIPART_BODY = env.int("HELPDESK_MAX_MULTIPART_BODY", default=25 * 1024 * 1024)
HELPDESK_MAX_ATTACHMENT_SIZE = env.int("HELPDESK_MAX_ATTACHMENT_SIZE", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HELPDESK_MAX_MULTIPART_BODY
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Submissions of the public form per client address, counted in Redis: "5/10m".
HELPDESK_WEB_FORM_RATE = env("HELPDESK_WEB_FORM_RATE", default="5/10m")
# How many reverse proxies (each appending to X-Forwarded-For) stand in front of the web
# server; 0 counts REMOTE_ADDR. Rate limits read the client address through them.
HELPDESK_TRUSTED_PROXIES = env.int("HELPDESK_TRUSTED_PROXIES", default=0)

HELPDESK_SUPPORT_ADDRESS = env("HELPDESK_SUPPORT_ADDRESS", default="support@helpdesk.example")
HELPDESK_IMAP_URL = env("HELPDESK_IMAP_URL", default="")

# The intake pipeline and lifecycle handlers: every automated side effect is listed here.
HELPDESK_INTAKE_PIPELINE: list[str] = [
    # triage: normalise -> enrich -> classify, in the order of triage.stages.STAGES
    "triage.stages.normalise",
    "triage.stages.detect_language",
    "triage.stages.extract_fields",
    "triage.stages.tag",
    "triage.stages.score_sentiment",
    "triage.stages.classify",
    "triage.stages.check_missing_info",
    "triage.stages.summarise",
    "triage.stages.link_parent_incident",
    "triage.stages.record",
    "routing.stages.route",  # after triage has classified the ticket
    "escalation.stages.start_sla",  # after routing: policies may test team and assignee
    "escalation.escalations.stages.evaluate_policies",  # after SLA: policies test its state
]
HELPDESK_EVENT_HANDLERS: dict[str, list[str]] = {
    "agent_replied": ["routing.handlers.claim_on_reply", "escalation.handlers.on_agent_replied"],
    # follow-up after triage: triage may ask again, and follow-up restarts its reminders;
    # SLA clocks last: follow-up has moved a pending ticket to open by then
    "customer_replied": ["triage.handlers.on_customer_replied",
                         "followup.handlers.on_customer_replied",
                         "escalation.handlers.on_customer_replied"],
    "status_changed": ["followup.handlers.on_status_changed",
                       "escalation.handlers.on_status_changed"],
    "reopened": ["followup.handlers.on_reopened", "escalation.handlers.on_reopened"],
    "fields_changed": ["triage.handlers.on_fields_changed",
                       "escalation.handlers.on_fields_changed"],
    "priority_changed": ["triage.handlers.on_fields_changed",
                         "escalation.handlers.on_fields_changed"],
    "handoff_requested": ["escalation.handlers.on_handoff_requested"],
    "handoff_rejected": ["escalation.handlers.on_handoff_rejected"],
}
# Routing moves the ticket between agents' open-ticket counters first, so every later handler
# (and routing itself) reads loads that include the change (routing.handlers.track_load).
for _kind in ("created", "assigned", "status_changed", "reopened", "priority_changed"):
    HELPDESK_EVENT_HANDLERS.setdefault(_kind, []).insert(0, "routing.handlers.track_load")
# Text appended to every customer email, `def footer(*, ticket) -> str` (tickets.services.outbound).
HELPDESK_EMAIL_FOOTERS: list[str] = ["followup.links.customer_link_footer"]
# POSTs of the customers' signed-link pages (reply, reopen, rate) per client address.
HELPDESK_CUSTOMER_POST_RATE = env("HELPDESK_CUSTOMER_POST_RATE", default="20/10m")
# Side-column panels of the ticket page from downstream apps (see tickets/panels.py).
HELPDESK_TICKET_PANELS: list[str] = [
    "escalation.panels.sla_panel",  # every clock of the ticket and its SLA history
    "escalation.escalations.panels.escalation_panel",  # acknowledge, de-escalate, by hand
    "triage.panels.incident_panel",
    "routing.panels.routing_panel",
    "followup.panels.followup_panel",
]
# Tickets downstream apps open to a user beyond their teams', `def grant(*, user, team_ids)`
# returning a queryset of ticket ids: a transfer waiting for the user's team, a followed ticket.
HELPDESK_TICKET_GRANTS: list[str] = ["routing.selectors.handed_and_followed_ticket_ids"]
# One-to-one rows of downstream apps that ticket lists fetch along (e.g. "triage_decision").
HELPDESK_TICKET_PREFETCH: list[str] = [
    "triage_decision", "routing_decision",
    # the ticket's SLA row and its clocks (the API's `sla` array): one query each
    "sla_decision", "sla_timers",
]
# The SLA sweep (escalation.services.sweep): rows claimed per batch, and how long a fired
# warning or a likely breach may stay untold (its task lost) before the sweep or the
# forecast enqueues it again, in seconds.
HELPDESK_SLA_SWEEP_BATCH = env.int("HELPDESK_SLA_SWEEP_BATCH", default=500)
HELPDESK_SLA_RETELL_AFTER = env.int("HELPDESK_SLA_RETELL_AFTER", default=120)
# Escalation policies: after the SLA handlers of the same kind (clocks and due times are
# current), end what the event ends and fire what now holds (escalation.escalations.handlers).
for _kind, _handler in (
    ("customer_replied", "on_customer_replied"), ("agent_replied", "on_agent_replied"),
    ("status_changed", "on_status_changed"), ("reopened", "on_reopened"),
    ("priority_changed", "on_priority_changed"), ("fields_changed", "on_ticket_changed"),
    ("assigned", "on_ticket_changed"), ("handoff_transferred", "on_ticket_changed"),
    ("sla_breached", "on_ticket_changed"), ("escalated", "on_escalated"),
):
    HELPDESK_EVENT_HANDLERS.setdefault(_kind, []).append("escalation.escalations.handlers."
                                                         + _handler)
# Reporting folds these lifecycle events into each ticket's metrics row (reporting.handlers),
# after every other handler of the kind, and copies triage's outcome once intake is done.
for _kind in (
    "created", "agent_replied", "customer_replied", "status_changed", "reopened", "assigned",
    "priority_changed", "fields_changed", "sla_applied", "escalated", "de_escalated",
    "escalation_acknowledged", "sla_breached", "satisfaction_rated", "handoff_requested",
    "handoff_accepted", "handoff_rejected", "handoff_transferred",
):
    HELPDESK_EVENT_HANDLERS.setdefault(_kind, []).append("reporting.handlers.record_metrics")
HELPDESK_INTAKE_PIPELINE.append("reporting.stages.record_triage_outcome")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A hung SMTP server must not hold a worker: the stalled-mail sweep relies on sends ending.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = HELPDESK_SUPPORT_ADDRESS

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tickets.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["tickets.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env("HELPDESK_API_RATE", default="600/min")},
    "EXCEPTION_HANDLER": "tickets.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Help desk API",
    "DESCRIPTION": "REST API v1: create and work tickets.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from this server, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CELERY_BROKER_URL = _BROKER_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "tickets.poll_imap_mailbox": {"task": "tickets.poll_imap_mailbox", "schedule": 60.0},
    "tickets.flush_rule_counters": {"task": "tickets.flush_rule_counters", "schedule": 30.0},
    "tickets.recover_stalled_outbound": {
        "task": "tickets.recover_stalled_outbound", "schedule": 300.0,
    },
    "routing.sweep_presence": {"task": "routing.sweep_presence", "schedule": 60.0},
    # Repairs agents' open-ticket counters that a write around the services left wrong.
    "routing.recount_agent_loads": {"task": "routing.recount_agent_loads", "schedule": 3600.0},
    "triage.release_stale_awaiting_info": {
        "task": "triage.release_stale_awaiting_info", "schedule": 300.0,
    },
    "triage.retrain_classifier": {"task": "triage.retrain_classifier", "schedule": 86400.0},
    "followup.sweep": {"task": "followup.sweep", "schedule": 60.0},
    "escalation.sweep_sla": {"task": "escalation.sweep_sla", "schedule": 30.0},
    "escalation.predict_breaches": {"task": "escalation.predict_breaches", "schedule": 60.0},
    "escalations.sweep": {"task": "escalations.sweep", "schedule": 60.0},
    "notifications.requeue_stuck_deliveries": {
        "task": "notifications.requeue_stuck_deliveries", "schedule": 60.0,
    },
    "notifications.check_escalation_rate": {
        "task": "notifications.check_escalation_rate", "schedule": 300.0,
    },
    "notifications.send_manager_digest": {
        "task": "notifications.send_manager_digest", "schedule": crontab(hour=7, minute=0),
    },
    # Past days' dashboard figures lag the metrics rows by at most this interval.
    "reporting.refresh_rollups": {"task": "reporting.refresh_rollups", "schedule": 300.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
