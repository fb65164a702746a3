"""Which agents may take a ticket, why the others may not, and in what order to try them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from routing.choices import Presence, Strategy
from routing.schedules import is_open
from routing.selectors import AgentRow, AgentState, agent_states
from routing.snapshot import SkillNeed


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


def _runs(values: list[int]) -> list[list[int]]:
    """Return [[value, how many in a row], ...]: a team's agents share a team and a capacity."""
    runs: list[list[int]] = []
    for value in values:
        if runs and runs[-1][0] == value:
            runs[-1][1] += 1
        else:
            runs.append([value, 1])
    return runs


def pack_candidates(candidates: list[Candidate]) -> dict[str, Any]:
    """
    Return the candidates as a decision stores them (RoutingDecision.candidates reads them
    back, with the agents' names): their ids and numbers as columns in the order considered,
    teams and capacities as runs, and each distinct list of skip reasons once, with the
    agents it applies to. A team whose members mostly lack the same skill stores that
    sentence once.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, candidate in enumerate(candidates):
        if candidate.skipped:
            groups.setdefault(tuple(candidate.skipped), []).append(index)
    return {
        "ids": [c.agent.user_id for c in candidates],
        "teams": _runs([c.team_id for c in candidates]),
        "load": [c.load for c in candidates],
        "capacity": _runs([c.capacity for c in candidates]),
        "skill_score": [c.skill_score for c in candidates],
        "skipped": [[list(reasons), indices] for reasons, indices in groups.items()],
    }


@dataclass(frozen=True, slots=True)
class Need:
    """What the ticket asks of an agent."""

    skills: tuple[SkillNeed, ...]
    language: str  # primary code, en for en-GB; empty when unknown
    priority: str
    excluded: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Fit:
    """What the roster alone says of an agent for one kind of ticket; kept per snapshot."""

    lacks: tuple[str, ...]  # skills below the level asked, a language not spoken
    skill_score: int
    weight: int


# Kinds of tickets remembered per snapshot; a flood of odd language codes must not grow it.
MAX_REMEMBERED_FITS: Final = 512


def _fit(agent: AgentRow, need: Need) -> Fit:
    lacks: list[str] = [] if agent.may_work else ["may not own tickets (no agent role)"]
    for skill in need.skills:
        level = agent.skills.get(skill.skill_id, 0)
        if level < skill.min_level:
            lacks.append(f"{skill.slug} level {level}, needs {skill.min_level}")
    wanted = need.language
    if wanted and agent.spoken and wanted not in agent.spoken:
        lacks.append(f"does not speak {wanted}")
    return Fit(lacks=tuple(lacks), weight=agent.weight(need.priority),
               skill_score=sum(agent.skills.get(s.skill_id, 0) for s in need.skills))


def team_fits(
    memo: dict[Any, Any], team_id: int, roster: tuple[AgentRow, ...], need: Need
) -> tuple[Fit | None, ...]:
    """
    Return each member's fit for the need (None: no routing profile), computed once per
    snapshot and kind of ticket: skills, languages and weights change only with the rosters.
    """
    key = ("fits", team_id, need.skills, need.language, need.priority)
    fits = memo.get(key)
    if fits is None:
        if len(memo) >= MAX_REMEMBERED_FITS:
            memo.clear()
        fits = memo[key] = tuple(
            _fit(agent, need) if agent.pk is not None else None for agent in roster
        )
    return fits


def _candidate(
    agent: AgentRow, fit: Fit | None, team_id: int, need: Need, now: datetime
) -> Candidate:
    if agent.user_id in need.excluded:
        return Candidate(agent=agent, team_id=team_id,
                         skipped=["is the agent the ticket is being taken from"])
    if fit is None:
        return Candidate(agent=agent, team_id=team_id, skipped=["has no routing profile"])
    skipped = list(fit.lacks)
    if agent.working_hours and not is_open(agent.working_hours, agent.time_zone, now):
        skipped.insert(0, "is outside working hours")
    return Candidate(agent=agent, team_id=team_id, capacity=agent.capacity, weight=fit.weight,
                     skill_score=fit.skill_score, skipped=skipped)


def _apply_state(candidate: Candidate, state: AgentState | None) -> None:
    if state is None:  # the profile was deleted since the roster was read
        candidate.skipped.append("has no routing profile")
        return
    presence, candidate.last_routed, load = state
    candidate.presence = presence
    candidate.load = load
    if presence != Presence.AVAILABLE:
        candidate.skipped.append(f"is {presence}")
    if load + candidate.weight > candidate.capacity:
        candidate.skipped.append(f"at capacity ({load}/{candidate.capacity})")


def consider_team(
    *, team_id: int, roster: tuple[AgentRow, ...], need: Need, now: datetime,
    memo: dict[Any, Any] | None = None,
) -> list[Candidate]:
    """
    Return every active member of the team as a candidate, eligible or with skip reasons.

    The roster and what it says of each member come from memory (`memo` is the snapshot's).
    Presence, last routed times and loads come from one query, for the members who passed
    every check that needs none: a member who lacks the skill is skipped for that, whatever
    their presence.
    """
    fits = team_fits({} if memo is None else memo, team_id, roster, need)
    candidates = [_candidate(agent, fit, team_id, need, now)
                  for agent, fit in zip(roster, fits, strict=True)]
    asked = [c for c in candidates if not c.skipped]
    states = agent_states(profile_ids=[c.agent.pk for c in asked])
    for candidate in asked:
        _apply_state(candidate, states.get(candidate.agent.pk))
    return candidates


# Sort keys read the fields directly: they run for every eligible member on every decision.
def _round_robin_key(c: Candidate) -> tuple[Any, ...]:
    # Whoever waited longest since their last routed ticket; never-assigned agents first.
    return (c.last_routed, c.agent.user_id)


def _utilisation(c: Candidate) -> float:
    return c.load / c.capacity if c.capacity else 1.0


def _most_skilled_key(c: Candidate) -> tuple[Any, ...]:
    return (-c.skill_score, _utilisation(c), c.load, c.last_routed, c.agent.user_id)


def _least_loaded_key(c: Candidate) -> tuple[Any, ...]:
    # The share of capacity in use, so agents of unequal capacity fill up evenly; raw load
    # and waiting time break ties.
    return (_utilisation(c), c.load, c.last_routed, c.agent.user_id)


_ORDER_KEYS: Final = {Strategy.ROUND_ROBIN: _round_robin_key,
                      Strategy.MOST_SKILLED: _most_skilled_key}


def order_candidates(strategy: str, candidates: list[Candidate]) -> list[Candidate]:
    """Return the eligible candidates, the one the strategy prefers first."""
    key = _ORDER_KEYS.get(strategy, _least_loaded_key)
    return sorted((c for c in candidates if not c.skipped), key=key)
