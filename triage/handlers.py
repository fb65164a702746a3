"""Lifecycle event handlers, listed in settings.HELPDESK_EVENT_HANDLERS."""

from __future__ import annotations

from tickets.choices import TicketStatus
from tickets.models import Message, TicketEvent
from triage.services import record_overrides, rerun_triage, score_customer_message


def on_customer_replied(event: TicketEvent) -> None:
    """Score the reply; if the ticket was waiting for information, triage it again."""
    message = Message.objects.filter(pk=event.after.get("message")).first()
    if message is None:
        return
    score_customer_message(message=message)
    if event.ticket.status != TicketStatus.AWAITING_INFO:
        return
    replies = (
        Message.objects.filter(ticket_id=event.ticket_id, author_contact__isnull=False)
        .order_by("pk").values_list("body", flat=True)[1:]
    )
    rerun_triage(ticket=event.ticket, trigger="customer_replied", extra_text="\n\n".join(replies))


def on_fields_changed(event: TicketEvent) -> None:
    """Record an agent's change of category, severity or priority as an override."""
    # actor None is the system itself (triage re-runs, automations): not a correction.
    if event.actor_id is None:
        return
    record_overrides(ticket=event.ticket, before=event.before, after=event.after,
                     actor=event.actor)
