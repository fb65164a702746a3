"""Developer profile used by `make run` and `make manage`."""

import os

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DEBUG", "true")

from helpdesk.settings.base import *  # noqa: F403
