"""
Likely breaches: a response clock whose team cannot reach it in time, raised once per cycle
before any percentage level has fired.

Each team answers its queue in due order. With `agents` members available now (presence not
offline, inside their working hours) and a recent handling time per ticket (creation to first
response, last 7 days, read at most every 10 minutes), the ticket at position n of its team's
queue is expected to be answered after n x handling / agents. If that is past its due time,
the clock is marked and the team lead (or the assignee) is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Avg, F

from escalation.choices import HistoryKind, Metric, TimerState
from escalation.models import SlaTimer, SlaWarning
from escalation.services.sweep import table_name, update_and_record
from routing.choices import Presence
from routing.schedules import is_open
from routing.selectors import agent_states
from routing.snapshot import current_snapshot
from tickets.choices import EventKind
from tickets.models import Ticket

HORIZON: Final = timedelta(hours=8)  # clocks due later are not forecast yet
HANDLING_WINDOW: Final = timedelta(days=7)
HANDLING_CREATED_WINDOW: Final = timedelta(days=14)
HANDLING_CACHE_SECONDS: Final = 600
DEFAULT_HANDLING_SECONDS: Final = 15 * 60  # a team with no recent answers
RESPONSE_METRICS: Final = (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE)


@dataclass(frozen=True)
class TeamPace:
    team_id: int
    agents: int
    handling_seconds: float

    @property
    def seconds_per_position(self) -> float:
        # Nobody available now: the queue moves at one agent's pace once someone comes.
        return self.handling_seconds / max(self.agents, 1)


def handling_seconds(*, now: datetime) -> dict[int, float]:
    """
    Return each team's mean creation-to-first-response time over the last week, cached:
    tickets first answered in the last 7 days, among those created in the last 14. The
    creation bound lets the index on created_at find them (first answers alone meant reading
    every ticket ever made), and it leaves out the rare ticket answered weeks late, which
    would say more about one forgotten ticket than about the team's pace.
    """
    key = "escalation:handling-seconds"
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = (Ticket.objects.filter(created_at__gte=now - HANDLING_CREATED_WINDOW,
                                  first_response_at__gte=now - HANDLING_WINDOW,
                                  team__isnull=False)
            .values("team").annotate(mean=Avg(F("first_response_at") - F("created_at"))))
    result = {row["team"]: row["mean"].total_seconds() for row in rows if row["mean"]}
    cache.set(key, result, HANDLING_CACHE_SECONDS)
    return result


def team_paces(*, now: datetime) -> list[TeamPace]:
    """Return every team's available agents and handling time, in two queries."""
    rosters = current_snapshot().rosters
    profile_ids = [row.pk for members in rosters.values() for row in members if row.pk]
    presence = {pk: state[0] for pk, state in agent_states(profile_ids=profile_ids).items()}
    handling = handling_seconds(now=now)
    paces = []
    for team_id, members in rosters.items():
        agents = sum(
            1 for row in members
            if presence.get(row.pk, Presence.OFFLINE) != Presence.OFFLINE
            and is_open(row.working_hours, row.time_zone, now)
        )
        paces.append(TeamPace(team_id=team_id, agents=agents,
                              handling_seconds=handling.get(team_id, DEFAULT_HANDLING_SECONDS)))
    return paces


def likely_breaches(*, now: datetime, paces: list[TeamPace], limit: int) -> list[int]:
    """Return response clocks expected to be answered after their due time, in one query."""
    if not paces:
        return []
    timer, ticket, warning = table_name(SlaTimer), table_name(Ticket), table_name(SlaWarning)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH queue AS (SELECT t.id, k.team_id, t.due_at, t.predicted_breach_at, "
            # Clocks due at the same moment are answered in order of arrival, so a tie
            # never makes the forecast pick a different ticket from one run to the next.
            "row_number() OVER (PARTITION BY k.team_id ORDER BY t.due_at, k.id, t.id) AS position "
            f"FROM {timer} t JOIN {ticket} k ON k.id = t.ticket_id "
            "WHERE t.state = %s AND t.due_at > %s AND t.due_at <= %s "
            "AND t.metric = ANY(%s) AND k.team_id IS NOT NULL) "
            "SELECT q.id FROM queue q JOIN unnest(%s::bigint[], %s::float8[]) "
            "AS pace(team_id, seconds) ON pace.team_id = q.team_id "
            "WHERE q.predicted_breach_at IS NULL "
            "AND q.due_at < %s + q.position * pace.seconds * interval '1 second' "
            f"AND NOT EXISTS (SELECT 1 FROM {warning} w WHERE w.timer_id = q.id "
            "AND w.fired_at IS NOT NULL) ORDER BY q.due_at LIMIT %s",
            [TimerState.ACTIVE, now, now + HORIZON, list(RESPONSE_METRICS),
             [p.team_id for p in paces], [p.seconds_per_position for p in paces], now, limit],
        )
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def raise_likely_breaches(*, now: datetime, limit: int) -> list[int]:
    """Mark the likely breaches once each and record why; return the timer ids."""
    candidates = likely_breaches(now=now, paces=team_paces(now=now), limit=limit)
    if not candidates:
        return []
    timer, ticket = table_name(SlaTimer), table_name(Ticket)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {timer} t JOIN {ticket} k ON k.id = t.ticket_id "
            "WHERE t.id = ANY(%s) AND t.predicted_breach_at IS NULL AND t.state = %s "
            "FOR UPDATE OF t, k SKIP LOCKED", [candidates, TimerState.ACTIVE])
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        update_and_record(
            cursor,
            update=f"UPDATE {timer} SET predicted_breach_at = %s WHERE id = ANY(%s) "
            "RETURNING id AS timer_id, ticket_id, metric, due_at",
            params=[now, ids], now=now, kind=HistoryKind.PREDICTED,
            event=EventKind.SLA_PREDICTED_BREACH,
            reason="the team's queue will not reach it in time",
        )
    transaction.on_commit(partial(_enqueue_tell, ids))
    return ids


def retell_untold_predictions(*, now: datetime, limit: int) -> list[int]:
    """
    Enqueue again the likely breaches nobody was told of (the task was lost: Redis restarted,
    a worker died), as the sweep does for warnings; notify() sends once per dedupe key.
    """
    retell_after = timedelta(seconds=settings.HELPDESK_SLA_RETELL_AFTER)
    ids = list(
        SlaTimer.objects.filter(state=TimerState.ACTIVE, predicted_breach_at__isnull=False,
                                predicted_told_at__isnull=True,
                                predicted_breach_at__lte=now - retell_after)
        .order_by("predicted_breach_at").values_list("pk", flat=True)[:limit]
    )
    if ids:
        transaction.on_commit(partial(_enqueue_tell, ids))
    return ids


def _enqueue_tell(timer_ids: list[int]) -> None:
    from escalation.tasks import notify_likely_breaches as notify_likely_breaches_task

    notify_likely_breaches_task.delay(timer_ids)
