"""Test profile: real PostgreSQL and Redis, fast hashing, nothing leaves the machine."""

import os
import re

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:1")

from helpdesk.settings.base import *  # noqa: F403
from helpdesk.settings.base import CACHES, DATABASES, REDIS_URL, REST_FRAMEWORK, _redis_urls, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# HELPDESK_TEST_REAL_SMTP=1 (set for the Celery worker of end-to-end tests) keeps the SMTP
# backend from EMAIL_URL, so mail reaches the test's own SMTP server.
if not env.bool("HELPDESK_TEST_REAL_SMTP", default=False):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"api_key": "100000/min"}
MEDIA_ROOT = f"/tmp/helpdesk-test-media-{os.getpid()}"
SITE_URL = "http://testserver"
# Tests run without collectstatic: WhiteNoise looks static files up per request instead.
WHITENOISE_AUTOREFRESH = True

# Tests flush their own Redis databases, never the one `make run` uses (0).
# HELPDESK_TEST_SLOT (1-6) lets several suites run at once on one Postgres and one Redis
# (the embedded one has 64 databases): each slot has its own test database and its own band
# of 8 Redis databases (4 xdist workers). Slot 0 fits a stock Redis with 16 databases.
_SLOT = env.int("HELPDESK_TEST_SLOT", default=0)
_WORKER_NAME = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER = int(re.sub(r"\D", "", _WORKER_NAME) or 0)
TEST_REDIS_DB = 15 + 8 * _SLOT - 2 * _WORKER
if _SLOT:
    # A worker name set by hand (one process sharing a slot) names its own database too.
    _SUFFIX = f"_{_WORKER_NAME}" if _WORKER_NAME else ""
    DATABASES["default"]["TEST"] = {"NAME": f"test_helpdesk_slot{_SLOT}{_SUFFIX}"}


def _with_db(url: str, db: int) -> str:
    if url.startswith("unix://"):
        return re.sub(r"\?.*$", "", url) + f"?db={db}"
    return re.sub(r"/\d*$", "", url.rstrip("/")) + f"/{db}"


CACHES["default"]["LOCATION"] = _redis_urls(_with_db(REDIS_URL, TEST_REDIS_DB))[0]
CELERY_BROKER_URL = _redis_urls(_with_db(REDIS_URL, TEST_REDIS_DB - 1))[1]
