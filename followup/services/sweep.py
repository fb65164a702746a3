"""
The follow-up sweep: claim due steps in one set-based pass, then send each in its own task.

Exactly once: a step is claimed (PENDING -> CLAIMED) by one sweep under SKIP LOCKED, and sent
(CLAIMED -> SENT) in the same transaction that writes its email row, which the spine's
delivery then sends at most once. A worker that dies between the two leaves a CLAIMED row;
the next sweep re-enqueues it after CLAIM_LEASE, and the send finds SENT rows done.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Final, NamedTuple

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from followup.choices import Step, StepReason, StepState
from followup.models import ScheduledStep
from followup.selectors import followup_settings
from followup.services.scheduling import still_due
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent

SWEEP_BATCH: Final = 500  # bounds lock time; the task re-enqueues itself while batches are full
CLAIM_LEASE: Final = timedelta(minutes=5)
CAP_WINDOW: Final = timedelta(hours=24)
# Closing is a state change the customer must hear about; the cap never holds it back.
CAPPED_STEPS: Final = frozenset({Step.REMINDER, Step.SURVEY})
SWEEP_LOCK: Final = "followup-sweep"


@dataclass
class SweepResult:
    claimed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    reclaimed: list[int] = field(default_factory=list)
    busy: bool = False

    @property
    def full(self) -> bool:
        return len(self.claimed) + len(self.cancelled) + len(self.skipped) >= SWEEP_BATCH


def _take_sweep_lock() -> bool:
    # Concurrent sweeps would each count the daily cap without the other's claims.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
                       [SWEEP_LOCK])
        return bool(cursor.fetchone()[0])


class Due(NamedTuple):
    """A claimed step with the ticket columns its re-check reads; tuples, not models, for speed."""

    pk: int
    step: str
    rule_id: int | None
    scheduled_status: str
    status_since: datetime | None
    contact_id: int
    ticket_id: int
    ticket_status: str
    ticket_status_changed_at: datetime | None
    ticket_solved_at: datetime | None
    due_at: datetime


# One statement claims a batch and reads what the re-check needs: the oldest due rows that no
# other sweep holds (SKIP LOCKED), moved to CLAIMED, with their tickets' status columns.
_CLAIM = """
WITH due AS (
    SELECT id FROM {steps} WHERE state = %(pending)s AND due_at <= %(now)s
    ORDER BY due_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED
)
UPDATE {steps} AS s SET state = %(claimed)s, claimed_at = %(now)s, processed_at = %(now)s
FROM due, {tickets} AS t
WHERE s.id = due.id AND t.id = s.ticket_id
RETURNING s.id, s.step, s.rule_id, s.scheduled_status, s.status_since, s.contact_id,
          s.ticket_id, t.status, t.status_changed_at, t.solved_at, s.due_at
"""


def _claim_batch(now: datetime, batch: int) -> list[Due]:
    sql = _CLAIM.format(steps=ScheduledStep._meta.db_table, tickets=Ticket._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"pending": StepState.PENDING.value, "claimed": StepState.CLAIMED.value,
                             "now": now, "batch": batch})
        rows = [Due(*row) for row in cursor.fetchall()]
    return sorted(rows, key=lambda row: (row.due_at, row.pk))


def _sent_today(contact_ids: set[int], batch_ids: list[int], now: datetime) -> Counter[int]:
    rows = (
        ScheduledStep.objects.filter(
            contact_id__in=contact_ids, state__in=[StepState.CLAIMED, StepState.SENT],
            processed_at__gt=now - CAP_WINDOW,
        ).exclude(pk__in=batch_ids)
        .values("contact_id").annotate(n=Count("pk")).values_list("contact_id", "n")
    )
    return Counter(dict(rows))


def _partition(rows: list[Due], now: datetime, cap: int) -> SweepResult:
    result = SweepResult()
    counts = _sent_today({row.contact_id for row in rows}, [row.pk for row in rows], now)
    for row in rows:  # one batch, already in memory: no query per row
        if not still_due(step=row.step, scheduled_status=row.scheduled_status,
                         status_since=row.status_since, status=row.ticket_status,
                         status_changed_at=row.ticket_status_changed_at,
                         solved_at=row.ticket_solved_at):
            result.cancelled.append(row.pk)
        elif row.step in CAPPED_STEPS and counts[row.contact_id] >= cap:
            result.skipped.append(row.pk)
        else:
            counts[row.contact_id] += 1
            result.claimed.append(row.pk)
    return result


def _events(rows: list[Due], ids: list[int], reason: str, now: datetime) -> list:
    # Bookkeeping events of a sweep are written in bulk; no handler listens to these kinds.
    chosen = set(ids)
    return [
        TicketEvent(ticket_id=row.ticket_id, kind=EventKind.FOLLOWUP_CANCELLED,
                    reason_code=reason, after={"steps": [row.pk], "step": row.step,
                                               "rule": row.rule_id}, created_at=now)
        for row in rows if row.pk in chosen
    ]


@transaction.atomic
def sweep_due_steps(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> SweepResult:
    """
    Claim one batch of due steps: cancel those whose ticket moved on, skip those over the
    contact's daily cap, and enqueue the rest for sending after commit. A constant number of
    queries, whatever the batch holds.
    """
    from followup.tasks import send_followup_steps as send_followup_steps_task

    now = now or timezone.now()
    if not _take_sweep_lock():
        return SweepResult(busy=True)
    rows = _claim_batch(now, batch)
    result = _partition(rows, now, followup_settings().daily_cap_per_contact)
    if result.cancelled:
        ScheduledStep.objects.filter(pk__in=result.cancelled).update(
            state=StepState.CANCELLED, reason=StepReason.STATE_CHANGED, processed_at=now)
    if result.skipped:
        ScheduledStep.objects.filter(pk__in=result.skipped).update(
            state=StepState.SKIPPED, reason=StepReason.DAILY_CAP, processed_at=now)
    if result.cancelled or result.skipped:
        TicketEvent.objects.bulk_create(
            _events(rows, result.cancelled, StepReason.STATE_CHANGED, now)
            + _events(rows, result.skipped, StepReason.DAILY_CAP, now)
        )
    result.reclaimed = _stale_claims(now)
    to_send = result.claimed + result.reclaimed
    if to_send:
        transaction.on_commit(partial(send_followup_steps_task.delay, to_send))
    return result


def _stale_claims(now: datetime) -> list[int]:
    """Renew and return claims older than the lease (their worker died): one statement."""
    table = ScheduledStep._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claimed_at = %s WHERE id IN ("
            f" SELECT id FROM {table} WHERE state = %s AND claimed_at < %s"
            " ORDER BY claimed_at LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id",
            [now, StepState.CLAIMED.value, now - CLAIM_LEASE, SWEEP_BATCH],
        )
        return [row[0] for row in cursor.fetchall()]
