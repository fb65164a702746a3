"""Who follows a ticket: told about its updates by the notifications of escalation."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from routing.models import Follower
from tickets.models import Ticket


@transaction.atomic
def follow_ticket(*, ticket: Ticket, user: Any, reason: str = "followed") -> Follower:
    """Make the user a follower of the ticket; following twice changes nothing."""
    follower, _ = Follower.objects.get_or_create(ticket=ticket, user=user,
                                                 defaults={"reason": reason})
    return follower


@transaction.atomic
def unfollow_ticket(*, ticket: Ticket, user: Any) -> bool:
    """Stop the user following the ticket; return whether they followed it."""
    deleted, _ = Follower.objects.filter(ticket=ticket, user=user).delete()
    return bool(deleted)
