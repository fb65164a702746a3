"""
Facts routing adds to every ticket's (registered in apps.py): how often the ticket was
transferred between teams, and whether that is more than its team allows (bouncing).

The count lives on the ticket's routing decision. A fact provider must run no query per
ticket, so the facts are given only when `routing_decision` was loaded with the ticket
(settings.HELPDESK_TICKET_PREFETCH names it; select_related works too); otherwise they are
absent, as for a ticket routing never saw, and conditions on them do not hold.
"""

from __future__ import annotations

from typing import Any, Final

from routing.choices import DEFAULT_BOUNCE_LIMIT
from tickets.models import Ticket

TRANSFERS: Final = "routing.transfers"
BOUNCED: Final = "routing.bounced"


def bounce_limit(team_id: int | None) -> int:
    """Return how many transfers the team allows before a ticket counts as bouncing."""
    from routing.snapshot import current_snapshot

    team = current_snapshot().teams.get(team_id) if team_id is not None else None
    return team.bounce_limit if team is not None else DEFAULT_BOUNCE_LIMIT


def transfer_facts(ticket: Ticket) -> dict[str, Any]:
    """Return routing.transfers and routing.bounced when the ticket's decision is loaded."""
    if ticket.pk is None:
        return {TRANSFERS: 0, BOUNCED: False}
    if not Ticket.routing_decision.is_cached(ticket):  # type: ignore[attr-defined]
        return {}
    decision = getattr(ticket, "routing_decision", None)
    transfers = decision.transfers if decision is not None else 0
    return {TRANSFERS: transfers, BOUNCED: transfers > bounce_limit(ticket.team_id)}
