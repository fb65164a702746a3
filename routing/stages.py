"""The intake stage that routes every new ticket (listed in HELPDESK_INTAKE_PIPELINE)."""

from tickets.models import Ticket
from tickets.pipeline import IntakeContext


def route(ticket: Ticket, ctx: IntakeContext) -> None:
    """Give the new ticket its owner and file the decision for the API response."""
    from routing.services.routing import route_ticket

    decision = route_ticket(ticket=ticket, actor=None)
    ctx.decisions["routing"] = decision.as_api()
