"""
Agents' open-ticket counters (routing.models.AgentLoad): moved in the transaction of every
change of a ticket's owner, status or priority, and recounted from the tickets by a repair.

Routing reads these rows instead of counting the ticket table, so a decision costs the same
whether an agent holds five open tickets or five thousand.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from routing.models import AgentLoad
from routing.models.loads import LOAD_COLUMNS
from tickets.choices import UNSOLVED, EventKind
from tickets.models import Ticket, TicketEvent
from tickets.prepared import execute_prepared

logger = logging.getLogger(__name__)

RECOUNT_BATCH: Final = 100  # agents whose rows one repair transaction holds locked
_COLUMNS: Final = tuple(LOAD_COLUMNS.values())
_TRACKED: Final = ("assignee", "status", "priority")


def _holding(state: dict[str, Any]) -> tuple[int, str] | None:
    """Return whose load the ticket counts in, and at which priority; None if nobody's."""
    if state["assignee"] is None or state["status"] not in UNSOLVED:
        return None
    if state["priority"] not in LOAD_COLUMNS:
        return None
    return state["assignee"], state["priority"]


def load_changes(event: TicketEvent) -> dict[int, Counter[str]]:
    """
    Return how the event moved its ticket between loads, {agent id: {priority: +1 or -1}}.

    The event's ticket is the row as the service saved it, so it is the state after the
    change; the event's `before` holds the old values of the fields the change touched.
    (assign_ticket moves a NEW ticket to OPEN at most: both unsolved, the same load.)
    """
    ticket = event.ticket
    now = {"assignee": ticket.assignee_id, "status": ticket.status, "priority": ticket.priority}
    was = {**now, **{name: event.before[name] for name in _TRACKED if name in event.before}}
    before = None if event.kind == EventKind.CREATED else _holding(was)
    after = _holding(now)
    changes: dict[int, Counter[str]] = defaultdict(Counter)
    if before != after:
        if before is not None:
            changes[before[0]][before[1]] -= 1
        if after is not None:
            changes[after[0]][after[1]] += 1
    return changes


_UPSERT_SQL: Final = """
    INSERT INTO {table} (user_id, {columns}) VALUES {rows}
    ON CONFLICT (user_id) DO UPDATE SET {increments}
"""


def apply_load_changes(changes: dict[int, Counter[str]]) -> None:
    """
    Add the changes to the agents' rows in one statement, creating missing rows.

    Rows are written in agent order, so two transactions that move tickets between the same
    agents lock their rows in the same order and never deadlock on them.
    """
    if not changes:
        return
    table = AgentLoad._meta.db_table
    agents = sorted(changes)
    rows = ", ".join(["(" + ", ".join(["%s"] * (1 + len(_COLUMNS))) + ")"] * len(agents))
    params = [value for agent in agents
              for value in (agent, *(changes[agent][p] for p in LOAD_COLUMNS))]
    increments = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in _COLUMNS)
    sql = _UPSERT_SQL.format(table=table, columns=", ".join(_COLUMNS), rows=rows,
                             increments=increments)
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)


_ADD_MISSING_SQL: Final = """
    INSERT INTO {loads} (user_id)
    SELECT DISTINCT t.assignee_id FROM {tickets} t
     WHERE t.assignee_id IS NOT NULL AND t.status = ANY(%(unsolved)s)
       AND (%(only)s::integer[] IS NULL OR t.assignee_id = ANY(%(only)s))
       AND NOT EXISTS (SELECT 1 FROM {loads} l WHERE l.user_id = t.assignee_id)
    ON CONFLICT (user_id) DO NOTHING
"""

_LOCK_BATCH_SQL: Final = """
    SELECT user_id FROM {loads} WHERE user_id > %(after)s
       AND (%(only)s::integer[] IS NULL OR user_id = ANY(%(only)s))
     ORDER BY user_id LIMIT %(limit)s FOR UPDATE SKIP LOCKED
"""

# Counts are read by a statement that starts after the rows are locked: every transaction
# that had moved one of these counters has committed and is counted; any later one waits
# for this repair and then adds its change on top of the recount.
_RECOUNT_SQL: Final = """
    WITH counted AS (
        SELECT a.user_id, {counts}
          FROM unnest(%(agents)s::integer[]) AS a(user_id)
          LEFT JOIN {tickets} t
            ON t.assignee_id = a.user_id AND t.status = ANY(%(unsolved)s)
         GROUP BY a.user_id
    )
    UPDATE {loads} l SET {sets}, recounted_at = %(now)s
      FROM counted c
     WHERE l.user_id = c.user_id AND ({current}) IS DISTINCT FROM ({recounted})
    RETURNING l.user_id
"""


def _sql(template: str) -> str:
    counts = ", ".join(f"count(t.id) FILTER (WHERE t.priority = '{priority}') AS {column}"
                       for priority, column in LOAD_COLUMNS.items())
    return template.format(
        loads=AgentLoad._meta.db_table, tickets=Ticket._meta.db_table, counts=counts,
        sets=", ".join(f"{c} = c.{c}" for c in _COLUMNS),
        current=", ".join(f"l.{c}" for c in _COLUMNS),
        recounted=", ".join(f"c.{c}" for c in _COLUMNS),
    )


def _recount_batch(after: int, only: list[int] | None) -> tuple[list[int], list[int]]:
    """Lock the next agents' rows that nobody holds, recount them: (locked, corrected)."""
    unsolved = sorted(UNSOLVED)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_sql(_LOCK_BATCH_SQL),
                       {"after": after, "limit": RECOUNT_BATCH, "only": only})
        agents = [row[0] for row in cursor.fetchall()]
        if not agents:
            return [], []
        cursor.execute(_sql(_RECOUNT_SQL), {"agents": agents, "unsolved": unsolved,
                                            "now": timezone.now()})
        return agents, [row[0] for row in cursor.fetchall()]


def recount_agent_loads(*, agent_ids: list[int] | None = None) -> list[int]:
    """
    Recount the counters of every agent (or of `agent_ids`) from the tickets, a batch of
    agents per transaction, and return the agents whose rows were wrong. Rows held by a
    change in progress are skipped (the next run takes them), so the repair never waits on,
    nor deadlocks with, a service.
    """
    with connection.cursor() as cursor:
        cursor.execute(_sql(_ADD_MISSING_SQL), {"unsolved": sorted(UNSOLVED), "only": agent_ids})
    corrected: list[int] = []
    after = 0
    while True:
        agents, fixed = _recount_batch(after, agent_ids)
        if not agents:
            break
        corrected += fixed
        after = agents[-1]
    if corrected:
        # Every service keeps the counters; a correction means a write went around them.
        logger.warning("routing: corrected the open-ticket counters of agents %s", corrected)
    return corrected
