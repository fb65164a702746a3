"""
`python -m bench.diagnose [--tickets N]`: why a request is slow. Runs each measured call once
in-process against a bench database, prints its query count and time, and EXPLAIN ANALYZE of
its slowest query.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from typing import Any

from bench.db import database_name, ensure_database, migrate
from bench.procs import server_env
from bench.scenarios import TICKETS, intake_payload


def setup_django(db_url: str) -> None:
    os.environ.update(server_env(db_url, 8000))
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(f"      {row[0]}" for row in cursor.fetchall())


def profile(client: Any, method: str, path: str, **extra: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        response = getattr(client, method)(path, **extra)
        total = (time.perf_counter() - began) * 1000
    queries = captured.captured_queries
    sql_ms = sum(float(query["time"]) for query in queries) * 1000
    print(f"\n{method.upper()} {path}: HTTP {response.status_code}, {total:.1f} ms, "
          f"{len(queries)} queries ({sql_ms:.1f} ms in SQL)")
    for query in queries:
        print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:150]}")
    slowest = max(queries, key=lambda query: float(query["time"]), default=None)
    if slowest and slowest["sql"].startswith("SELECT") and method == "get":
        print("    EXPLAIN ANALYZE of the slowest:")
        print(explain(slowest["sql"]))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.diagnose")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--path", action="append", help="extra GET paths to profile")
    args = parser.parse_args(argv)
    url = ensure_database(database_name(args.tickets))
    migrate(url)
    setup_django(url)

    from django.test import Client

    from tickets.services.keys import create_api_key

    _, read = create_api_key(name="bench-diagnose-read", scopes=["read"])
    _, intake = create_api_key(name="bench-diagnose-intake", scopes=["intake"])
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {read}"}
    client.get(TICKETS, **auth)  # first request loads URLconf and serializers
    for path in [TICKETS, f"{TICKETS}?status=open&priority=P1", f"{TICKETS}?q=refund",
                 f"{TICKETS}?q=locked+password", *(args.path or [])]:
        profile(client, "get", path, **auth)
    body = json.dumps(intake_payload(1, random.Random(1)))
    profile(client, "post", TICKETS, data=body, content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {intake}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
