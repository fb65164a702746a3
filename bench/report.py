"""Targets, the printed table and the JSON files under bench/results/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
REFERENCE = "django-helpdesk 2.6.1: ~54 tickets/s create, >80 s list at 100k"
INTAKE_P95_MS = 60.0
LIST_P95_MS = 100.0
WEB_RSS_MB = 150.0
CELERY_RSS_MB = 200.0
LIST_TARGET_AT = 1_000_000


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with the figure it is judged on."""
    out: list[dict[str, Any]] = []
    intake = report.get("intake")
    if intake:
        out.append(check("intake p95", intake["p95_ms"], INTAKE_P95_MS, "ms"))
        errors = sum(n for code, n in intake["statuses"].items() if code != "201")
        out.append({"target": "intake non-201 responses", "value": errors, "limit": 0,
                    "unit": "", "result": verdict(errors == 0)})
    largest = max(report["sizes"])
    for run in report["list"].get(str(largest), []):
        note = "" if largest >= LIST_TARGET_AT else f" (at {largest:,}, target is at 1M)"
        out.append(check(f"{run['name']} p95{note}", run["p95_ms"], LIST_P95_MS, "ms"))
    memory = report.get("memory", {})
    for role, limit in (("web", WEB_RSS_MB), ("celery", CELERY_RSS_MB)):
        for proc in memory.get(role, []):
            name = f"{role} {proc['kind']} {proc['pid']} peak RSS"
            out.append(check(name, proc["peak_rss_mb"], limit, "MB"))
    for section in report.get("sections", {}).values():
        out.extend(section["checks"])
    return out


def check(name: str, value: float, limit: float, unit: str) -> dict[str, Any]:
    return {"target": name, "value": value, "limit": limit, "unit": unit,
            "result": verdict(value < limit)}


def print_table(report: dict[str, Any]) -> None:
    rows = [("scenario", "n", "conc", "req/s", "p50 ms", "p95 ms", "p99 ms", "non-2xx")]
    for run in _runs(report):
        bad = sum(n for code, n in run["statuses"].items() if not code.startswith("2"))
        rows.append((run["name"], str(run["requests"]), str(run["concurrency"]),
                     f"{run['throughput_rps']:.1f}", f"{run['p50_ms']:.1f}",
                     f"{run['p95_ms']:.1f}", f"{run['p99_ms']:.1f}", str(bad)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
        if number == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for load in report.get("loads", []):
        print(f"load {load['database']}: {load['loaded']:,} tickets in {load['seconds']:.0f} s "
              f"({load['rate']:,.0f}/s), now {load['tickets_after']:,}")
    print()
    for check in report["checks"]:
        limit = f"< {check['limit']}{check['unit']}" if check["unit"] else f"= {check['limit']}"
        print(f"  [{check['result']}] {check['target']}: {check['value']}{check['unit']} "
              f"(target {limit})")
    print(f"\n  for scale: {REFERENCE}")


def _runs(report: dict[str, Any]) -> list[dict[str, Any]]:
    runs = [report["intake"]] if report.get("intake") else []
    for size in sorted(report["list"], key=int):
        runs.extend(report["list"][size])
    for section in report.get("sections", {}).values():
        runs.extend(section["runs"])
    if report.get("raw_insert"):
        runs.append(report["raw_insert"])
    return runs


def write(report: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(report, indent=2, default=str)
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(text)
    (RESULTS / "latest.json").write_text(text)
    return path
