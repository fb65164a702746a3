"""Which agents may take a ticket, why the others may not, and in what order to try them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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


def _static_skips(profile: AgentRow, need: Need, now: datetime) -> list[str]:
    """Return what keeps the agent out whatever their presence and load."""
    reasons: list[str] = []
    if not is_open(profile.working_hours, profile.time_zone, now):
        reasons.append("is outside working hours")
    for skill in need.skills:
        level = profile.skills.get(skill.skill_id, 0)
        if level < skill.min_level:
            reasons.append(f"{skill.slug} level {level}, needs {skill.min_level}")
    wanted = need.language
    if wanted and profile.spoken and wanted not in profile.spoken:
        reasons.append(f"does not speak {wanted}")
    return reasons


def _candidate(agent: AgentRow, team_id: int, need: Need, now: datetime) -> Candidate:
    candidate = Candidate(agent=agent, team_id=team_id)
    if agent.user_id in need.excluded:
        candidate.skipped.append("is the agent the ticket is being taken from")
    elif agent.pk is None:
        candidate.skipped.append("has no routing profile")
    else:
        candidate.capacity = agent.capacity
        candidate.weight = agent.weight(need.priority)
        candidate.skill_score = sum(agent.skills.get(s.skill_id, 0) for s in need.skills)
        candidate.skipped = _static_skips(agent, need, now)
    return candidate


def _apply_state(candidate: Candidate, state: AgentState | None) -> None:
    if state is None:  # the profile was deleted since the roster was read
        candidate.skipped.append("has no routing profile")
        return
    candidate.presence, candidate.last_assigned_at = state.presence, state.last_assigned_at
    if state.presence != Presence.AVAILABLE:
        candidate.skipped.insert(0, f"is {state.presence}")
    load = state.load(candidate.agent)
    if load is None:
        return
    candidate.load = load
    if candidate.load + candidate.weight > candidate.capacity:
        candidate.skipped.append(f"at capacity ({candidate.load}/{candidate.capacity})")


def consider_team(
    *, team_id: int, roster: tuple[AgentRow, ...], need: Need, now: datetime
) -> list[Candidate]:
    """
    Return every active member of the team as a candidate, eligible or with skip reasons.

    The roster comes from memory; presence and loads from one query, which counts open
    tickets only for members who passed every check that needs no query.
    """
    candidates = [_candidate(agent, team_id, need, now) for agent in roster]
    profiled = [c.agent.pk for c in candidates if c.agent.pk is not None
                and c.agent.user_id not in need.excluded]
    counted = [c.agent for c in candidates if c.agent.pk is not None and c.eligible]
    states = agent_states(profile_ids=profiled, counted=counted)
    for candidate in candidates:
        if candidate.agent.pk is not None and candidate.agent.user_id not in need.excluded:
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
