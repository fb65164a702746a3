"""
The escalation sweep, run by beat every 60 seconds, for conditions that time makes true
without any event: a ticket's SLA coming near its due time, or passing it.

One set-based query finds unsolved tickets whose SLA state (near breach / breached) or due
time differs from what the sweep last saw, and claims a batch of them with SKIP LOCKED, so
two sweeps split the work and a ticket a request is changing waits for the next run. The
batch is read with its facts in one query, policies are evaluated in memory, and what was
seen is written back in one statement: a fixed number of queries whatever the batch holds,
plus the work of the policies that fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When

from escalation.escalations.models import SweepMark
from escalation.escalations.policies import escalation_policies
from escalation.escalations.services.firing import (
    fire_matching,
    open_policy_ids,
    policy_tickets,
)
from tickets.choices import UNSOLVED
from tickets.models import Ticket
from tickets.queues import BREACHING_WINDOW

BATCH: Final = 500


def _state(now: datetime) -> Case:
    return Case(When(sla_due_at__lte=now, then=Value("breached")),
                default=Value("near_breach"), output_field=CharField())


def due_for_sweep(*, now: datetime):
    """Unsolved tickets near or past their SLA whose state the sweep has not seen yet."""
    unseen = (
        Q(escalation_sweep_mark__isnull=True)
        | ~Q(escalation_sweep_mark__sla_due_at=F("sla_due_at"))
        | ~Q(escalation_sweep_mark__sla_state=F("sweep_state"))
    )
    return (Ticket.objects.filter(status__in=UNSOLVED, sla_due_at__lte=now + BREACHING_WINDOW)
            .annotate(sweep_state=_state(now)).filter(unseen))


@dataclass
class SweepResult:
    claimed: int = 0
    fired: list[int] = field(default_factory=list)


@transaction.atomic
def sweep_escalations(*, now: datetime, limit: int = BATCH) -> SweepResult:
    """Evaluate one batch of tickets; `claimed == limit` tells the caller to run again."""
    claimed = list(
        due_for_sweep(now=now).order_by("sla_due_at", "pk")
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", "sweep_state", "sla_due_at")[:limit]
    )
    if not claimed:
        return SweepResult()
    fired: list[int] = []
    policies = escalation_policies.current()
    if policies:
        known = open_policy_ids(pk for pk, _, _ in claimed)
        for ticket in policy_tickets(pk for pk, _, _ in claimed):
            fired += [e.pk for e in fire_matching(
                ticket=ticket, skip=frozenset(known.get(ticket.pk, ())), now=now,
                policies=policies)]
    SweepMark.objects.bulk_create(
        [SweepMark(ticket_id=pk, sla_state=state, sla_due_at=due) for pk, state, due in claimed],
        update_conflicts=True, unique_fields=["ticket"], update_fields=["sla_state", "sla_due_at"],
    )
    return SweepResult(claimed=len(claimed), fired=fired)
