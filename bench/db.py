"""The benchmark's own databases: created next to the default one, migrated, never dropped."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT, connection

ROOT = Path(__file__).resolve().parent.parent
MAIN_DB = "helpdesk_bench"


def database_name(tickets: int) -> str:
    """Name one database per data-set size, so every size is loaded once and kept."""
    if tickets == 1_000_000:
        return MAIN_DB
    if tickets % 1_000_000 == 0:
        return f"{MAIN_DB}_{tickets // 1_000_000}m"
    if tickets % 1000 == 0:
        return f"{MAIN_DB}_{tickets // 1000}k"
    return f"{MAIN_DB}_{tickets}"


def with_database(url: str, name: str) -> str:
    """Return the server URL with another database name (the socket host query is kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def server_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set: run through `make bench` or `helpdesk.embedded exec`.")
    return url


@contextmanager
def connect(url: str, *, autocommit: bool = True) -> Iterator[connection]:
    conn = psycopg2.connect(url)
    if autocommit:
        conn.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    try:
        yield conn
    finally:
        conn.close()


def ensure_database(name: str) -> str:
    """Create the database when missing and return its URL; existing data is kept."""
    if name in {"postgres", "template0", "template1"} or not name.startswith(MAIN_DB):
        raise ValueError(f"refusing to use database {name!r} for benchmarks")
    base = server_url()
    with connect(base) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    return with_database(base, name)


def django_env(db_url: str, **extra: str) -> dict[str, str]:
    """Environment for a child process that runs Django against a bench database."""
    settings = "helpdesk.settings.local"
    return {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": settings, **extra}


def migrate(db_url: str) -> None:
    """Apply migrations every run: other work adds migrations, and a no-op migrate is quick."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=django_env(db_url, DEBUG="false"),
        check=True,
    )


def count(db_url: str, table: str) -> int:
    with connect(db_url) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return int(cur.fetchone()[0])
