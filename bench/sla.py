"""
`python -m bench.sla`: one SLA sweep over 100,000 open tickets with 300,000 clocks.

Inside one transaction that is rolled back at the end (nothing is left behind), gives
100,000 tickets of the bench database (open ones first; the sweep never reads a ticket's
status, so a smaller database may fill up with closed ones) three running clocks each
(first response 1 h, periodic update 2 h, resolution 8 h, 24x7) started at random points
of their targets, with their 75 / 90 / 100 % warning rows. What crossed a level more than a
minute ago has fired already, as on a desk whose sweep runs every 30 s; what crossed since
is due now. Then runs sweeps as beat would, timing each and counting its queries: the count
must not depend on the number of clocks, and a sweep should take under 2 s. Then times one
run of the likely-breach forecast, a task of its own.
"""

from __future__ import annotations

import os
import time
from typing import Any

SWEEP_TARGET_MS = 2000
TICKETS, QUICK_TICKETS = 100_000, 10_000
SWEEPS = 3
# (metric, target seconds): three clocks per ticket
METRICS = (("first_response", 3600), ("periodic_update", 7200), ("resolution", 28800))


class _Rollback(Exception):
    pass


def _build(cursor: Any, *, tickets: int, calendar_id: int, levels: dict[int, int]) -> int:
    """Insert the SLA rows in set-based SQL; return how many tickets got clocks."""
    cursor.execute(
        "CREATE TEMP TABLE bench_sla_tickets ON COMMIT DROP AS "
        "SELECT t.id FROM tickets_ticket t WHERE NOT EXISTS "
        "(SELECT 1 FROM escalation_ticketsla s WHERE s.ticket_id = t.id) "
        "ORDER BY t.status IN ('new', 'open', 'awaiting_info', 'on_hold') DESC, t.id DESC "
        "LIMIT %s", [tickets])
    cursor.execute("INSERT INTO escalation_ticketsla (ticket_id, applied_at) "
                   "SELECT id, now() FROM bench_sla_tickets")
    count = cursor.rowcount
    metrics = ", ".join(f"('{name}', {seconds})" for name, seconds in METRICS)
    # started: a random point such that about 2 % of clocks are past due
    cursor.execute(
        "INSERT INTO escalation_slatimer (ticket_id, metric, calendar_id, target_seconds, "
        "pause_statuses, state, started_at, running_since, elapsed_seconds, due_at, "
        "breached_at, updated_at) "
        "SELECT t.id, m.metric, %s, m.seconds, '{pending}', "
        "CASE WHEN s.started + m.seconds * interval '1 second' < now() - interval '1 minute' "
        "THEN 'breached' ELSE 'active' END, s.started, s.started, 0, "
        "s.started + m.seconds * interval '1 second', "
        "CASE WHEN s.started + m.seconds * interval '1 second' < now() - interval '1 minute' "
        "THEN s.started + m.seconds * interval '1 second' END, now() "
        f"FROM bench_sla_tickets t CROSS JOIN (VALUES {metrics}) AS m(metric, seconds) "
        # t.id in the lateral: without it the planner computes one start per metric
        "CROSS JOIN LATERAL (SELECT now() - (random() + 0 * t.id) * 1.02 * m.seconds "
        "* interval '1 second' AS started) s", [calendar_id])
    for percent, level_id in levels.items():
        cursor.execute(
            "INSERT INTO escalation_slawarning (timer_id, level_id, due_at, fired_at, "
            "superseded, notified_at) "
            "SELECT w.id, %s, w.due, f.fired, false, f.fired FROM (SELECT id, started_at + "
            "target_seconds * %s / 100.0 * interval '1 second' AS due "
            "FROM escalation_slatimer t WHERE t.ticket_id IN (SELECT id FROM bench_sla_tickets)"
            ") w CROSS JOIN LATERAL (SELECT CASE WHEN w.due < now() - interval '1 minute' "
            "THEN w.due END AS fired) f", [level_id, percent])
    cursor.execute("ANALYZE escalation_ticketsla, escalation_slatimer, escalation_slawarning")
    return count


def sweep_timings(*, tickets: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from escalation.calendars import always_open_calendar
    from escalation.models import SlaTimer, SlaWarning
    from escalation.services.predictions import raise_likely_breaches
    from escalation.services.sweep import batch_size, sweep_sla
    from escalation.services.warnings import enabled_levels

    results: dict[str, Any] = {}
    try:
        with transaction.atomic():
            levels = {level.percent: level.pk for level in enabled_levels()}
            with connection.cursor() as cursor:
                began = time.perf_counter()
                count = _build(cursor, tickets=tickets, calendar_id=always_open_calendar().pk,
                               levels=levels)
                build_s = time.perf_counter() - began
            results = {"tickets": count, "build_s": round(build_s, 1),
                       "timers": SlaTimer.objects.count(),
                       "warning_rows": SlaWarning.objects.count(), "sweeps": []}
            for _ in range(SWEEPS):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    outcome = sweep_sla(now=timezone.now())
                    millis = (time.perf_counter() - began) * 1000
                results["sweeps"].append({
                    "ms": round(millis, 1), "queries": len(queries),
                    "breached": len(outcome.breached),
                    "warned": {str(k): len(v) for k, v in outcome.warned.items()},
                })
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                raised = raise_likely_breaches(now=timezone.now(), limit=batch_size())
                millis = (time.perf_counter() - began) * 1000
            results["forecast"] = {"ms": round(millis, 1), "queries": len(queries),
                                   "raised": len(raised)}
            raise _Rollback
    except _Rollback:
        pass
    return results


def measure(*, quick: bool) -> dict[str, Any]:
    """The bench section (bench/sections.py): one sweep under 2 s, queries constant."""
    from bench.report import check
    from bench.sections import timings_summary

    timings = sweep_timings(tickets=QUICK_TICKETS if quick else TICKETS)
    sweeps = timings["sweeps"]
    row = timings_summary(
        f"SLA sweep ({timings['timers']:,} clocks, {timings['tickets']:,} tickets)",
        [sweep["ms"] for sweep in sweeps])
    forecast = timings_summary("SLA likely-breach forecast (one run)",
                               [timings["forecast"]["ms"]])
    counts = {sweep["queries"] for sweep in sweeps}
    return {"runs": [row, forecast], "detail": timings, "checks": [
        check("SLA sweep, slowest of 3", max(s["ms"] for s in sweeps), SWEEP_TARGET_MS, "ms"),
        # one count for every sweep: below 1 extra count means constant
        check("SLA sweep query count varies", len(counts) - 1, 1, "counts"),
    ]}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    import django

    django.setup()
    timings = sweep_timings(tickets=TICKETS)
    print(f"SLA sweep: {timings['timers']:,} clocks on {timings['tickets']:,} tickets "
          f"(built in {timings['build_s']} s, {timings['warning_rows']:,} warning rows)")
    for sweep in timings["sweeps"]:
        print(f"  {sweep['ms']:8.1f} ms  {sweep['queries']} queries  "
              f"breached {sweep['breached']}  warned {sweep['warned']}")
    forecast = timings["forecast"]
    print(f"  forecast {forecast['ms']:8.1f} ms  {forecast['queries']} queries  "
          f"raised {forecast['raised']}")


if __name__ == "__main__":
    main()
