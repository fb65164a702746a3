"""
Bulk loader: COPY generated CSV chunks into a bench database until it holds N tickets.

Only what is missing is loaded, so a kept database is topped up instead of rebuilt. Ticket
chunks run in parallel processes (one per core): while one process generates rows in Python,
the other's COPY keeps PostgreSQL busy.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg2
from psycopg2.extensions import connection, cursor

from bench.db import connect
from bench.fakedata import (
    CONTACT_COLUMNS,
    DAY,
    NULL,
    ORGANIZATION_COLUMNS,
    TEAMS,
    Universe,
    contact_row,
    organization_row,
)
from bench.rows import EVENT_COLUMNS, MESSAGE_COLUMNS, TICKET_COLUMNS, build_chunk

CHUNK = 10_000
AGENTS = 60
LOADED_TABLES = ("tickets_organization", "tickets_contact", "tickets_ticket", "tickets_message",
                 "tickets_ticketevent")


@dataclass
class LoadReport:
    tickets_before: int
    tickets_after: int
    seconds: float
    copy_seconds: float
    generate_seconds: float
    vacuum_seconds: float

    @property
    def loaded(self) -> int:
        return self.tickets_after - self.tickets_before

    @property
    def rate(self) -> float:
        return self.loaded / self.seconds if self.seconds else 0.0


def copy_rows(cur: cursor, table: str, columns: Sequence[str], rows: Iterable[Any]) -> None:
    buf = io.StringIO()
    # Every string is quoted, so "" stays an empty string and bench.fakedata.NULL (\N) is NULL.
    csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC).writerows(rows)
    buf.seek(0)
    cur.copy_expert(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf
    )


def _bulk_session(cur: cursor) -> None:
    # A crash loses at most the last chunks, and the next run tops them up again.
    cur.execute("SET synchronous_commit = off")
    # The rows are consistent by construction. Django's FKs are deferred, so each one would be
    # checked at commit with a SELECT ... FOR KEY SHARE per row: the replica role skips those
    # triggers (as pg_restore does) and halves the COPY time. CHECK constraints still apply.
    cur.execute("SET session_replication_role = replica")


def _scalar(cur: cursor, sql: str, params: Sequence[Any] = ()) -> Any:
    cur.execute(sql, params)
    return cur.fetchone()[0]


def ensure_reference_data(conn: connection) -> None:
    """Teams and agents (with memberships) that tickets are routed to; idempotent."""
    with conn.cursor() as cur:
        for name in TEAMS:
            cur.execute(
                "INSERT INTO tickets_team (name, created_at, updated_at) VALUES (%s, now(), now())"
                " ON CONFLICT (name) DO NOTHING", [name],
            )
        cur.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined)"
            " SELECT '!', false, 'bench-agent-' || lpad(g::text, 3, '0'), 'Agent', g::text,"
            " 'agent' || g || '@helpdesk.example', true, true, now()"
            " FROM generate_series(1, %s) g ON CONFLICT (username) DO NOTHING", [AGENTS],
        )
        cur.execute(
            "INSERT INTO tickets_team_members (team_id, user_id)"
            " SELECT t.id, u.id FROM auth_user u JOIN tickets_team t"
            " ON t.name = (%s::text[])[1 + (substr(u.username, 13)::int %% %s)]"
            " WHERE u.username LIKE 'bench-agent-%%' ON CONFLICT DO NOTHING",
            [list(TEAMS), len(TEAMS)],
        )


def _top_up(
    conn: connection, table: str, columns: Sequence[str], target: int, make: Any
) -> None:
    with conn.cursor() as cur:
        _bulk_session(cur)
        have = _scalar(cur, f"SELECT count(*) FROM {table}")
        next_id = _scalar(cur, f"SELECT coalesce(max(id), 0) FROM {table}") + 1
        now = datetime.now(UTC).isoformat()
        rng = random.Random(next_id)
        for start in range(next_id, next_id + max(0, target - have), 50_000):
            stop = min(start + 50_000, next_id + target - have)
            copy_rows(cur, table, columns, (make(i, now, rng) for i in range(start, stop)))


def load_universe(conn: connection, end: float) -> Universe:
    with conn.cursor() as cur:
        cur.execute("SELECT id, organization_id FROM tickets_contact ORDER BY id")
        contact_org = {cid: NULL if org is None else org for cid, org in cur.fetchall()}
        cur.execute("SELECT name, id FROM tickets_team")
        team_ids = dict(cur.fetchall())
        cur.execute(
            "SELECT m.team_id, m.user_id FROM tickets_team_members m JOIN auth_user u"
            " ON u.id = m.user_id WHERE u.username LIKE 'bench-agent-%%'"
        )
        agents: dict[int, list[int]] = {}
        for team_id, user_id in cur.fetchall():
            agents.setdefault(team_id, []).append(user_id)
    return Universe(
        contact_ids=list(contact_org), contact_org=contact_org, team_ids=team_ids,
        agents_by_team=agents, window_start=end - 365 * DAY, window_end=end,
    )


# Set in the parent before the pool forks, so workers inherit it instead of pickling it.
_UNIVERSE: Universe | None = None
_CONN: connection | None = None


def _worker_init(db_url: str) -> None:
    global _CONN
    _CONN = psycopg2.connect(db_url)
    with _CONN.cursor() as cur:
        _bulk_session(cur)
    _CONN.commit()


def _load_chunk(job: Job) -> tuple[float, float]:
    first_id, count, start, end, seed = job
    assert _CONN is not None
    assert _UNIVERSE is not None
    began = time.perf_counter()
    chunk = build_chunk(first_id=first_id, count=count, start=start, end=end,
                        universe=_UNIVERSE, seed=seed)
    generated = time.perf_counter()
    with _CONN.cursor() as cur:
        copy_rows(cur, "tickets_ticket", TICKET_COLUMNS, chunk.tickets)
        copy_rows(cur, "tickets_message", MESSAGE_COLUMNS, chunk.messages)
        copy_rows(cur, "tickets_ticketevent", EVENT_COLUMNS, chunk.events)
    _CONN.commit()
    return generated - began, time.perf_counter() - generated


Job = tuple[int, int, float, float, int]


def _jobs(first_id: int, missing: int, universe: Universe) -> list[Job]:
    """Split the load into chunks that each cover their own slice of the year, in id order."""
    span = universe.window_end - universe.window_start
    jobs = []
    for offset in range(0, missing, CHUNK):
        count = min(CHUNK, missing - offset)
        start = universe.window_start + span * offset / missing
        end = universe.window_start + span * (offset + count) / missing
        jobs.append((first_id + offset, count, start, end, first_id + offset))
    return jobs


def finish(conn: connection) -> None:
    """Move identity sequences past the explicit ids, then VACUUM ANALYZE so the planner has
    statistics and autovacuum does not start in the middle of a measurement."""
    with conn.cursor() as cur:
        for table in LOADED_TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" greatest((SELECT max(id) FROM {table}), 1))"
            )
        for table in LOADED_TABLES:
            cur.execute(f"VACUUM (ANALYZE) {table}")


def load(db_url: str, tickets: int, *, processes: int = 2, log: Any = print) -> LoadReport:
    """Top the database up to `tickets` tickets (with contacts, organisations, messages and
    events) and return how long it took."""
    global _UNIVERSE
    began = time.perf_counter()
    with connect(db_url) as conn:
        before = _scalar(conn.cursor(), "SELECT count(*) FROM tickets_ticket")
        missing = tickets - before
        if missing <= 0:
            return LoadReport(before, before, 0.0, 0.0, 0.0, 0.0)
        ensure_reference_data(conn)
        _top_up(conn, "tickets_organization", ORGANIZATION_COLUMNS, max(50, tickets // 100),
                organization_row)
        orgs = _scalar(conn.cursor(), "SELECT max(id) FROM tickets_organization")
        _top_up(conn, "tickets_contact", CONTACT_COLUMNS, max(200, tickets // 4),
                lambda i, now, rng: contact_row(i, orgs, now, rng))
        _UNIVERSE = load_universe(conn, end=time.time())
        first_id = _scalar(conn.cursor(), "SELECT coalesce(max(id), 0) FROM tickets_ticket") + 1
    jobs = _jobs(first_id, missing, _UNIVERSE)
    log(f"  loading {missing:,} tickets in {len(jobs)} chunks with {processes} processes")
    gen = copy = 0.0
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes, initializer=_worker_init, initargs=(db_url,)) as pool:
        for done, (gen_s, copy_s) in enumerate(pool.imap_unordered(_load_chunk, jobs), 1):
            gen, copy = gen + gen_s, copy + copy_s
            if done % 10 == 0 or done == len(jobs):
                rate = done * CHUNK / (time.perf_counter() - began)
                log(f"  {min(done * CHUNK, missing):,}/{missing:,} tickets, {rate:,.0f}/s")
    vacuum_began = time.perf_counter()
    with connect(db_url) as conn:
        finish(conn)
        after = _scalar(conn.cursor(), "SELECT count(*) FROM tickets_ticket")
    now = time.perf_counter()
    return LoadReport(before, after, now - began, copy, gen, now - vacuum_began)
