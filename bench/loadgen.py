"""
A closed-loop HTTP load generator: N threads, one keep-alive connection each, pulling
request numbers from a shared counter until the fixed total is done.
"""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class RunResult:
    name: str
    requests: int
    concurrency: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    statuses: Counter[int]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, pct: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[pct - 1]

    def errors(self, expected: int) -> int:
        return sum(count for code, count in self.statuses.items() if code != expected)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name, "requests": self.requests, "concurrency": self.concurrency,
            "seconds": round(self.seconds, 2), "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 1), "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1), "max_ms": round(max(self.latencies_ms), 1),
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
        }


class Client:
    """One connection per thread; http.client reopens it when a sync worker closes it."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                               timeout=60)

    def send(self, request: Request) -> tuple[int, bytes]:
        try:
            self.conn.request(request.method, request.path, request.body, request.headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # A keep-alive connection the server had closed: retry once on a new one.
            self.conn.close()
            self.conn.request(request.method, request.path, request.body, request.headers)
            response = self.conn.getresponse()
        body = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, body

    def get_json(self, path: str, headers: dict[str, str]) -> Any:
        status, body = self.send(Request("GET", path, headers))
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}: {body[:300]!r}")
        return json.loads(body)

    def close(self) -> None:
        self.conn.close()


def run(
    name: str, base_url: str, make: Callable[[int], Request], total: int, concurrency: int
) -> RunResult:
    """Send `total` requests from `concurrency` threads; return latencies and status codes."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    failures: list[str] = []

    def worker() -> None:
        client = Client(base_url)
        try:
            while True:
                with lock:
                    number = next(counter)
                if number >= total:
                    return
                request = make(number)
                began = time.perf_counter()
                status, body = client.send(request)
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[status] += 1
                    if status >= 400 and len(failures) < 3:
                        failures.append(f"{status} {request.path}: {body[:200]!r}")
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    for failure in failures:
        print(f"    ! {name}: {failure}")
    return RunResult(name, len(latencies), concurrency, seconds, latencies, statuses)
