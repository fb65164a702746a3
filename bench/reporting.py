"""
`python -m bench.reporting`: each dashboard's server time at 1,000,000 tickets.

Every dashboard page is requested in-process through Django's test Client, signed in as a
manager (who sees every team: the largest aggregate), with the default filters (the last
30 days) and with a team + 90-day filter; p50/p95 of the whole request (every query, the
SVG and the HTML) per dashboard.

What it keeps in the bench database: the metrics rows (reporting_ticketmetrics), one per
loaded ticket. They are derived from the loader's tickets and events, which stay too, so
they are kept alongside them. When rows are missing (a fresh or topped-up database), this
section first backfills them set-based in SQL (reporting.backfill, 100,000 tickets per
statement) and reports how long it took: 374 s for the 1,010,452 loaded tickets (about
3 million events) on the shared 2-core machine, done once on 2026-11-22. The manager it
signs in as is created in a transaction that is rolled back, so nothing else is left behind.

It also keeps the daily rollups (reporting_dailyrollup, reporting_rollupcoverage) the
dashboards read for whole past days, as production keeps them with the beat task
`reporting.refresh_rollups`. When there are none, this section builds them first with
reporting.rollups.backfill_rollups (`manage.py backfill_rollups` does the same): 217,894
cells for 366 days in 26 s on 2026-11-23. When they exist it runs the beat task's refresh
(the days since the last run and the days whose rows changed), so the figures measured are
those of an up-to-date rollup; today's figures always come from the raw rows.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

DASHBOARD_P95_MS = 500
BACKFILL_BATCH = 100_000


class _Rollback(Exception):
    pass


def ensure_metrics_rows() -> dict[str, Any]:
    """Backfill metrics rows when fewer than the tickets; return what it did and how long."""
    from django.db import connection

    from reporting.backfill import backfill_all

    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT count(*) FROM tickets_ticket),"
                       " (SELECT count(*) FROM reporting_ticketmetrics)")
        tickets, rows = cursor.fetchone()
    if rows >= tickets:
        return {"tickets": tickets, "metrics_rows": rows, "backfill_seconds": None}
    began = time.perf_counter()
    written = backfill_all(batch=BACKFILL_BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reporting_ticketmetrics")
    return {"tickets": tickets, "metrics_rows": written,
            "backfill_seconds": round(time.perf_counter() - began, 1)}


def ensure_rollups() -> dict[str, Any]:
    """Build or bring up to date the daily rollups; return what it did and how long."""
    from django.db import connection

    from reporting.rollups import refresh_recent_rollups

    began = time.perf_counter()
    done = refresh_recent_rollups()
    if done["cells"]:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_dailyrollup")
    return {"rollup_cells_written": done["cells"],
            "rollup_seconds": round(time.perf_counter() - began, 1)}


def _manager() -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tickets.choices import Role

    user = get_user_model().objects.create(username=f"bench-reports-{time.time_ns()}")
    user.groups.add(Group.objects.get(name=Role.MANAGER.value))
    return user


def _variants() -> list[tuple[str, dict[str, str]]]:
    from datetime import timedelta

    from django.utils import timezone

    from tickets.models import Team

    team = Team.objects.order_by("pk").values_list("pk", flat=True).first()
    today = timezone.now().date()
    return [("30 days", {}),
            ("team, 90 days", {"team": str(team),
                               "date_from": (today - timedelta(days=89)).isoformat()})]


def dashboard_timings(*, repeats: int) -> dict[str, list[float]]:
    """Return per "dashboard (variant)" the milliseconds of each request after one warm-up."""
    from django.db import transaction
    from django.test import Client, override_settings
    from django.urls import reverse

    from reporting.selectors import DASHBOARDS

    timings: dict[str, list[float]] = {}
    with override_settings(ALLOWED_HOSTS=["*"], SESSION_ENGINE=(
            "django.contrib.sessions.backends.signed_cookies")):
        try:
            with transaction.atomic():
                client = Client()
                client.force_login(_manager())
                for variant, params in _variants():
                    for slug in DASHBOARDS:
                        url = reverse("reporting:dashboard", args=[slug])
                        if client.get(url, params).status_code != 200:
                            raise RuntimeError(f"{url} did not answer 200")
                        millis = []
                        for _ in range(repeats):
                            began = time.perf_counter()
                            client.get(url, params)
                            millis.append((time.perf_counter() - began) * 1000)
                        timings[f"dashboard {slug} ({variant})"] = millis
                raise _Rollback
        except _Rollback:
            pass
    return timings


def measure(*, quick: bool) -> dict[str, Any]:
    """The bench section (bench/sections.py): every dashboard's p95 under 500 ms at 1M."""
    from bench.report import check
    from bench.sections import timings_summary

    prepared = {**ensure_metrics_rows(), **ensure_rollups()}
    timings = dashboard_timings(repeats=5 if quick else 20)
    runs = [timings_summary(name, millis) for name, millis in timings.items()]
    return {"runs": runs, **prepared,
            "checks": [check(f"{run['name']} p95", run["p95_ms"], DASHBOARD_P95_MS, "ms")
                       for run in runs]}


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    import django

    django.setup()
    print(ensure_metrics_rows(), ensure_rollups())
    for name, millis in dashboard_timings(repeats=10).items():
        ordered = sorted(millis)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(f"  {name:45} p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
