"""Who an escalation tells: the policy's roles, resolved for one ticket, nobody twice."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from escalation.escalations.policies import PolicySpec
from routing.selectors import on_call_agent
from tickets.choices import Role
from tickets.models import Ticket


def _managers() -> list[Any]:
    return list(get_user_model().objects.filter(groups__name=Role.MANAGER, is_active=True))


def team_lead(ticket: Ticket) -> Any | None:
    return ticket.team.lead if ticket.team_id and ticket.team.lead_id else None


def policy_recipients(*, ticket: Ticket, policy: PolicySpec) -> list[Any]:
    """Return the people the policy names for this ticket, in a stable order."""
    chosen: list[Any] = []
    if policy.notify_assignee:
        chosen.append(ticket.assignee)
    if policy.notify_team_lead:
        chosen.append(team_lead(ticket))
    if policy.notify_on_call and ticket.team_id:
        chosen.append(on_call_agent(team_id=ticket.team_id, at=timezone.now()))
    if policy.notify_managers:
        chosen.extend(_managers())
    if policy.notify_user_ids:
        chosen.extend(get_user_model().objects.filter(pk__in=policy.notify_user_ids)
                      .order_by("pk"))
    return distinct_people(chosen)


def distinct_people(people: list[Any]) -> list[Any]:
    found: dict[int, Any] = {}
    for person in people:
        if person is not None and person.is_active:
            found.setdefault(person.pk, person)
    return list(found.values())


def described(people: list[Any]) -> list[dict[str, Any]]:
    """Return who was told as the Escalation row keeps it."""
    return [{"id": p.pk, "name": p.get_full_name() or p.get_username()} for p in people]
