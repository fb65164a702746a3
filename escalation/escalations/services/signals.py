"""Keep each ticket's TicketSignals row current; callers hold the ticket's lock."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from escalation.escalations.facts import WORDS_LIMIT, asks_for_human
from escalation.escalations.models import TicketSignals
from tickets.models import Message, Ticket


def _row(ticket: Ticket) -> TicketSignals:
    # A ticket's first row starts from its first message, the description triage scored.
    row, _ = TicketSignals.objects.select_for_update().get_or_create(
        ticket_id=ticket.pk, defaults={
            "last_customer_words": ticket.description[:WORDS_LIMIT],
            "human_requested": asks_for_human(f"{ticket.subject}\n{ticket.description}"),
            "sentiment_latest": ticket.sentiment,
        },
    )
    return row


def note_customer_message(*, ticket: Ticket, message: Message,
                          score: float | None) -> TicketSignals:
    """A customer wrote again: their words and sentiment become the latest."""
    row = _row(ticket)
    row.last_customer_words = message.body[:WORDS_LIMIT]
    row.human_requested = asks_for_human(message.body)
    if score is not None:
        row.sentiment_previous, row.sentiment_latest = row.sentiment_latest, score
    row.updated_at = timezone.now()
    row.save()
    return row


def note_reopened(*, ticket: Ticket, at: datetime) -> TicketSignals:
    row = _row(ticket)
    row.reopened_at = row.updated_at = at
    row.save(update_fields=["reopened_at", "updated_at"])
    return row
