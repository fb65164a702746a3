"""Follow-up's facts for rules: the customer's satisfaction rating of the ticket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tickets.models import Ticket

_ABSENT = object()


def satisfaction_facts(ticket: Ticket) -> Mapping[str, Any]:
    """
    Return {"csat.rating": 1-5 or None}. Lists that build facts for many tickets prefetch
    "satisfaction" so this runs no query; a single solved ticket costs one.
    """
    from followup.models import SatisfactionRating

    # Ratings come from surveys of solved tickets: a ticket never solved (every new one at
    # intake) has none, and costs no query.
    if ticket.pk is None or (ticket.solved_at is None and not ticket.reopens):
        return {"csat.rating": None}
    cached = ticket._state.fields_cache.get("satisfaction", _ABSENT)
    if cached is not _ABSENT:
        return {"csat.rating": cached.score if cached is not None else None}
    score = (SatisfactionRating.objects.filter(ticket_id=ticket.pk)
             .values_list("score", flat=True).first())
    return {"csat.rating": score}
