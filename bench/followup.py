"""
`python -m bench.followup`: one follow-up sweep over the bench's pending and solved tickets.

In one transaction that is rolled back: schedule the seeded rules' steps for up to 100,000
pending, awaiting-info and solved tickets with one INSERT ... SELECT (a tenth of them due),
then time the sweep that beat runs: batches of claim (SKIP LOCKED), re-check, daily cap and
marking, until nothing is due. The sends themselves are the workers' (one task per batch) and
are not timed. Nothing is left behind.
"""

from __future__ import annotations

import os
import time
from typing import Any

TICKETS = 100_000
DUE_SHARE = 10  # percent of the tickets whose steps are due now
SWEEP_TARGET_MS = 2000


class _Rollback(Exception):
    pass


_SCHEDULE = """
WITH chosen AS (
    SELECT t.id, t.status, t.status_changed_at, t.requester_id,
           row_number() OVER (ORDER BY t.id) AS n
    FROM tickets_ticket t
    WHERE t.status IN ('pending', 'awaiting_info', 'solved')
    ORDER BY t.id LIMIT %(tickets)s
), rules AS (
    SELECT DISTINCT ON (trigger) id, trigger, reminder_after, close_after
    FROM followup_followuprule WHERE kind = 'chase' AND enabled ORDER BY trigger, "order", id
), steps AS (
    SELECT c.*, r.id AS rule_id, s.step, s.wait FROM chosen c
    JOIN rules r ON r.trigger = c.status
    CROSS JOIN LATERAL (VALUES ('reminder', r.reminder_after), ('close', r.close_after))
        AS s(step, wait)
    WHERE s.wait IS NOT NULL
)
INSERT INTO followup_scheduledstep
    (ticket_id, rule_id, step, scheduled_status, status_since, clock_start, due_at,
     contact_id, state, reason, note, created_at)
SELECT id, rule_id, step, status, status_changed_at, %(now)s - wait,
       CASE WHEN n %% 100 < %(due)s THEN %(now)s - interval '1 minute'
            ELSE %(now)s + interval '1 day' END,
       requester_id, 'pending', '', '', %(now)s
FROM steps
"""


def _schedule(now: Any) -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_SCHEDULE, {"tickets": TICKETS, "now": now, "due": DUE_SHARE})
        cursor.execute("ANALYZE followup_scheduledstep")
        cursor.execute("SELECT count(DISTINCT ticket_id), count(*) FILTER (WHERE due_at <= %s)"
                       " FROM followup_scheduledstep WHERE state = 'pending'", [now])
        tickets, due = cursor.fetchone()
    return tickets, due


def sweep_timings() -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from followup.services.sweep import sweep_due_steps

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            now = timezone.now()
            tickets, due = _schedule(now)
            batches, claimed = [], 0
            start = time.perf_counter()
            while True:
                began = time.perf_counter()
                swept = sweep_due_steps(now=now)
                batches.append((time.perf_counter() - began) * 1000)
                claimed += len(swept.claimed) + len(swept.skipped) + len(swept.cancelled)
                if not swept.full:
                    break
            total_ms = (time.perf_counter() - start) * 1000
            result = {"tickets": tickets, "due_steps": due, "handled": claimed,
                      "batches": batches, "total_ms": round(total_ms, 1)}
            raise _Rollback
    except _Rollback:
        pass
    return result


def measure(*, quick: bool) -> dict[str, Any]:
    """The bench section (bench/sections.py): the whole sweep of due steps under 2 s."""
    from bench.report import check
    from bench.sections import timings_summary

    timings = sweep_timings()
    batches = timings_summary("follow-up sweep batch (500 steps)", timings["batches"])
    return {
        "runs": [batches],
        "tickets": timings["tickets"], "due_steps": timings["due_steps"],
        "handled": timings["handled"], "sweep_total_ms": timings["total_ms"],
        "checks": [check(f"follow-up sweep over {timings['tickets']} pending/solved tickets",
                         timings["total_ms"], SWEEP_TARGET_MS, "ms")],
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    import django

    django.setup()
    timings = sweep_timings()
    print(f"follow-up sweep over {timings['tickets']} tickets: {timings['due_steps']} due steps "
          f"handled in {len(timings['batches'])} batches, {timings['total_ms']} ms in all")


if __name__ == "__main__":
    main()
