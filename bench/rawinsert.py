"""
The ceiling for intake: single-row INSERTs, one transaction each (autocommit), from several
threads, into a scratch copy of tickets_ticket with the same columns, generated column,
CHECK constraints and indexes (LIKE ... INCLUDING ALL copies all but foreign keys).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import psycopg2

from bench.fakedata import DAY, NULL, Universe
from bench.loadgen import RunResult
from bench.rows import TICKET_COLUMNS, Chunk, add_ticket

SCRATCH = "bench_ticket_scratch"


def _prepare(db_url: str) -> None:
    conn = psycopg2.connect(db_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE TABLE IF NOT EXISTS {SCRATCH} (LIKE tickets_ticket INCLUDING ALL)")
        # Empty each run, so every run measures the same thing.
        cur.execute(f"TRUNCATE {SCRATCH} RESTART IDENTITY")
    conn.close()


def _rows(count: int, seed: int) -> list[tuple[object, ...]]:
    """Ticket-like rows without their id (the identity column assigns it)."""
    now = time.time()
    universe = Universe(
        contact_ids=[1], contact_org={1: NULL}, team_ids=_TEAMS,
        agents_by_team={team: [1, 2, 3] for team in _TEAMS.values()},
        window_start=now - 365 * DAY, window_end=now,
    )
    rng, chunk = random.Random(seed), Chunk()
    for number in range(count):
        add_ticket(chunk, number, now - rng.random() * DAY, universe, rng)
    rows = [tuple(None if value is NULL else value for value in row[1:]) for row in chunk.tickets]
    stamp = datetime.now(UTC).isoformat()
    # created_at/updated_at of an intake row are "now", as when the API creates it.
    return [(stamp, stamp, *row[2:]) for row in rows]


# The scratch table has no foreign keys, so any team or agent ids will do.
_TEAMS = {name: number for number, name in enumerate(
    ["Billing", "Technical support", "Accounts", "Customer success", "Incident response",
     "General"], 1)}


def measure(db_url: str, *, threads: int = 8, per_thread: int = 1000) -> RunResult:
    """Insert threads x per_thread rows, each in its own transaction; return the rates."""
    _prepare(db_url)
    columns = ", ".join(TICKET_COLUMNS[1:])
    marks = ", ".join(["%s"] * (len(TICKET_COLUMNS) - 1))
    sql = f"INSERT INTO {SCRATCH} ({columns}) VALUES ({marks})"
    latencies: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(threads + 1)

    def worker(seed: int) -> None:
        rows = _rows(per_thread, seed)
        conn = psycopg2.connect(db_url)
        conn.autocommit = True
        mine = []
        with conn.cursor() as cur:
            ready.wait()
            for row in rows:
                began = time.perf_counter()
                cur.execute(sql, row)
                mine.append((time.perf_counter() - began) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=worker, args=(seed,)) for seed in range(threads)]
    for thread in workers:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in workers:
        thread.join()
    seconds = time.perf_counter() - began
    return RunResult("raw INSERT ceiling", len(latencies), threads, seconds, latencies,
                     Counter({201: len(latencies)}))
