"""A real Celery worker process on the test database that a test can kill and start again."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tickets.mail.worker import wait_until, worker_env

REPO = Path(__file__).resolve().parents[2]


class Worker:
    """Start, SIGKILL and restart `celery worker` with the environment a test chose."""

    def __init__(self, log: Path, env: dict[str, str]) -> None:
        self.log, self.env = log, env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "--pool=solo",
            "--concurrency=1", "-Q", "celery", "--loglevel=INFO", "--without-gossip",
            "--without-mingle", "--without-heartbeat", f"--hostname=sla-{os.getpid()}@%h",
        ]
        self.log.write_bytes(b"")
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=output,
                                            stderr=subprocess.STDOUT)
        wait_until(lambda: self.process.poll() is not None or b" ready." in self.log.read_bytes(),
                   "the Celery worker to start")
        assert self.process.poll() is None, self.log.read_text(errors="replace")

    def kill(self) -> None:
        """Kill without warning, as the OOM killer or a lost machine would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def sla_worker(transactional_db, tmp_path) -> Iterator[Worker]:
    """A worker whose sweep takes one row a step and re-tells untold warnings after 1 s."""
    worker = Worker(tmp_path / "worker.log", worker_env(HELPDESK_SLA_SWEEP_BATCH="1",
                                                         HELPDESK_SLA_RETELL_AFTER="1"))
    try:
        yield worker
    finally:
        worker.stop()
