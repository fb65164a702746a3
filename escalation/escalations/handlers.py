"""
Lifecycle handlers of escalation policies, listed in settings.HELPDESK_EVENT_HANDLERS. They
run in the service's transaction with the ticket locked: end the escalations the event ends,
keep the ticket's signals current, then fire the policies that now hold.
"""

from __future__ import annotations

from django.utils import timezone

from escalation.escalations.choices import DeEscalateWhen, EscalationTrigger
from escalation.escalations.services.firing import evaluate_ticket
from escalation.escalations.services.records import de_escalate_on, record_manual
from escalation.escalations.services.signals import note_customer_message, note_reopened
from tickets.choices import TicketStatus
from tickets.models import Message, TicketEvent
from triage.models import MessageSentiment

RESOLVED_STATUSES = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})


def on_ticket_changed(event: TicketEvent) -> None:
    """Fields, owner, transfers, SLA breaches: the facts changed, so policies may now hold."""
    evaluate_ticket(ticket=event.ticket, now=timezone.now())


def on_customer_replied(event: TicketEvent) -> None:
    """The customer's words, sentiment and any request for a human become the latest."""
    message = Message.objects.filter(pk=event.after.get("message")).first()
    if message is not None:
        score = (MessageSentiment.objects.filter(message=message)
                 .values_list("score", flat=True).first())
        note_customer_message(ticket=event.ticket, message=message, score=score)
    evaluate_ticket(ticket=event.ticket, now=timezone.now())


def on_agent_replied(event: TicketEvent) -> None:
    """A public reply is the update that ends escalations waiting for one."""
    ended = de_escalate_on(ticket=event.ticket, trigger=DeEscalateWhen.UPDATE_SENT,
                           now=timezone.now(), reason="The customer got a reply.")
    evaluate_ticket(ticket=event.ticket, now=timezone.now(), skip=frozenset(ended))


def on_status_changed(event: TicketEvent) -> None:
    if event.ticket.status in RESOLVED_STATUSES:
        de_escalate_on(ticket=event.ticket, trigger=DeEscalateWhen.RESOLVED,
                       now=timezone.now(), reason=f"Ticket {event.ticket.status}.")
        return
    evaluate_ticket(ticket=event.ticket, now=timezone.now())


def on_reopened(event: TicketEvent) -> None:
    note_reopened(ticket=event.ticket, at=event.created_at)
    evaluate_ticket(ticket=event.ticket, now=timezone.now())


def on_priority_changed(event: TicketEvent) -> None:
    """Lowered below what an escalation stands for (P1 < P4): that escalation ends."""
    new = event.after.get("priority") or event.ticket.priority
    ended = de_escalate_on(
        ticket=event.ticket, trigger=DeEscalateWhen.PRIORITY_LOWERED, now=timezone.now(),
        reason=f"Priority lowered to {new}.", only=lambda row: new > row.priority,
    )
    evaluate_ticket(ticket=event.ticket, now=timezone.now(), skip=frozenset(ended))


def on_escalated(event: TicketEvent) -> None:
    """An agent escalated by hand (tickets.services.lifecycle.escalate_ticket): record it."""
    if event.reason_code == EscalationTrigger.POLICY:
        return  # written by a policy's fire, which has its own record
    record_manual(event=event)
