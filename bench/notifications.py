"""
`python -m bench.sections bench.notifications`: manager summaries and delivery upkeep at scale.

Reads on the loaded tickets (the digest's three sections, the escalation-rate counts) run as
they are. The delivery sweep and the inbox are measured on 100,000 notifications with a
stuck delivery each (10,000 with --quick), written in a transaction that is rolled back:
nothing is left behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

DIGEST_MS = 500  # the digest runs once a day; anomaly checks every 5 minutes
RATES_MS = 200
SWEEP_MS = 200  # one batch of 500 claimed rows
INBOX_MS = 50  # one page of 50 and a capped unread count


class _Rollback(Exception):
    pass


def _timed(fn: Callable[[], object], runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    millis, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            millis.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return millis, queries


def _stuck_deliveries(rows: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from escalation.notifications.choices import ChannelKind
    from escalation.notifications.models import Delivery, Notification, NotificationChannel

    stamp = str(time.time_ns())
    user = get_user_model().objects.create(username=f"bench-notify-{stamp}")
    channel = NotificationChannel.objects.create(name=f"bench {stamp}", kind=ChannelKind.EMAIL)
    old = timezone.now() - timedelta(hours=1)
    notifications = Notification.objects.bulk_create(
        (Notification(recipient=user, kind="bench", subject="bench", body="bench",
                      dedupe_key=f"bench:{n}", created_at=old) for n in range(rows)),
        batch_size=5000,
    )
    Delivery.objects.bulk_create(
        (Delivery(notification=n, channel=channel, address="bench@example.com",
                  created_at=old, updated_at=old) for n in notifications),
        batch_size=5000,
    )
    return user


def _delivery_runs(runs: int, rows: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from escalation.notifications.selectors import inbox, unread_count
    from escalation.notifications.services.delivery import requeue_stuck_deliveries

    if "notifications_delivery" not in connection.introspection.table_names():
        return {}
    results: dict[str, Any] = {}
    try:
        with transaction.atomic():
            user = _stuck_deliveries(rows)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE notifications_notification, notifications_delivery")

            def page() -> None:
                list(inbox(recipient=user)[:50])
                unread_count(recipient=user)

            # each sweep moves its batch forward in time, so the next finds fresh stuck rows
            results["sweep"] = _timed(
                lambda: requeue_stuck_deliveries(now=timezone.now()), runs
            )
            results["inbox"] = _timed(page, runs)
            raise _Rollback
    except _Rollback:
        pass
    return results


def measure(*, quick: bool) -> dict[str, Any]:
    """The bench section (bench/sections.py)."""
    from django.utils import timezone

    from bench.report import check
    from bench.sections import timings_summary
    from escalation.notifications.services.notify import load_links
    from escalation.notifications.services.summaries import digest_sections, escalation_rates

    runs = 5 if quick else 20
    now = timezone.now()
    # A worker loads the URL patterns at start-up (notifications.tasks.load_links); without
    # this the first digest would time the import of every view module, not the digest. The
    # database is not touched, so the first run still reads cold pages.
    load_links()
    digest, digest_queries = _timed(lambda: digest_sections(now=now), runs)
    rates, rates_queries = _timed(lambda: escalation_rates(now=now), runs)
    rows = [timings_summary("manager digest sections", digest),
            timings_summary("escalation rate (hour and day)", rates)]
    checks = [check("manager digest p95", rows[0]["p95_ms"], DIGEST_MS, "ms"),
              check("escalation rate p95", rows[1]["p95_ms"], RATES_MS, "ms")]
    stuck = 10_000 if quick else 100_000
    delivery = _delivery_runs(runs, stuck)
    for key, name, limit in (("sweep", f"delivery sweep (500 of {stuck:,} stuck)", SWEEP_MS),
                             ("inbox", f"notifications page (50 of {stuck:,})", INBOX_MS)):
        if key in delivery:
            rows.append(timings_summary(name, delivery[key][0]))
            checks.append(check(f"{name} p95", rows[-1]["p95_ms"], limit, "ms"))
    return {"runs": rows, "checks": checks, "queries": {
        "digest": digest_queries, "rates": rates_queries,
        **{key: value[1] for key, value in delivery.items()},
    }}
