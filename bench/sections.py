"""
In-process sections of `make bench`: figures measured inside Django against the bench
database (routing decisions, SLA and follow-up sweeps, dashboards), in the same run as the
HTTP figures.

A section is a module listed in SECTIONS with `def measure(*, quick: bool) -> dict`, returning

    {"runs": [summary, ...],   # rows of the table: name, requests, concurrency,
                               # throughput_rps, p50_ms, p95_ms, p99_ms, statuses
     "checks": [check, ...],   # bench.report.check(...) rows, judged like every target
     ...}                      # anything else worth keeping in the JSON

Each runs in its own process (`python -m bench.sections MODULE`), with Django set up on the
bench database, so one section's memory and caches never flatter another's. A section leaves
the database as it found it, or documents what it keeps.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from typing import Any

SECTIONS: list[str] = [
    "bench.routing",
    "bench.followup",
    "bench.triage",
    "bench.workspace",
    "bench.notifications",
    "bench.sla",
    "bench.reporting",
]

_MARKER = "BENCH-SECTION-RESULT "


def timings_summary(name: str, millis: list[float], concurrency: int = 1) -> dict[str, Any]:
    """One table row from per-call timings in milliseconds."""
    ordered = sorted(millis)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 2)

    total_s = sum(millis) / 1000 / concurrency
    return {"name": name, "requests": len(millis), "concurrency": concurrency,
            "throughput_rps": round(len(millis) / total_s, 1) if total_s else 0.0,
            "p50_ms": round(statistics.median(ordered), 2), "p95_ms": pct(95),
            "p99_ms": pct(99), "statuses": {"200": len(millis)}}


def run_sections(url: str, *, quick: bool) -> dict[str, dict[str, Any]]:
    """Run every section in a child process on `url`; a failed section is reported, not fatal."""
    results: dict[str, dict[str, Any]] = {}
    for module in SECTIONS:
        print(f"  section {module}")
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false",
               "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
               "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}
        args = [sys.executable, "-m", "bench.sections", module] + (["--quick"] if quick else [])
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        line = next((x for x in done.stdout.splitlines() if x.startswith(_MARKER)), None)
        if done.returncode or line is None:
            tail = (done.stderr or done.stdout)[-2000:]
            print(f"    failed (exit {done.returncode}):\n{tail}")
            results[module] = {"error": tail, "runs": [], "checks": [
                {"target": f"{module} ran", "value": "failed", "limit": "ran", "unit": "",
                 "result": "FAIL"}]}
            continue
        results[module] = json.loads(line.removeprefix(_MARKER))
    return results


def _child(module: str, quick: bool) -> None:
    import importlib

    import django

    django.setup()
    result = importlib.import_module(module).measure(quick=quick)
    print(_MARKER + json.dumps(result, default=str))


if __name__ == "__main__":
    _child(sys.argv[1], "--quick" in sys.argv[2:])
