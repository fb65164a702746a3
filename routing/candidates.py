"""Which agents may take a ticket, why the others may not, and in what order to try them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from routing.choices import Presence, Strategy
from routing.schedules import is_open
from routing.selectors import AgentRow, agent_loads, team_agents, weighted_load
from routing.snapshot import SkillNeed


@dataclass(slots=True)
class Candidate:
    """One agent considered for a ticket, with the reasons they were passed over, if any."""

    agent: AgentRow
    team_id: int
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
    language: str
    priority: str
    excluded: frozenset[int] = frozenset()


def primary_language(code: str) -> str:
    return code.split("-")[0].split("_")[0].strip().lower()


def _skips(candidate: Candidate, profile: AgentRow, need: Need, now: datetime) -> list[str]:
    reasons: list[str] = []
    if profile.presence != Presence.AVAILABLE:
        reasons.append(f"is {profile.presence}")
    if not is_open(profile.working_hours, profile.time_zone, now):
        reasons.append("is outside working hours")
    for skill in need.skills:
        level = profile.skills.get(skill.skill_id, 0)
        if level < skill.min_level:
            reasons.append(f"{skill.slug} level {level}, needs {skill.min_level}")
    spoken = {primary_language(code) for code in profile.languages}
    wanted = primary_language(need.language)
    if wanted and spoken and wanted not in spoken:
        reasons.append(f"does not speak {wanted}")
    if candidate.load + candidate.weight > candidate.capacity:
        reasons.append(f"at capacity ({candidate.load}/{candidate.capacity})")
    return reasons


def consider_team(*, team_id: int, need: Need, now: datetime) -> list[Candidate]:
    """Return every active member of the team as a candidate, eligible or with skip reasons."""
    agents = team_agents(team_id=team_id)
    loads = agent_loads(agent_ids=[agent.user_id for agent in agents if agent.pk is not None])
    candidates = []
    for agent in agents:
        candidate = Candidate(agent=agent, team_id=team_id)
        if agent.user_id in need.excluded:
            candidate.skipped.append("is the agent the ticket is being taken from")
        elif agent.pk is None:
            candidate.skipped.append("has no routing profile")
        else:
            candidate.load = weighted_load(agent, loads.get(agent.user_id, {}))
            candidate.capacity = agent.capacity
            candidate.weight = agent.weight(need.priority)
            candidate.skill_score = sum(agent.skills.get(s.skill_id, 0) for s in need.skills)
            candidate.skipped = _skips(candidate, agent, need, now)
        candidates.append(candidate)
    return candidates


def _epoch(moment: datetime | None) -> float:
    return moment.timestamp() if moment is not None else float("-inf")


def _utilisation(candidate: Candidate) -> float:
    return candidate.load / candidate.capacity if candidate.capacity else 1.0


def order_candidates(strategy: str, candidates: list[Candidate]) -> list[Candidate]:
    """Return the eligible candidates, the one the strategy prefers first."""
    eligible = [c for c in candidates if c.eligible]

    def waited(c: Candidate) -> float:
        return _epoch(c.agent.last_assigned_at)

    if strategy == Strategy.ROUND_ROBIN:
        # Whoever waited longest since their last routed ticket; never-assigned agents first.
        return sorted(eligible, key=lambda c: (waited(c), c.user_id))
    if strategy == Strategy.MOST_SKILLED:
        return sorted(eligible, key=lambda c: (-c.skill_score, _utilisation(c), c.load,
                                               waited(c), c.user_id))
    # Least loaded compares the share of capacity in use, so agents of unequal capacity
    # fill up evenly; raw load and waiting time break ties.
    return sorted(eligible, key=lambda c: (_utilisation(c), c.load, waited(c), c.user_id))
