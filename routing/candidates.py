"""
Which agents may take a ticket, why the others may not, and in what order to try them.

A team's members are considered as columns (`Pool`): a decision reads the whole team on
every intake, and a Candidate object per member cost more than the query that reads their
load. Candidate objects are made only for the members someone asks for by position: the
few tried under a lock, or everyone when a preview or a fallback reads them all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, overload

from routing.choices import Presence, Strategy
from routing.schedules import is_open
from routing.selectors import AgentRow, AgentStateRow, agent_state_rows, int_array
from routing.snapshot import SkillNeed

NO_PROFILE: Final = ("has no routing profile",)
EXCLUDED: Final = ("is the agent the ticket is being taken from",)
OUTSIDE_HOURS: Final = "is outside working hours"


@dataclass(slots=True)
class Candidate:
    """One agent considered for a ticket, with the reasons they were passed over, if any."""

    agent: AgentRow
    team_id: int
    presence: str = ""
    last_routed: int = 0  # milliseconds since the epoch; 0, never routed, sorts first
    load: int = 0
    capacity: int = 0
    weight: int = 1
    skill_score: int = 0
    skipped: list[str] = field(default_factory=list)
    user: Any = None  # the User, loaded once the agent is claimed under a lock

    @property
    def profile(self) -> AgentRow | None:
        return self.agent if self.agent.pk is not None else None

    @property
    def user_id(self) -> int:
        return self.agent.user_id

    @property
    def eligible(self) -> bool:
        return not self.skipped

    @property
    def name(self) -> str:
        return self.agent.name

    @property
    def only_full(self) -> bool:
        """Return whether capacity is the one thing that kept this agent out."""
        return len(self.skipped) == 1 and self.skipped[0].startswith("at capacity")

    def as_dict(self) -> dict[str, Any]:
        return {
            "agent": {"id": self.user_id, "name": self.name},
            "team": self.team_id,
            "eligible": self.eligible,
            "skipped": self.skipped,
            "load": self.load,
            "capacity": self.capacity,
            "skill_score": self.skill_score,
        }


@dataclass(frozen=True, slots=True)
class Need:
    """What the ticket asks of an agent."""

    skills: tuple[SkillNeed, ...]
    language: str  # primary code, en for en-GB; empty when unknown
    priority: str
    excluded: frozenset[int] = frozenset()


def _runs(values: list[int]) -> list[list[int]]:
    """Return [[value, how many in a row], ...]: a team's agents share a team and a capacity."""
    runs: list[list[int]] = []
    for value in values:
        if runs and runs[-1][0] == value:
            runs[-1][1] += 1
        else:
            runs.append([value, 1])
    return runs


def _lacks(agent: AgentRow, need: Need) -> tuple[str, ...]:
    lacks: list[str] = [] if agent.may_work else ["may not own tickets (no agent role)"]
    for skill in need.skills:
        level = agent.skills.get(skill.skill_id, 0)
        if level < skill.min_level:
            lacks.append(f"{skill.slug} level {level}, needs {skill.min_level}")
    wanted = need.language
    if wanted and agent.spoken and wanted not in agent.spoken:
        lacks.append(f"does not speak {wanted}")
    return tuple(lacks)


class TeamFit:
    """
    What the roster alone says of a team's members for one kind of ticket, as columns in
    roster order: the reasons that need no query (skills, language, role, no profile),
    weights, capacities and skill scores. Kept per snapshot: these change only with the
    rosters.
    """

    __slots__ = ("asked", "asked_ids", "capacities", "capacity_runs", "index_of", "packed",
                 "reasons", "roster", "skill_scores", "team_id", "timed", "user_ids", "weights")

    def __init__(self, team_id: int, roster: tuple[AgentRow, ...], need: Need) -> None:
        self.roster, self.team_id = roster, team_id
        reasons: list[tuple[str, ...]] = []
        for agent in roster:
            reasons.append(NO_PROFILE if agent.pk is None else _lacks(agent, need))
        self.reasons: tuple[tuple[str, ...], ...] = tuple(reasons)
        self.weights = tuple(agent.weight(need.priority) for agent in roster)
        self.capacities = tuple(agent.capacity if agent.pk is not None else 0 for agent in roster)
        self.skill_scores = tuple(
            sum(agent.skills.get(s.skill_id, 0) for s in need.skills) if agent.pk else 0
            for agent in roster
        )
        # Members asked for their presence and load: nothing else stops them.
        self.asked = tuple(i for i, why in enumerate(reasons) if not why)
        self.asked_ids = int_array([roster[i].pk for i in self.asked])  # type: ignore[misc]
        # Members whose own working hours may stop them, checked per decision.
        self.timed = tuple(i for i, agent in enumerate(roster)
                           if agent.pk is not None and agent.working_hours)
        self.index_of = {agent.pk: i for i, agent in enumerate(roster) if agent.pk is not None}
        self.user_ids = [agent.user_id for agent in roster]
        self.capacity_runs = _runs(list(self.capacities))
        # The stored columns that only the roster decides, as JSON once (see pack_candidates).
        self.packed = {"ids": _json(self.user_ids), "capacity": _json(self.capacity_runs),
                       "skill_score": _json(list(self.skill_scores)),
                       "teams": _json([[team_id, len(roster)]] if roster else [])}


# Kinds of tickets remembered per snapshot; a flood of odd language codes must not grow it.
MAX_REMEMBERED_FITS: Final = 512


def team_fit(memo: dict[Any, Any], team_id: int, roster: tuple[AgentRow, ...],
             need: Need) -> TeamFit:
    """Return the team's fit for the need, computed once per snapshot and kind of ticket."""
    key = ("fit", team_id, need.skills, need.language, need.priority)
    fit = memo.get(key)
    if fit is None:
        if len(memo) >= MAX_REMEMBERED_FITS:
            memo.clear()
        fit = memo[key] = TeamFit(team_id, roster, need)
    return fit


class Pool:
    """
    One team's members considered for one ticket, as columns in roster order: why each was
    skipped (empty: eligible), presence, last routed time and load of those asked, and the
    eligible in the strategy's order. `candidate(i)` makes a member's Candidate once; changes
    made to it (a claim that found them busy) are what the decision stores. `token` is the
    snapshot's token as the same query read it (None: nobody was asked, no query ran).
    """

    __slots__ = ("eligible", "fit", "loads", "made", "reasons", "states", "token")

    def __init__(self, fit: TeamFit, reasons: list[tuple[str, ...]],
                 states: dict[int, AgentStateRow], loads: list[int], eligible: list[int],
                 token: int | None = None) -> None:
        self.fit, self.reasons, self.states = fit, reasons, states
        self.loads, self.eligible, self.token = loads, eligible, token
        self.made: dict[int, Candidate] = {}

    def __len__(self) -> int:
        return len(self.reasons)

    @property
    def team_id(self) -> int:
        return self.fit.team_id

    def candidate(self, index: int) -> Candidate:
        made = self.made.get(index)
        if made is None:
            fit = self.fit
            _pk, presence, last_routed, _load, _token = self.states.get(index, (0, "", 0, 0, 0))
            made = self.made[index] = Candidate(
                agent=fit.roster[index], team_id=fit.team_id, presence=presence,
                last_routed=last_routed, load=self.loads[index],
                capacity=fit.capacities[index], weight=fit.weights[index],
                skill_score=fit.skill_scores[index], skipped=list(self.reasons[index]),
            )
        return made

    def current(self) -> tuple[list[tuple[str, ...]], list[int]]:
        """Return why each member was skipped and their loads, with what claims found."""
        if not self.made:
            return self.reasons, self.loads
        reasons, loads = list(self.reasons), list(self.loads)
        for index, candidate in self.made.items():
            reasons[index], loads[index] = tuple(candidate.skipped), candidate.load
        return reasons, loads

    def eligible_count(self) -> int:
        # Only a Candidate made from the columns can have been refused since (by a claim).
        refused = sum(1 for i, c in self.made.items() if c.skipped and not self.reasons[i])
        return len(self.eligible) - refused

    def ordered(self) -> Ordered:
        """The eligible members in the strategy's order, as Candidates when read."""
        return Ordered(self, self.eligible)


def _per_decision_reasons(fit: TeamFit, need: Need, now: datetime) -> list[tuple[str, ...]]:
    reasons = list(fit.reasons)
    for index in fit.timed:
        agent = fit.roster[index]
        if not is_open(agent.working_hours, agent.time_zone, now):
            reasons[index] = (OUTSIDE_HOURS, *fit.reasons[index])
    if need.excluded:
        for index, user_id in enumerate(fit.user_ids):
            if user_id in need.excluded:
                reasons[index] = EXCLUDED
    return reasons


def consider_team(
    *, team_id: int, roster: tuple[AgentRow, ...], need: Need, now: datetime, strategy: str,
    memo: dict[Any, Any] | None = None,
) -> Pool:
    """
    Return every active member of the team considered for the need: eligible, or with the
    reasons they were skipped, and the eligible in the strategy's order (`Pool.ordered`).

    The roster and what it says of each member come from memory (`memo` is the snapshot's).
    Presence, last routed times and loads come from one query, for the members who passed
    every check that needs none: a member who lacks the skill is skipped for that, whatever
    their presence.
    """
    fit = team_fit({} if memo is None else memo, team_id, roster, need)
    if fit.timed or need.excluded:
        reasons = _per_decision_reasons(fit, need, now)
        asked: Sequence[int] = [i for i in fit.asked if not reasons[i]]
        ids = int_array([roster[i].pk for i in asked])  # type: ignore[misc]
    else:
        reasons, asked, ids = list(fit.reasons), fit.asked, fit.asked_ids
    rows = agent_state_rows(profile_ids=ids)
    loads = [0] * len(roster)
    states: dict[int, AgentStateRow] = {}
    eligible: list[tuple[int, int, int]] = []
    index_of, weights, capacities = fit.index_of, fit.weights, fit.capacities
    for row in rows:
        profile_id, presence, last, load, _token = row
        index = index_of[profile_id]
        states[index] = row
        loads[index] = load
        if presence == AVAILABLE and load + weights[index] <= capacities[index]:
            eligible.append((index, last, load))
        else:
            reasons[index] = _unavailable(presence, load, capacities[index], weights[index])
    for index in asked:
        if index not in states:  # the profile was deleted since the roster was read
            reasons[index] = NO_PROFILE
    order = _ORDERS.get(strategy, _least_loaded_first)(fit, eligible)
    return Pool(fit, reasons, states, loads, order, rows[0][4] if rows else None)


AVAILABLE: Final = Presence.AVAILABLE.value  # a plain str: compared once per member per decision


def _unavailable(presence: str, load: int, capacity: int, weight: int) -> tuple[str, ...]:
    why = () if presence == AVAILABLE else (f"is {presence}",)
    return why + ((f"at capacity ({load}/{capacity})",) if load + weight > capacity else ())


# The eligible, (index, last routed, load) each, in the strategy's order. The keys are plain
# tuples built in one comprehension: they run for every eligible member on every decision.
# Members sit in the roster by user id, so the index, last, breaks ties as the user id would.
def _round_robin_first(fit: TeamFit, eligible: list[tuple[int, int, int]]) -> list[int]:
    # Whoever waited longest since their last routed ticket; never-assigned agents first.
    return [key[-1] for key in sorted([(last, index) for index, last, _ in eligible])]


def _least_loaded_first(fit: TeamFit, eligible: list[tuple[int, int, int]]) -> list[int]:
    # The share of capacity in use, so agents of unequal capacity fill up evenly; raw load
    # and waiting time break ties.
    caps = fit.capacities
    keys = [(load / caps[index] if caps[index] else 1.0, load, last, index)
            for index, last, load in eligible]
    return [key[-1] for key in sorted(keys)]


def _most_skilled_first(fit: TeamFit, eligible: list[tuple[int, int, int]]) -> list[int]:
    caps, scores = fit.capacities, fit.skill_scores
    keys = [(-scores[index], load / caps[index] if caps[index] else 1.0, load, last, index)
            for index, last, load in eligible]
    return [key[-1] for key in sorted(keys)]


_ORDERS: Final = {Strategy.ROUND_ROBIN: _round_robin_first,
                  Strategy.MOST_SKILLED: _most_skilled_first}


class Ordered(Sequence[Candidate]):
    """The eligible members of a pool in the strategy's order, made Candidates when read."""

    __slots__ = ("indices", "pool")

    def __init__(self, pool: Pool, indices: list[int]) -> None:
        self.pool, self.indices = pool, indices

    def __len__(self) -> int:
        return len(self.indices)

    @overload
    def __getitem__(self, position: int) -> Candidate: ...

    @overload
    def __getitem__(self, position: slice) -> list[Candidate]: ...

    def __getitem__(self, position: int | slice) -> Candidate | list[Candidate]:
        if isinstance(position, slice):
            return [self.pool.candidate(i) for i in self.indices[position]]
        return self.pool.candidate(self.indices[position])


class Considered(Sequence[Candidate]):
    """Every member considered for a ticket, team by team; Candidates made when read."""

    __slots__ = ("pools",)

    def __init__(self, pools: tuple[Pool, ...] = ()) -> None:
        self.pools = pools

    @property
    def token(self) -> int | None:
        """The snapshot's token as read with the first team's states; None if none was read."""
        return next((pool.token for pool in self.pools if pool.token is not None), None)

    def __len__(self) -> int:
        return sum(len(pool) for pool in self.pools)

    def __iter__(self) -> Iterator[Candidate]:
        for pool in self.pools:
            for index in range(len(pool)):
                yield pool.candidate(index)

    @overload
    def __getitem__(self, position: int) -> Candidate: ...

    @overload
    def __getitem__(self, position: slice) -> list[Candidate]: ...

    def __getitem__(self, position: int | slice) -> Candidate | list[Candidate]:
        if isinstance(position, slice):
            return list(self)[position]
        index = position + len(self) if position < 0 else position
        for pool in self.pools:  # only the one member asked for becomes a Candidate
            if 0 <= index < len(pool):
                return pool.candidate(index)
            index -= len(pool)
        raise IndexError(position)

    def eligible_count(self) -> int:
        return sum(pool.eligible_count() for pool in self.pools)


def _team_runs(pools: tuple[Pool, ...]) -> list[list[int]]:
    runs: list[list[int]] = []
    for pool in pools:
        if runs and runs[-1][0] == pool.team_id:
            runs[-1][1] += len(pool)
        elif len(pool):
            runs.append([pool.team_id, len(pool)])
    return runs


class Packed(dict[str, Any]):
    """
    The candidates as a decision stores them, with their JSON text: built from the fragments
    the team's fit keeps, a decision encodes only what it read (loads, skip reasons). Never
    changed once made, so the text stays true (RoutingDecision.considered writes it as is).
    """

    __slots__ = ("json",)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def pack_candidates(considered: Considered) -> Packed:
    """
    Return the candidates as a decision stores them (RoutingDecision.candidates reads them
    back, with the agents' names): their ids and numbers as columns in the order considered,
    teams and capacities as runs, and each distinct list of skip reasons once, with the
    agents it applies to. A team whose members mostly lack the same skill stores that
    sentence once.
    """
    pools = considered.pools
    if len(pools) == 1:
        fit = pools[0].fit
        ids, scores, capacity_runs = fit.user_ids, list(fit.skill_scores), fit.capacity_runs
        fragments: dict[str, str] | None = fit.packed
    else:
        ids = [i for pool in pools for i in pool.fit.user_ids]
        scores = [s for pool in pools for s in pool.fit.skill_scores]
        capacity_runs = _runs([c for pool in pools for c in pool.fit.capacities])
        fragments = None
    groups: dict[tuple[str, ...], list[int]] = {}
    loads: list[int] = []
    offset = 0
    for pool in pools:
        reasons, pool_loads = pool.current()
        for index, why in enumerate(reasons):
            if why:
                groups.setdefault(why, []).append(offset + index)
        loads += pool_loads
        offset += len(pool)
    packed = Packed(ids=ids, teams=_team_runs(pools), load=loads, capacity=capacity_runs,
                    skill_score=scores,
                    skipped=[[list(reasons), indices] for reasons, indices in groups.items()])
    if fragments is None:
        packed.json = _json(packed)
    else:
        packed.json = (
            f'{{"ids":{fragments["ids"]},"teams":{fragments["teams"]},'
            f'"load":{_json(loads)},"capacity":{fragments["capacity"]},'
            f'"skill_score":{fragments["skill_score"]},"skipped":{_json(packed["skipped"])}}}'
        )
    return packed
