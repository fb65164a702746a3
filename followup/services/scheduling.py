"""
Schedule and cancel follow-up steps as a ticket moves; the sweep (followup.services.sweep)
sends them when due.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from followup.choices import RuleKind, Step, StepReason, StepState, Trigger
from followup.models import ScheduledStep
from followup.rules import due_after, first_matching_rule
from tickets.choices import EventKind, TicketStatus
from tickets.conditions import ticket_facts
from tickets.conditions.facts import FACT_RELATIONS
from tickets.events import record_event
from tickets.models import Ticket

# A survey is about the solve: it stays valid once the ticket closes, until it is reopened.
SURVEY_STATUSES = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})


def with_fact_relations(ticket: Ticket) -> Ticket:
    """Return the ticket with what ticket_facts reads joined (one query)."""
    return Ticket.objects.select_related(*FACT_RELATIONS).defer("search_vector").get(pk=ticket.pk)


def schedule_chase(*, ticket: Ticket, clock_start: datetime) -> list[ScheduledStep]:
    """
    Schedule the reminder and close of the first chase rule that matches the ticket in its
    current status; write one FOLLOWUP_SCHEDULED event. Return the new pending steps.
    """
    if ticket.status not in Trigger.values:
        return []
    rule = first_matching_rule(trigger=ticket.status, kind=RuleKind.CHASE,
                               facts=ticket_facts(ticket))
    if rule is None:
        return []
    waits = [(Step.REMINDER, rule.reminder_after), (Step.CLOSE, rule.close_after)]
    rows = [
        ScheduledStep(
            ticket=ticket, rule=rule, step=step, scheduled_status=ticket.status,
            status_since=ticket.status_changed_at, clock_start=clock_start,
            due_at=due_after(rule=rule, start=clock_start, wait=wait),
            contact_id=ticket.requester_id,
        )
        for step, wait in waits if wait
    ]
    # A handler run twice for one change (a retried transaction) adds nothing the second time.
    created = ScheduledStep.objects.bulk_create(rows, ignore_conflicts=True)
    rule.record_fired()
    record_event(
        ticket=ticket, kind=EventKind.FOLLOWUP_SCHEDULED, actor=None, reason_code=rule.kind,
        after={"rule": rule.pk, "steps": [
            {"step": row.step, "due_at": row.due_at.isoformat()} for row in created
        ]},
        note=rule.explanation,
    )
    return created


def cancel_pending_steps(
    *,
    ticket: Ticket,
    reason: str,
    steps: tuple[str, ...] | None = None,
    only_ids: list[int] | None = None,
    note: str = "",
) -> list[int]:
    """Cancel the ticket's pending steps (of the given kinds or ids); one event names them."""
    pending = ScheduledStep.objects.filter(ticket=ticket, state=StepState.PENDING)
    if steps is not None:
        pending = pending.filter(step__in=steps)
    if only_ids is not None:
        pending = pending.filter(pk__in=only_ids)
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return []
    ScheduledStep.objects.filter(pk__in=ids, state=StepState.PENDING).update(
        state=StepState.CANCELLED, reason=reason, note=note[:500], processed_at=timezone.now()
    )
    record_event(ticket=ticket, kind=EventKind.FOLLOWUP_CANCELLED, actor=None,
                 reason_code=reason, after={"steps": ids}, note=note)
    return ids


def outdated_step_ids(*, ticket: Ticket) -> list[int]:
    """Return the pending steps whose ticket is no longer in the state they were made for."""
    pending = ScheduledStep.objects.filter(ticket=ticket, state=StepState.PENDING)
    return [
        pk for pk, step, status, since in pending.values_list(
            "pk", "step", "scheduled_status", "status_since"
        )
        if not still_due(step=step, scheduled_status=status, status_since=since,
                         status=ticket.status, status_changed_at=ticket.status_changed_at,
                         solved_at=ticket.solved_at)
    ]


def still_due(
    *, step: str, scheduled_status: str, status_since: datetime | None,
    status: str, status_changed_at: datetime | None, solved_at: datetime | None,
) -> bool:
    """Return whether a ticket (given by its status columns) is still as a step expects."""
    if step == Step.SURVEY:
        return status in SURVEY_STATUSES and solved_at == status_since
    return status == scheduled_status and status_changed_at == status_since


def ticket_still_due(step: ScheduledStep, ticket: Ticket) -> bool:
    return still_due(step=step.step, scheduled_status=step.scheduled_status,
                     status_since=step.status_since, status=ticket.status,
                     status_changed_at=ticket.status_changed_at, solved_at=ticket.solved_at)


def cancel_outdated_steps(*, ticket: Ticket) -> list[int]:
    """Cancel pending steps scheduled for a state the ticket has left."""
    ids = outdated_step_ids(ticket=ticket)
    if not ids:
        return []
    return cancel_pending_steps(ticket=ticket, reason=StepReason.STATE_CHANGED, only_ids=ids,
                                note=f"The ticket is now {ticket.status}.")


@transaction.atomic
def cancel_step(*, step: ScheduledStep, actor: AbstractBaseUser, reason: str) -> ScheduledStep:
    """An agent calls off one pending follow-up, saying why."""
    from tickets.services.lifecycle import lock_ticket

    lock_ticket(step.ticket)
    step = ScheduledStep.objects.select_for_update().get(pk=step.pk)
    if step.state != StepState.PENDING:
        return step
    step.state, step.reason, step.note = StepState.CANCELLED, StepReason.AGENT_CANCELLED, reason
    step.cancelled_by, step.processed_at = actor, timezone.now()
    step.save(update_fields=["state", "reason", "note", "cancelled_by", "processed_at"])
    record_event(ticket=step.ticket, kind=EventKind.FOLLOWUP_CANCELLED, actor=actor,
                 reason_code=StepReason.AGENT_CANCELLED, note=reason,
                 after={"steps": [step.pk], "step": step.step})
    return step
