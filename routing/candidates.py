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
    last_assigned_at: datetime | None = None
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


@dataclass(frozen=True, slots=True)
class Fit:
    """What the roster alone says of an agent for one kind of ticket; kept per snapshot."""

    lacks: tuple[str, ...]  # skills below the level asked, a language not spoken
    skill_score: int
    weight: int


# Kinds of tickets remembered per snapshot; a flood of odd language codes must not grow it.
MAX_REMEMBERED_FITS: Final = 512


def _fit(agent: AgentRow, need: Need) -> Fit:
    lacks: list[str] = []
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
    candidate.presence, candidate.last_assigned_at = state.presence, state.last_assigned_at
    if state.presence != Presence.AVAILABLE:
        candidate.skipped.insert(0, f"is {state.presence}")
    if state.load is None:
        return
    candidate.load = state.load
    if candidate.load + candidate.weight > candidate.capacity:
        candidate.skipped.append(f"at capacity ({candidate.load}/{candidate.capacity})")


def consider_team(
    *, team_id: int, roster: tuple[AgentRow, ...], need: Need, now: datetime,
    memo: dict[Any, Any] | None = None,
) -> list[Candidate]:
    """
    Return every active member of the team as a candidate, eligible or with skip reasons.

    The roster and what it says of each member come from memory (`memo` is the snapshot's);
    presence and loads from one query, which weighs open tickets only for members who passed
    every check that needs no query.
    """
    fits = team_fits({} if memo is None else memo, team_id, roster, need)
    candidates = [_candidate(agent, fit, team_id, need, now)
                  for agent, fit in zip(roster, fits, strict=True)]
    asked = [c for c in candidates if c.agent.pk is not None
             and c.agent.user_id not in need.excluded]
    states = agent_states(profile_ids=[c.agent.pk for c in asked],
                          counted=[c.agent for c in asked if not c.skipped])
    for candidate in asked:
        _apply_state(candidate, states.get(candidate.agent.pk))
    return candidates


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("-inf")


def _utilisation(candidate: Candidate) -> float:
    return candidate.load / candidate.capacity if candidate.capacity else 1.0


def order_candidates(strategy: str, candidates: list[Candidate]) -> list[Candidate]:
    """Return the eligible candidates, the one the strategy prefers first."""
    eligible = [c for c in candidates if c.eligible]

    def waited(c: Candidate) -> float:
        return _epoch(c.last_assigned_at)

    if strategy == Strategy.ROUND_ROBIN:
        # Whoever waited longest since their last routed ticket; never-assigned agents first.
        return sorted(eligible, key=lambda c: (waited(c), c.user_id))
    if strategy == Strategy.MOST_SKILLED:
        return sorted(eligible, key=lambda c: (-c.skill_score, _utilisation(c), c.load,
                                               waited(c), c.user_id))
    # Least loaded compares the share of capacity in use, so agents of unequal capacity
    # fill up evenly; raw load and waiting time break ties.
    return sorted(eligible, key=lambda c: (_utilisation(c), c.load, waited(c), c.user_id))
