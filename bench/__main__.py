"""
`python -m bench` (`make bench ARGS="--quick"`): load the bench databases, start gunicorn and
Celery against them, measure intake and list latency, the raw INSERT ceiling and memory, then
print a table and write bench/results/bench-<time>.json and latest.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench import rawinsert, report
from bench.db import database_name, ensure_database, migrate
from bench.loader import load
from bench.loadgen import run
from bench.procs import ServerConfig, running_stack
from bench.scenarios import create_api_key, intake_requests, run_list
from bench.sections import run_sections

LIST_SCALE = 100_000


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--skip-load", action="store_true", help="measure what is loaded")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 20k tickets, few requests")
    parser.add_argument("--requests", type=int, help="intake requests (default 2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="intake clients")
    parser.add_argument("--list-requests", type=int, help="per list scenario (default 300)")
    parser.add_argument("--list-concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--celery-nice", type=int, default=10,
                        help="CPU niceness of the Celery worker (0: same as the web)")
    parser.add_argument("--pg-options", default="",
                        help='experiment: PGOPTIONS for the servers ("-c join_collapse_limit=1")')
    parser.add_argument("--intake-only", action="store_true",
                        help="only intake, raw inserts and memory at full size (for tuning)")
    parser.add_argument("--sections", action="store_true",
                        help="only the in-process sections (bench/sections.py), at full size")
    args = parser.parse_args(argv)
    if args.quick:
        args.tickets = 20_000 if args.tickets == 1_000_000 else args.tickets
    args.requests = args.requests or (300 if args.quick else 2000)
    args.list_requests = args.list_requests or (60 if args.quick else 300)
    return args


def sizes(tickets: int, intake_only: bool = False) -> list[int]:
    """The list is measured at 100k and at the full size, each in its own kept database."""
    return [LIST_SCALE, tickets] if tickets > LIST_SCALE and not intake_only else [tickets]


def prepare(size: int, skip_load: bool) -> tuple[str, dict[str, Any] | None]:
    name = database_name(size)
    url = ensure_database(name)
    migrate(url)
    if skip_load:
        return url, None
    print(f"load {name} to {size:,} tickets")
    done = load(url, size)
    print(f"  {done.loaded:,} loaded in {done.seconds:.0f} s ({done.rate:,.0f}/s; "
          f"vacuum+analyze {done.vacuum_seconds:.0f} s); {done.tickets_after:,} in total")
    return url, {"database": name, "loaded": done.loaded, "seconds": round(done.seconds, 1),
                 "rate": round(done.rate, 1), "tickets_after": done.tickets_after,
                 "vacuum_analyze_seconds": round(done.vacuum_seconds, 1)}


def measure_size(
    url: str, size: int, args: argparse.Namespace, config: ServerConfig, result: dict[str, Any]
) -> None:
    """Start the stack on one database; intake, raw inserts and memory only at full size."""
    full = size == args.tickets
    label = f"{size // 1000}k" if size < 1_000_000 else f"{size / 1_000_000:g}M"
    log_dir = report.RESULTS / "logs" / result["started_at"].replace(":", "") / label
    read_key = create_api_key(url, "bench-read", "read")
    with running_stack(url, config, log_dir) as stack:
        print(f"  {config.label} on {stack.base_url}, Celery x{config.celery_concurrency}")
        if full:
            intake_key = create_api_key(url, "bench-intake", "intake")
            make = intake_requests(intake_key, seed=int(time.time()))
            run("warm-up intake", stack.base_url, make, max(50, args.requests // 10),
                args.concurrency)
            intake = run(f"intake POST @{label}", stack.base_url, make, args.requests,
                         args.concurrency)
            print(f"    {intake.name}: {intake.throughput:.0f}/s, p50 {intake.percentile(50):.1f}"
                  f" ms, p95 {intake.percentile(95):.1f} ms, statuses {dict(intake.statuses)}")
            result["intake"] = intake.summary()
            result["worker_drain_seconds"] = wait_for_worker_drain()
            print(f"    Celery backlog of the intake drained in {result['worker_drain_seconds']} s")
        if not args.intake_only:
            lists = run_list(stack.base_url, read_key, requests=args.list_requests,
                             concurrency=args.list_concurrency,
                             warmup=max(10, args.list_requests // 5), label=label)
            result["list"][str(size)] = [item.summary() for item in lists]
        if full:
            # Let the worker drain the acknowledgement tasks so its peak includes that work.
            time.sleep(3)
            result["memory"] = stack.sampler.report()
    if full:
        raw = rawinsert.measure(url, threads=args.concurrency,
                                per_thread=250 if args.quick else 1000)
        print(f"    raw INSERT: {raw.throughput:,.0f} rows/s from {raw.concurrency} threads")
        result["raw_insert"] = raw.summary() | {"name": "raw INSERT ceiling (rows)"}
        result["sections"] = run_sections(url, quick=args.quick)


def wait_for_worker_drain(limit: float = 300.0) -> float:
    """
    Wait until the Celery worker has run every task the intake queued. On this 2-core machine
    the worker shares the cores with gunicorn, so lists measured during the backlog would time
    the backlog, not the list; the drain time is reported as a figure of its own.
    """
    import redis

    from bench.procs import redis_urls

    cache_url, _ = redis_urls(os.environ["REDIS_URL"])
    client = redis.Redis.from_url(cache_url)
    started = time.monotonic()
    while client.llen("celery") and time.monotonic() - started < limit:
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    config = ServerConfig(args.workers, args.worker_class, args.threads, args.celery_concurrency,
                          args.pg_options, args.celery_nice)
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "args": vars(args), "server": config.label, "cpus": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(), "sizes": sizes(args.tickets, args.intake_only),
        "loads": [], "list": {}, "reference": report.REFERENCE,
    }
    for size in [args.tickets] if args.sections else sizes(args.tickets, args.intake_only):
        url, loaded = prepare(size, args.skip_load)
        if loaded:
            result["loads"].append(loaded)
        print(f"measure at {size:,} tickets")
        if args.sections:
            result["sections"] = run_sections(url, quick=args.quick)
            continue
        measure_size(url, size, args, config, result)
    result["checks"] = report.checks(result)
    report.print_table(result)
    path = report.write(result)
    print(f"\n  wrote {path.relative_to(report.RESULTS.parent.parent)} and latest.json")
    return 0 if all(check["result"] == "PASS" for check in result["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
