from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tickets.choices import EventKind, TicketStatus
from tickets.events import record_event
from tickets.exceptions import DomainError
from tickets.models import Team, Ticket
from tickets.services.lifecycle import lock_ticket

UNCHANGED = object()


class InvalidAssignment(DomainError):
    code = "invalid_assignment"
    status_code = 400


@transaction.atomic
def assign_ticket(
    *,
    ticket: Ticket,
    agent: AbstractBaseUser | object | None = UNCHANGED,
    team: Team | object | None = UNCHANGED,
    reason_code: str,
    actor: AbstractBaseUser | None,
    note: str = "",
    owner_checked: bool = False,
) -> Ticket:
    """
    Give the ticket a new owner (agent, team or both) and record who did it and why.

    `owner_checked`: the caller has proved, in this transaction, that the agent is active,
    may work tickets and belongs to the team (routing does, under its lock on the agent).
    """
    ticket = lock_ticket(ticket)
    before = {"assignee": ticket.assignee_id, "team": ticket.team_id}
    new_team = ticket.team if team is UNCHANGED else team
    new_agent = ticket.assignee if agent is UNCHANGED else agent
    moving_team_only = team is not UNCHANGED and agent is UNCHANGED
    if moving_team_only and new_agent is not None and not _is_member(new_agent, new_team):
        new_agent = None  # moving to another team drops an owner who is not in it
    if not owner_checked:
        _check_membership(new_agent, new_team)
    after = {"assignee": getattr(new_agent, "pk", None), "team": getattr(new_team, "pk", None)}
    if after == before:
        return ticket
    fields = ["assignee", "team", "updated_at"]
    # Handing a ticket from one agent to another is a reassignment; unassigning is not.
    if before["assignee"] is not None and after["assignee"] not in (None, before["assignee"]):
        ticket.reassignments += 1
        fields.append("reassignments")
    ticket.assignee, ticket.team = new_agent, new_team
    if ticket.status == TicketStatus.NEW and new_agent is not None:
        ticket.status, ticket.status_changed_at = TicketStatus.OPEN, timezone.now()
        fields += ["status", "status_changed_at"]
    ticket.save(update_fields=fields)
    record_event(
        ticket=ticket,
        kind=EventKind.ASSIGNED,
        actor=actor,
        before=before,
        after=after,
        reason_code=reason_code,
        note=note,
    )
    return ticket


def _is_member(agent: AbstractBaseUser, team: Team | None) -> bool:
    return team is None or team.members.filter(pk=agent.pk).exists()


def _check_membership(agent: AbstractBaseUser | None, team: Team | None) -> None:
    if agent is None:
        return
    if not agent.is_active:
        raise InvalidAssignment("The agent's account is inactive.")
    if not agent.has_perm("tickets.work_ticket"):
        raise InvalidAssignment("Only agents can own tickets.")
    if not _is_member(agent, team):
        raise InvalidAssignment(f"The agent is not a member of {team.name}.")
