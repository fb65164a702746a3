"""Escalations by hand, acknowledgement and de-escalation; each writes one TicketEvent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from escalation.escalations.choices import DeEscalateWhen, EscalationTrigger
from escalation.escalations.models import Escalation
from escalation.escalations.services.recipients import described, distinct_people, team_lead
from escalation.notifications.services import escalation_line, notify
from tickets.choices import EventKind
from tickets.events import record_event
from tickets.models import Ticket, TicketEvent
from tickets.services.lifecycle import lock_ticket


def record_manual(*, event: TicketEvent) -> Escalation:
    """Record an agent's escalation by hand (the spine's ESCALATED event) and tell the lead."""
    ticket = Ticket.objects.select_related("team__lead", "organization", "requester").get(
        pk=event.ticket_id
    )
    people = distinct_people([team_lead(ticket)])
    escalation = Escalation.objects.create(
        ticket=ticket, trigger=EscalationTrigger.MANUAL, level=1,
        reason=event.note or "Escalated by hand", priority=ticket.priority,
        de_escalate_on=[DeEscalateWhen.RESOLVED], created_by_id=event.actor_id,
        created_at=event.created_at, notified=described(people),
    )
    notify(recipients=people, kind="escalation", ticket=ticket,
           subject=f"{ticket.reference} escalated by hand: {ticket.subject}",
           body=escalation_line(ticket=ticket, headline="ESCALATION")
           + f"\nWhy: {escalation.reason}",
           dedupe_key=f"escalation:{escalation.pk}")
    return escalation


@transaction.atomic
def acknowledge_escalation(*, escalation: Escalation, actor: AbstractBaseUser) -> Escalation:
    """Mark that someone took the escalation on; acknowledging twice changes nothing."""
    lock_ticket(escalation.ticket)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.acknowledged_at is not None or escalation.de_escalated_at is not None:
        return escalation
    escalation.acknowledged_at, escalation.acknowledged_by = timezone.now(), actor
    escalation.save(update_fields=["acknowledged_at", "acknowledged_by"])
    record_event(ticket=escalation.ticket, kind=EventKind.ESCALATION_ACKNOWLEDGED, actor=actor,
                 after={"escalation": escalation.pk})
    return escalation


@transaction.atomic
def de_escalate(*, escalation: Escalation, actor: AbstractBaseUser | None, reason: str,
                trigger: str = DeEscalateWhen.MANUAL) -> Escalation:
    """End the escalation: its policy may fire again on the ticket afterwards."""
    ticket = lock_ticket(escalation.ticket)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.de_escalated_at is not None:
        return escalation
    _end([escalation], ticket=ticket, actor=actor, reason=reason, trigger=trigger,
         now=timezone.now())
    return escalation


def de_escalate_on(*, ticket: Ticket, trigger: str, now: datetime, reason: str,
                   only: Any = None) -> set[int]:
    """
    End the ticket's open escalations that end on `trigger` (a handler, under the ticket's
    lock); `only` narrows them further. Return the policies de-escalated.
    """
    if ticket.escalated_at is None:
        return set()  # nothing open: every open escalation sets escalated_at
    open_rows = list(Escalation.objects.select_for_update().filter(
        ticket=ticket, de_escalated_at__isnull=True, de_escalate_on__contains=[trigger]
    ))
    ending = [row for row in open_rows if only is None or only(row)]
    if ending:
        _end(ending, ticket=ticket, actor=None, reason=reason, trigger=trigger, now=now)
    return {row.policy_id for row in ending if row.policy_id is not None}


def _end(rows: list[Escalation], *, ticket: Ticket, actor: AbstractBaseUser | None,
         reason: str, trigger: str, now: datetime) -> None:
    for row in rows:
        row.de_escalated_at, row.de_escalation_reason = now, reason
        row.de_escalated_by = actor if actor is not None and actor.is_authenticated else None
    Escalation.objects.bulk_update(rows, ["de_escalated_at", "de_escalation_reason",
                                          "de_escalated_by"])
    for row in rows:
        record_event(ticket=ticket, kind=EventKind.DE_ESCALATED, actor=actor,
                     reason_code=trigger, note=reason,
                     before={"escalation": row.pk, "level": row.level},
                     after={"de_escalated_at": now, "policy_id": row.policy_id})
    still_open = Escalation.objects.filter(ticket=ticket, de_escalated_at__isnull=True).exists()
    if not still_open:
        # The Escalated queue lists escalated_at: a ticket with nothing open leaves it.
        Ticket.objects.filter(pk=ticket.pk).update(escalated_at=None)
        ticket.escalated_at = None
