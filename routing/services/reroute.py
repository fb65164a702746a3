"""Send an agent's unanswered tickets back to routing when the agent goes away or leaves a team."""

from __future__ import annotations

from functools import partial
from typing import Final

from django.db import transaction
from django.db.models import Exists, OuterRef

from routing.choices import Presence, ReasonCode
from routing.models import AgentProfile
from routing.selectors import unanswered_tickets
from routing.services.routing import route_ticket
from tickets.choices import UNSOLVED
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Team, Ticket

REROUTE_BATCH: Final = 100  # tickets per task run; the task re-enqueues itself while full


def enqueue_reroute(*, agent_id: int, reason_code: str, team_id: int | None = None) -> None:
    """Re-route the agent's unanswered tickets in a worker, once this transaction commits."""
    from routing.tasks import reroute_agent_tickets as reroute_agent_tickets_task

    transaction.on_commit(partial(reroute_agent_tickets_task.delay, agent_id, reason_code, team_id))


def _still_due(ticket: Ticket, agent_id: int, reason_code: str, team_id: int | None) -> bool:
    # The task may run late or twice: act only if the reason still holds.
    if reason_code == ReasonCode.LEFT_TEAM:
        return not Team.members.through.objects.filter(
            team_id=team_id, user_id=agent_id
        ).exists()
    presence = (
        AgentProfile.objects.filter(user_id=agent_id).values_list("presence", flat=True).first()
    )
    return presence != Presence.AVAILABLE


@transaction.atomic
def _reroute_one(*, ticket_id: int, agent_id: int, reason_code: str, team_id: int | None) -> bool:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related(*FACT_RELATIONS)
        .filter(pk=ticket_id, assignee_id=agent_id, status__in=UNSOLVED,
                first_response_at__isnull=True)
        .first()
    )
    if ticket is None or not _still_due(ticket, agent_id, reason_code, team_id):
        return False
    route_ticket(ticket=ticket, reason_code_override=reason_code,
                 excluded=frozenset({agent_id}))
    return True


def reroute_unanswered_tickets(
    *, agent_id: int, reason_code: str, team_id: int | None = None
) -> int:
    """
    Route again each unsolved ticket of the agent that nobody answered yet (of one team if
    given), each in its own transaction; return how many were examined. Idempotent.
    """
    ids = list(
        unanswered_tickets(agent_id=agent_id, team_id=team_id)
        .values_list("pk", flat=True)[:REROUTE_BATCH]
    )
    for ticket_id in ids:
        _reroute_one(ticket_id=ticket_id, agent_id=agent_id, reason_code=reason_code,
                     team_id=team_id)
    return len(ids)


@transaction.atomic
def remove_team_member(*, team: Team, agent: object, actor: object | None) -> None:
    """Take the agent out of the team; their unanswered tickets of that team are re-routed."""
    team.members.remove(agent)
    enqueue_reroute(agent_id=agent.pk, reason_code=ReasonCode.LEFT_TEAM, team_id=team.pk)


def orphaned_assignments(*, limit: int) -> list[tuple[int, int]]:
    """
    Return (agent, team) pairs with unanswered tickets of a team the agent is no longer in.

    Membership may change anywhere (the spine's admin edits it directly), so a sweep finds
    what remove_team_member did not see.
    """
    member = Team.members.through.objects.filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("assignee_id")
    )
    return list(
        Ticket.objects.filter(assignee__isnull=False, team__isnull=False, status__in=UNSOLVED,
                              first_response_at__isnull=True)
        .filter(~Exists(member))
        .values_list("assignee_id", "team_id")
        .distinct()
        .order_by("assignee_id", "team_id")[:limit]
    )
