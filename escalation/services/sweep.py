"""
The SLA sweep, run by beat every 30 seconds: breach the clocks past due, fire each warning
level, highest first, then tell again whoever a crashed run left untold. Likely breaches are
forecast by a task of their own (escalation.services.predictions), so a forecast over every
team's queue never delays a breach.

Each step is one transaction over one batch, a fixed number of queries whatever the batch
holds. Rows are claimed with SKIP LOCKED together with their ticket, so two sweeps at once
split the work, and a ticket that a request is changing right now waits for the next run.
A level fires by setting `fired_at` on its (timer, level) row under that lock: once, even if
sweeps overlap or a worker dies (its transaction rolls back and the next run fires it).
After an outage the highest level that is due fires and the lower ones are marked
superseded, so a missed window sends one message per clock, not a storm.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from escalation.choices import HistoryKind, TimerState
from escalation.models import SlaHistory, SlaTimer, SlaWarning, SlaWarningLevel
from escalation.services.warnings import enabled_levels
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent


@dataclass
class SweepResult:
    breached: list[int] = field(default_factory=list)
    warned: dict[int, list[int]] = field(default_factory=dict)
    retold: list[int] = field(default_factory=list)
    full: bool = False


def batch_size() -> int:
    """Rows per step: bounds lock time; the task runs again while batches come back full."""
    return settings.HELPDESK_SLA_SWEEP_BATCH


def sweep_sla(*, now: datetime) -> SweepResult:
    """Run every step once; `full` tells the caller a step left work for another run."""
    result, limit = SweepResult(), batch_size()
    levels = enabled_levels()
    breach = next((level for level in levels if level.is_breach), None)
    result.breached = breach_due_timers(now=now, breach_level=breach, levels=levels, limit=limit)
    result.full = len(result.breached) == limit
    warning_levels = [level for level in levels if not level.is_breach]
    for index in range(len(warning_levels) - 1, -1, -1):
        level = warning_levels[index]
        higher = [above.pk for above in levels if above.percent > level.percent]
        fired = fire_level(level=level, lower=warning_levels[:index], higher=higher, now=now,
                           limit=limit)
        result.warned[level.percent] = fired
        result.full |= len(fired) == limit
    result.retold = retell_untold(now=now, limit=limit)
    return result


def table_name(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@transaction.atomic
def breach_due_timers(
    *, now: datetime, breach_level: SlaWarningLevel | None, levels: list[SlaWarningLevel],
    limit: int,
) -> list[int]:
    """Mark active clocks past due as breached, at their due time; return the timer ids."""
    timer, ticket, warning = table_name(SlaTimer), table_name(Ticket), table_name(SlaWarning)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {timer} t JOIN {ticket} k ON k.id = t.ticket_id "
            "WHERE t.state = %s AND t.due_at <= %s ORDER BY t.due_at LIMIT %s "
            "FOR UPDATE OF t, k SKIP LOCKED",
            [TimerState.ACTIVE, now, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        update_and_record(
            cursor,
            update=f"UPDATE {timer} SET state = %s, breached_at = due_at, updated_at = %s "
            "WHERE id = ANY(%s) RETURNING id AS timer_id, ticket_id, metric, due_at",
            params=[TimerState.BREACHED, now, ids], now=now,
            kind=HistoryKind.BREACHED, event=EventKind.SLA_BREACHED, reason="target passed",
        )
        told: list[int] = []
        if breach_level is not None:
            cursor.execute(
                f"INSERT INTO {warning} (timer_id, level_id, due_at, fired_at, superseded) "
                f"SELECT id, %s, due_at, %s, false FROM {timer} WHERE id = ANY(%s) "
                "ON CONFLICT (timer_id, level_id) DO UPDATE SET fired_at = EXCLUDED.fired_at "
                f"WHERE {warning}.fired_at IS NULL RETURNING id",
                [breach_level.pk, now, ids],
            )
            told = [row[0] for row in cursor.fetchall()]
    _supersede(timer_ids=ids, level_ids=[lv.pk for lv in levels if not lv.is_breach], now=now)
    _tell_on_commit(told)
    return ids


@transaction.atomic
def fire_level(
    *, level: SlaWarningLevel, lower: list[SlaWarningLevel], higher: list[int], now: datetime,
    limit: int,
) -> list[int]:
    """
    Fire one warning level for a batch of clocks that reached it; return the warning ids.
    `higher` are the ids of the levels above it (the breach level included).
    """
    timer, ticket, warning = table_name(SlaTimer), table_name(Ticket), table_name(SlaWarning)
    with connection.cursor() as cursor:
        # A clock whose breach or a higher level is due as well waits for that one, which
        # supersedes this level: after an outage one message goes out per clock.
        cursor.execute(
            f"SELECT w.id FROM {warning} w JOIN {timer} t ON t.id = w.timer_id "
            f"JOIN {ticket} k ON k.id = t.ticket_id "
            "WHERE w.level_id = %s AND w.fired_at IS NULL AND w.due_at <= %s AND t.state = %s "
            "AND t.due_at > %s AND NOT EXISTS (SELECT 1 FROM "
            f"{warning} h WHERE h.timer_id = w.timer_id AND h.level_id = ANY(%s) "
            "AND h.due_at <= %s) "
            "ORDER BY w.due_at LIMIT %s FOR UPDATE OF w, k SKIP LOCKED",
            [level.pk, now, TimerState.ACTIVE, now, higher, now, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        rows = update_and_record(
            cursor,
            update=f"UPDATE {warning} w SET fired_at = %s FROM {timer} t "
            "WHERE w.id = ANY(%s) AND t.id = w.timer_id "
            "RETURNING t.id AS timer_id, t.ticket_id, t.metric, w.due_at",
            params=[now, ids], now=now, kind=HistoryKind.WARNED, event=EventKind.SLA_WARNING,
            reason=f"{level.percent} % of the target used", extra={"percent": level.percent},
        )
    _supersede(timer_ids=[row[0] for row in rows], level_ids=[lv.pk for lv in lower], now=now)
    _tell_on_commit(ids)
    return ids


def _supersede(*, timer_ids: list[int], level_ids: list[int], now: datetime) -> None:
    if timer_ids and level_ids:
        SlaWarning.objects.filter(
            timer_id__in=timer_ids, level_id__in=level_ids, fired_at__isnull=True
        ).update(fired_at=now, superseded=True, notified_at=now)


def update_and_record(
    cursor: Any, *, update: str, params: list[Any], now: datetime, kind: str, event: str,
    reason: str, extra: dict[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """
    Run `update` (returning timer_id, ticket_id, metric, due_at) and write the SLA history and
    the timeline events of its rows, in one statement: a batch costs one round trip and no
    model objects. The events' lifecycle handlers (escalation policies react to a breach) run
    after commit in a task of their own, a ticket at a time, so the sweep stays set-based.
    """
    history, events = table_name(SlaHistory), table_name(TicketEvent)
    extra_json = json.dumps(extra or {})
    cursor.execute(
        f"WITH fired AS ({update}), "
        f"history AS (INSERT INTO {history} (ticket_id, metric, kind, reason, data, created_at) "
        "SELECT ticket_id, metric, %s, %s, jsonb_build_object('due_at', due_at) || %s::jsonb, "
        "%s FROM fired), "
        f"events AS (INSERT INTO {events} (ticket_id, kind, actor_id, before, after, "
        "reason_code, note, created_at) SELECT ticket_id, %s, NULL, '{}'::jsonb, "
        "jsonb_build_object('metric', metric, 'due_at', due_at) || %s::jsonb, %s, %s, %s "
        # The fired rows, then the event ids as rows of their own: an id array on every row
        # would make the result grow with the square of the batch.
        "FROM fired RETURNING id) SELECT timer_id, ticket_id, metric, due_at, NULL FROM fired "
        "UNION ALL SELECT NULL, NULL, NULL, NULL, id FROM events",
        [*params, kind, reason, extra_json, now, event, extra_json, kind, reason, now],
    )
    rows = cursor.fetchall()
    event_ids = sorted(row[4] for row in rows if row[4] is not None)
    if event_ids:
        _handle_on_commit(event_ids)
    return [row[:4] for row in rows if row[4] is None]


def _handle_on_commit(event_ids: list[int]) -> None:
    from escalation.tasks import run_event_handlers as run_event_handlers_task

    transaction.on_commit(partial(run_event_handlers_task.delay, event_ids))


def _tell_on_commit(warning_ids: list[int]) -> None:
    from escalation.tasks import notify_sla_warnings as notify_sla_warnings_task

    if warning_ids:
        transaction.on_commit(partial(notify_sla_warnings_task.delay, warning_ids))


def retell_untold(*, now: datetime, limit: int) -> list[int]:
    """
    Enqueue again the fired warnings nobody was told about: the task was lost (Redis
    restarted, a worker died). notify() dedupes by key, so telling twice sends once.
    """
    retell_after = timedelta(seconds=settings.HELPDESK_SLA_RETELL_AFTER)
    ids = list(
        SlaWarning.objects.filter(fired_at__isnull=False, notified_at__isnull=True,
                                  fired_at__lte=now - retell_after)
        .order_by("fired_at").values_list("pk", flat=True)[:limit]
    )
    _tell_on_commit(ids)
    return ids
