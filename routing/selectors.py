"""Reads that routing needs fast: team rosters, agents' presence and loads, on-call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet

from routing.choices import HandoffState
from routing.models import (
    AgentLoad,
    AgentProfile,
    AgentSkill,
    Follower,
    Handoff,
    OnCallShift,
    SnapshotToken,
)
from routing.models.loads import LOAD_COLUMNS
from tickets.choices import UNSOLVED, TicketStatus
from tickets.models import Ticket
from tickets.prepared import execute_prepared

User = get_user_model()


@dataclass(frozen=True, slots=True)
class AgentRow:
    """
    What routing keeps in memory about a team member: the parts an admin edits (skills,
    hours, capacity), never presence or load, which change all day and are read per decision.
    """

    user_id: int
    name: str
    pk: int | None  # of the AgentProfile; None when the member has no routing profile
    capacity: int = 0
    time_zone: str = "UTC"
    working_hours: dict[str, Any] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    spoken: frozenset[str] = frozenset()  # primary codes of `languages`: en for en-GB
    priority_weights: dict[str, int] = field(default_factory=dict)
    skills: dict[int, int] = field(default_factory=dict)
    may_work: bool = True  # holds the work permission (an agent role), so may own tickets

    def weight(self, priority: str) -> int:
        return int(self.priority_weights.get(priority, 1))


# What changes all day about an agent, by profile id: presence, when their last routed
# ticket came (milliseconds since the epoch; 0 for never) and the weighted load that counts
# against capacity. Plain tuples of plain numbers: a decision reads a whole team's.
AgentState = tuple[str, int, int]
# The same with the profile id first and the snapshot's token last, as the query returns it.
AgentStateRow = tuple[int, str, int, int, int]


_ROW_FIELDS: Final = {
    "pk": "agent_profile__id", "capacity": "agent_profile__capacity",
    "time_zone": "agent_profile__time_zone", "working_hours": "agent_profile__working_hours",
    "languages": "agent_profile__languages",
    "priority_weights": "agent_profile__priority_weights",
}


def primary_language(code: str) -> str:
    return code.split("-")[0].split("_")[0].strip().lower()


WORK_PERMISSION: Final = "tickets.work_ticket"


def _name(values: dict[str, Any]) -> str:
    return f"{values['first_name']} {values['last_name']}".strip() or values["username"]


def _row(values: dict[str, Any], workers: set[int]) -> AgentRow:
    name = _name(values)
    if values["agent_profile__id"] is None:
        return AgentRow(user_id=values["id"], name=name, pk=None)
    row = {attr: values[column] for attr, column in _ROW_FIELDS.items()}
    row["languages"] = tuple(row["languages"] or ())
    row["spoken"] = frozenset(primary_language(code) for code in row["languages"])
    return AgentRow(
        user_id=values["id"], name=name, **row, may_work=values["id"] in workers,
        skills=dict(zip(values["skill_ids"], values["skill_levels"], strict=True)),
    )


def team_rosters() -> dict[int, tuple[AgentRow, ...]]:
    """
    Return every team's active members with their routing profile, skill levels and whether
    they may own tickets, in two queries, as plain rows: routing keeps them in memory
    (routing.snapshot) until an admin changes a member, a profile, a skill or a permission.
    """
    # Django's own rule (superusers, groups, direct permissions), asked once per snapshot:
    # assignment then need not ask it again per decision.
    workers = set(User.objects.with_perm(WORK_PERMISSION).values_list("pk", flat=True))
    # Two integer arrays in the same order decode far faster than an array of JSON objects.
    skills = AgentSkill.objects.filter(profile_id=OuterRef("agent_profile__id"))
    skills = skills.order_by("skill_id")
    rows = (
        User.objects.filter(is_active=True, teams__isnull=False)
        .annotate(skill_ids=ArraySubquery(skills.values("skill_id")),
                  skill_levels=ArraySubquery(skills.values("level")))
        .order_by("teams", "pk")
        .values("teams", "id", "username", "first_name", "last_name", "skill_ids",
                "skill_levels", *_ROW_FIELDS.values())
    )
    rosters: dict[int, list[AgentRow]] = defaultdict(list)
    for values in rows:
        rosters[values["teams"]].append(_row(values, workers))
    return {team_id: tuple(members) for team_id, members in rosters.items()}


def agent_names(user_ids: Iterable[int]) -> dict[int, str]:
    """Return the names routing shows for these users, by id, in one query."""
    rows = User.objects.filter(pk__in=list(user_ids)).values("id", "username", "first_name",
                                                             "last_name")
    return {values["id"]: _name(values) for values in rows}


def weighted_load_sql(profile: str, load: str) -> str:
    """
    Return the SQL of an agent's weighted load from their counters (AgentLoad) and the
    priority weights of their profile, for the given table aliases: no row means no tickets.
    """
    return " + ".join(
        f"coalesce({load}.{column}, 0) * coalesce(({profile}.priority_weights ->> '{priority}')"
        "::integer, 1)"
        for priority, column in LOAD_COLUMNS.items()
    )


# Presence and loads of the whole team in one statement, by primary key: the cost grows with
# the team, never with the ticket table. The last routed time comes as whole milliseconds
# since the epoch (0: never), the cheapest value to write out and to read back: parsing two
# hundred timestamps into datetimes cost more than the query. Plain SQL with an array
# parameter: the ORM would compile a few hundred IN parameters per decision. Each row also
# carries the token of routing's snapshot (0: no row), read once by the statement: the
# decision checks its rules with it instead of asking for it in a round trip of its own.
_STATES_SQL: Final = """
    SELECT p.id, p.presence,
           coalesce((date_part('epoch', p.last_assigned_at) * 1000)::bigint, 0), {load},
           coalesce((SELECT token FROM {tokens} WHERE id = 1), 0)
      FROM {profiles} p LEFT JOIN {loads} l ON l.user_id = p.user_id
     WHERE p.id = ANY(%s::integer[])
"""


def int_array(values: list[int]) -> str:
    """
    Return a Postgres array literal of whole numbers: psycopg2 adapts a Python list item by
    item, which costs more than the query itself for a team of a few hundred.
    """
    return "{" + ",".join(map(str, values)) + "}"


@cache
def _states_sql() -> str:
    return _STATES_SQL.format(load=weighted_load_sql("p", "l"),
                              profiles=AgentProfile._meta.db_table,
                              loads=AgentLoad._meta.db_table,
                              tokens=SnapshotToken._meta.db_table)


def agent_state_rows(*, profile_ids: list[int] | str) -> list[AgentStateRow]:
    """
    Return (profile id, presence, last routed time, weighted load, snapshot token) rows, in
    one query.
    `profile_ids` is a list, or its int_array literal (a team's fit keeps one ready).
    """
    if not profile_ids or profile_ids == "{}":
        return []
    literal = profile_ids if isinstance(profile_ids, str) else int_array(profile_ids)
    with connection.cursor() as cursor:
        execute_prepared(cursor, _states_sql(), [literal])
        return cursor.fetchall()  # type: ignore[no-any-return]


def agent_states(*, profile_ids: list[int]) -> dict[int, AgentState]:
    """Return presence, last routed time and weighted load by profile id, in one query."""
    return {pk: (presence, last, load)
            for pk, presence, last, load, _token in agent_state_rows(profile_ids=profile_ids)}


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


def followers_of(ticket: Ticket) -> QuerySet[Any]:
    """Return the active users who follow the ticket (notifications tell them of updates)."""
    return User.objects.filter(followed_tickets__ticket=ticket, is_active=True).order_by("pk")


def is_following(*, ticket: Ticket, user: Any) -> bool:
    return Follower.objects.filter(ticket=ticket, user=user).exists()


def user_team_ids(user: Any) -> QuerySet[Any]:
    """Return the ids of the teams the user belongs to or leads."""
    from tickets.models import Team

    return Team.objects.filter(Q(members=user) | Q(lead=user)).values("pk").distinct()


def handed_and_followed_ticket_ids(*, user: Any, team_ids: list[int]) -> QuerySet[Any]:
    """
    Return the ids of the tickets waiting for one of the user's teams to accept them (so the
    team can read before it decides) and of the tickets the user follows (so the owner who
    handed one over can open what they are told about) until they are closed.
    """
    waiting = Handoff.objects.filter(state=HandoffState.PENDING, to_team__in=team_ids)
    # Every transfer adds a follow that nobody removes: without the closed ones the list
    # would grow by each ticket an agent ever handed over, and ride along every query.
    followed = Follower.objects.filter(user=user).exclude(ticket__status=TicketStatus.CLOSED)
    return waiting.values_list("ticket_id", flat=True).union(
        followed.values_list("ticket_id", flat=True)
    )


def decidable_handoffs(*, user: Any) -> QuerySet[Handoff]:
    """Return the pending transfers to the user's teams, oldest first: theirs to decide."""
    return (
        Handoff.objects.filter(state=HandoffState.PENDING, to_team__in=user_team_ids(user))
        .select_related("ticket", "from_team", "to_team", "requested_by", "from_agent")
        .order_by("created_at", "pk")
    )


def reachable_handoffs(*, user: Any, tickets: QuerySet[Ticket]) -> QuerySet[Handoff]:
    """
    Return the transfers the user may see: sent to one of their teams, or about one of
    `tickets` (what visible_tickets lets them see). Others do not exist for them (404).
    """
    return Handoff.objects.filter(
        Q(to_team__in=user_team_ids(user)) | Q(ticket__in=tickets.values("pk"))
    ).select_related("from_team", "to_team", "from_agent", "requested_by", "decided_by")


def pending_handoff(*, ticket: Ticket) -> Handoff | None:
    """Return the ticket's transfer waiting for acceptance, if any (at most one)."""
    return (
        Handoff.objects.filter(ticket=ticket, state=HandoffState.PENDING)
        .select_related("to_team", "from_team", "requested_by")
        .first()
    )


def may_decide(*, handoff: Handoff, user: Any) -> bool:
    """Return whether the user may accept or reject the transfer: a member or the lead."""
    team = handoff.to_team
    return team.lead_id == user.pk or team.members.filter(pk=user.pk).exists()
