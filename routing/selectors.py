"""Reads that routing needs fast: team members with their profiles and skills, loads, on-call."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, OuterRef, QuerySet

from routing.models import AgentProfile, AgentSkill, Handoff, OnCallShift
from tickets.choices import UNSOLVED
from tickets.models import Ticket

User = get_user_model()


@dataclass(frozen=True, slots=True)
class AgentRow:
    """What routing reads about a team member; plain values, cheaper than model instances."""

    user_id: int
    name: str
    pk: int | None  # of the AgentProfile; None when the member has no routing profile
    presence: str = ""
    capacity: int = 0
    time_zone: str = "UTC"
    working_hours: dict[str, Any] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    priority_weights: dict[str, int] = field(default_factory=dict)
    last_assigned_at: datetime | None = None
    skills: dict[int, int] = field(default_factory=dict)

    def weight(self, priority: str) -> int:
        return int(self.priority_weights.get(priority, 1))


_ROW_FIELDS: Final = {
    "pk": "agent_profile__id", "presence": "agent_profile__presence",
    "capacity": "agent_profile__capacity", "time_zone": "agent_profile__time_zone",
    "working_hours": "agent_profile__working_hours", "languages": "agent_profile__languages",
    "priority_weights": "agent_profile__priority_weights",
    "last_assigned_at": "agent_profile__last_assigned_at",
}


def _row(values: dict[str, Any]) -> AgentRow:
    name = f"{values['first_name']} {values['last_name']}".strip() or values["username"]
    if values["agent_profile__id"] is None:
        return AgentRow(user_id=values["id"], name=name, pk=None)
    return AgentRow(
        user_id=values["id"], name=name,
        **{attr: values[column] for attr, column in _ROW_FIELDS.items()},
        skills=dict(zip(values["skill_ids"], values["skill_levels"], strict=True)),
    )


def team_agents(*, team_id: int) -> list[AgentRow]:
    """
    Return the team's active members with their routing profile and skill levels, in one
    query, as plain rows: at a few hundred agents, model instances would cost more than SQL.
    """
    # Two integer arrays in the same order decode far faster than an array of JSON objects.
    skills = AgentSkill.objects.filter(profile_id=OuterRef("agent_profile__id"))
    skills = skills.order_by("skill_id")
    rows = (
        User.objects.filter(teams=team_id, is_active=True)
        .annotate(skill_ids=ArraySubquery(skills.values("skill_id")),
                  skill_levels=ArraySubquery(skills.values("level")))
        .order_by("pk")
        .values("id", "username", "first_name", "last_name", "skill_ids", "skill_levels",
                *_ROW_FIELDS.values())
    )
    return [_row(values) for values in rows]


def agent_loads(*, agent_ids: list[int]) -> dict[int, dict[str, int]]:
    """Return each agent's open assigned tickets counted by priority, in one query."""
    loads: dict[int, dict[str, int]] = defaultdict(dict)
    if not agent_ids:
        return loads
    rows = (
        Ticket.objects.filter(assignee_id__in=agent_ids, status__in=UNSOLVED)
        .values_list("assignee_id", "priority")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for agent_id, priority, count in rows:
        loads[agent_id][priority] = count
    return loads


def weighted_load(profile: AgentProfile | AgentRow, counts: dict[str, int]) -> int:
    """Return the load that counts against the agent's capacity."""
    return sum(profile.weight(priority) * count for priority, count in counts.items())


def on_call_agent(*, team_id: int, at: datetime) -> Any | None:
    """
    Return who is on call for the team at `at`: an override wins over the rotation. Only
    active members count, since only they may own the team's tickets.
    """
    shift = (
        OnCallShift.objects.filter(team_id=team_id, starts_at__lte=at, ends_at__gt=at,
                                   agent__teams=team_id, agent__is_active=True)
        .select_related("agent")
        .order_by("-is_override", "-starts_at")
        .first()
    )
    return shift.agent if shift is not None else None


def unanswered_tickets(*, agent_id: int, team_id: int | None = None) -> QuerySet[Ticket]:
    """Return the agent's unsolved tickets that nobody has answered publicly yet."""
    tickets = Ticket.objects.filter(
        assignee_id=agent_id, status__in=UNSOLVED, first_response_at__isnull=True
    )
    if team_id is not None:
        tickets = tickets.filter(team_id=team_id)
    return tickets.order_by("created_at", "pk")


def handoff_count(*, ticket_id: int) -> int:
    """Return how many times the ticket was transferred between teams."""
    return Handoff.objects.filter(ticket_id=ticket_id).exclude(state="rejected").count()
