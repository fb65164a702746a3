"""Lifecycle event handlers of follow-up, listed in settings.HELPDESK_EVENT_HANDLERS."""

from __future__ import annotations

from django.utils import timezone

from followup.choices import CHASE_STEPS, StepReason, Trigger
from followup.services.customer import reopen_by_customer
from followup.services.scheduling import (
    cancel_outdated_steps,
    cancel_pending_steps,
    schedule_chase,
    with_fact_relations,
)
from followup.services.solving import create_checkin, schedule_survey, send_resolution_summary
from tickets.choices import TicketStatus
from tickets.models import TicketEvent
from tickets.services.lifecycle import change_status


def on_status_changed(event: TicketEvent) -> None:
    """Drop what the old status scheduled; schedule what the new one asks for; on solve, close
    the loop: summary email, survey and check-in."""
    ticket = with_fact_relations(event.ticket)
    cancel_outdated_steps(ticket=ticket)
    if ticket.status in Trigger.values:
        schedule_chase(ticket=ticket, clock_start=ticket.status_changed_at or event.created_at)
    if ticket.status == TicketStatus.SOLVED:
        send_resolution_summary(ticket=ticket, actor=event.actor)
        now = timezone.now()
        schedule_survey(ticket=ticket, now=now)
        create_checkin(ticket=ticket, now=now)


def on_reopened(event: TicketEvent) -> None:
    """A reopened ticket is no longer solved: its auto-close and survey are off."""
    cancel_outdated_steps(ticket=with_fact_relations(event.ticket))


def on_customer_replied(event: TicketEvent) -> None:
    """
    A customer's answer ends the wait: a solved ticket reopens (within the window, that is
    before it closes), a pending one opens, and a clarification's reminders start again.
    """
    ticket = with_fact_relations(event.ticket)
    if ticket.status == TicketStatus.SOLVED:
        reopen_by_customer(ticket=ticket, reason_code="customer_replied",
                           reason="The customer replied to the solved ticket.")
    elif ticket.status == TicketStatus.PENDING:
        change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None,
                      reason_code="customer_replied", reason="The customer replied.")
    else:
        cancel_pending_steps(ticket=ticket, reason=StepReason.CUSTOMER_REPLIED,
                             steps=CHASE_STEPS)
        # Still waiting for more details (triage asked again): the reminder clock restarts.
        if ticket.status == TicketStatus.AWAITING_INFO:
            schedule_chase(ticket=ticket, clock_start=event.created_at)
