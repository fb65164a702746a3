"""What the customer does: reply (by email or the ticket page), reopen, within the window."""

from __future__ import annotations

from django.db import transaction

from followup.notifying import notify_people
from tickets.choices import TicketStatus
from tickets.models import Message, Ticket
from tickets.services.lifecycle import change_status
from tickets.services.messages import add_customer_message

REOPENED_KIND = "ticket_reopened"


def may_reopen(ticket: Ticket) -> bool:
    """Solved tickets reopen until the auto-close; after it, a reply opens a linked ticket."""
    return ticket.status == TicketStatus.SOLVED


@transaction.atomic
def reopen_by_customer(*, ticket: Ticket, reason_code: str, reason: str) -> Ticket:
    """Reopen a solved ticket for its customer (counted and recorded), telling its owner."""
    ticket = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None,
                           reason_code=reason_code, reason=reason)
    owner = ticket.assignee or (ticket.team.lead if ticket.team_id else None)
    notify_people(
        recipients=[owner] if owner else [],
        subject=f"{ticket.reference} reopened by the customer",
        body=f"The customer reopened {ticket.reference} \"{ticket.subject}\". {reason}",
        ticket=ticket, kind=REOPENED_KIND,
        dedupe_key=f"followup:reopened:{ticket.pk}:{ticket.reopens}",
    )
    return ticket


def reply_from_ticket_page(*, ticket: Ticket, body: str) -> Message:
    """Add the customer's reply from their ticket page; the reply's handlers do the rest."""
    return add_customer_message(ticket=ticket, contact=ticket.requester, body=body)
