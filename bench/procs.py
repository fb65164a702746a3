"""
The stack under test: gunicorn and a Celery worker against a bench database, started and
stopped by the benchmark itself, with their memory sampled while they work.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.db import ROOT, django_env

BIN = Path(sys.executable).parent
# Benchmarks use their own Redis database, so a `make run` worker on database 0 neither
# steals these tasks nor hands its own to this worker.
BENCH_REDIS_DB = 4


@dataclass
class ServerConfig:
    workers: int = 3
    worker_class: str = "sync"
    threads: int = 1
    celery_concurrency: int = 2
    pg_options: str = ""
    # Background work yields the CPU to requests, as `make run` sets it up on one machine.
    celery_nice: int = 10

    @property
    def label(self) -> str:
        threads = f"x{self.threads} threads" if self.worker_class == "gthread" else ""
        options = f", PGOPTIONS={self.pg_options!r}" if self.pg_options else ""
        nice = f", Celery nice {self.celery_nice}" if self.celery_nice else ""
        return f"gunicorn {self.workers} {self.worker_class} workers{threads}{options}{nice}"


@dataclass
class Stack:
    base_url: str
    port: int
    gunicorn: subprocess.Popen[bytes]
    celery: subprocess.Popen[bytes]
    sampler: MemorySampler


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_urls(url: str, db: int = BENCH_REDIS_DB) -> tuple[str, str]:
    """Return (cache URL, Celery broker URL) on another Redis database number."""
    if url.startswith("unix://"):
        path = re.sub(r"\?.*$", "", url.removeprefix("unix://"))
        # kombu reads the database of a socket URL from virtual_host, not db.
        return f"unix://{path}?db={db}", f"redis+socket://{path}?virtual_host={db}"
    base = re.sub(r"/\d*$", "", url.rstrip("/"))
    return f"{base}/{db}", f"{base}/{db}"


def server_env(db_url: str, port: int, pg_options: str = "") -> dict[str, str]:
    cache_url, broker_url = redis_urls(os.environ["REDIS_URL"])
    extra = {"PGOPTIONS": pg_options} if pg_options else {}
    return django_env(
        db_url,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{port}",
        # Throttling is tested elsewhere; here it would only cap the measured rate.
        HELPDESK_API_RATE="1000000/min",
        REDIS_URL=cache_url,
        # Celery reads this variable before its settings, for the web side and the worker.
        CELERY_BROKER_URL=broker_url,
        CACHE_KEY_PREFIX="hdbench",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        **extra,
    )


def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/ready")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def _start_gunicorn(
    config: ServerConfig, env: dict[str, str], port: int, log: Path
) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"), "helpdesk.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(config.workers),
        "--worker-class", config.worker_class, "--threads", str(config.threads),
        "--backlog", "2048", "--timeout", "60", "--error-logfile", str(log),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _start_celery(
    config: ServerConfig, env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    command = ["nice", "-n", str(config.celery_nice)] if config.celery_nice else []
    command += [
        str(BIN / "celery"), "-A", "helpdesk", "worker", "--pool", "prefork",
        "--concurrency", str(config.celery_concurrency), "--loglevel", "WARNING",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--logfile", str(log),
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stop one process this module started (its own session holds only its children)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def running_stack(db_url: str, config: ServerConfig, log_dir: Path) -> Iterator[Stack]:
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_env(db_url, port, config.pg_options)
    gunicorn = _start_gunicorn(config, env, port, log_dir / "gunicorn.log")
    celery = _start_celery(config, env, log_dir / "celery.log")
    sampler = MemorySampler({"web": gunicorn.pid, "celery": celery.pid})
    try:
        _wait_ready(port, gunicorn)
        sampler.start()
        yield Stack(f"http://127.0.0.1:{port}", port, gunicorn, celery, sampler)
    finally:
        sampler.stop()
        stop(gunicorn)
        stop(celery)


@dataclass
class MemorySampler:
    """Peak RSS of every process under each root (master and its workers), sampled often
    enough (every 0.2 s) to catch the peaks of requests that last tens of milliseconds."""

    roots: dict[str, int]
    interval: float = 0.2
    peaks: dict[str, dict[int, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def sample(self) -> None:
        for role, pid in self.roots.items():
            try:
                root = psutil.Process(pid)
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            peaks = self.peaks.setdefault(role, {})
            for process in processes:
                try:
                    rss = process.memory_info().rss / 2**20
                except psutil.NoSuchProcess:
                    continue
                peaks[process.pid] = max(peaks.get(process.pid, 0.0), rss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def report(self) -> dict[str, list[dict[str, float | int | str]]]:
        """Per role: the master first, then its workers, each with its peak RSS in MB."""
        out: dict[str, list[dict[str, float | int | str]]] = {}
        for role, peaks in self.peaks.items():
            root = self.roots[role]
            rows = []
            for pid, peak in sorted(peaks.items(), key=lambda item: item[0] != root):
                kind = "master" if pid == root else "worker"
                rows.append({"pid": pid, "kind": kind, "peak_rss_mb": round(peak, 1)})
            out[role] = rows
        return out
