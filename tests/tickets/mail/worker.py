"""
Fixtures for end-to-end email tests: a real SMTP server and a real Celery worker process.

Import the fixtures into a test module; both need a transactional database, because the
worker reads what the test committed.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[3]
WAIT_SECONDS = 30.0


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, match: Callable[[EmailMessage], bool], what: str) -> EmailMessage:
        """Return the first message that `match` accepts, waiting up to WAIT_SECONDS."""
        return wait_until(lambda: next((m for m in self.messages if match(m)), None), what)


def wait_until(probe: Callable[[], object], what: str) -> object:
    """Poll `probe` until it returns something truthy, or fail after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {WAIT_SECONDS:.0f} s waiting for {what}.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """Yield (inbox, port) of a real SMTP server on 127.0.0.1."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def worker_database_url() -> str:
    """Return DATABASE_URL with its database swapped for the test database of this process."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + quote(connection.settings_dict["NAME"], safe="")))


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker process on this test's database and broker, plus `extra`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.test",
        "DATABASE_URL": worker_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "DB_CONN_MAX_AGE": "0",  # the test flushes tables afterwards; hold no idle connection
        **extra,
    }


@pytest.fixture
def celery_worker(transactional_db, smtp_server, tmp_path) -> Iterator[subprocess.Popen]:
    """Start `celery worker` on the test database, broker and SMTP server; stop it after."""
    _, smtp_port = smtp_server
    log = tmp_path / "worker.log"
    env = worker_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}", HELPDESK_TEST_REAL_SMTP="1")
    command = [
        sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool=solo",
        "--concurrency=1", "-Q", "celery", "--loglevel=INFO", "--without-gossip",
        "--without-mingle", "--without-heartbeat", f"--hostname=e2e-{os.getpid()}@%h",
    ]
    with log.open("wb") as output:
        worker = subprocess.Popen(command, cwd=REPO, env=env, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: worker.poll() is not None or b" ready." in log.read_bytes(),
                   "the Celery worker to start")
        assert worker.poll() is None, log.read_text(errors="replace")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
