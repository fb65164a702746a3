from typing import Any

from tickets.services.intake import NewTicket, create_ticket


def intake(subject: str, description: str, **fields: Any):
    """Create a ticket through the intake service, as the API does; return (ticket, triage)."""
    request = NewTicket(subject=subject, description=description,
                        requester_email=fields.pop("email", "ana@acme.example"), **fields)
    ticket, ctx = create_ticket(request=request)
    return ticket, ctx.decisions["triage"]
