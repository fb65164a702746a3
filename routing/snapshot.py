"""
Routing rules and team settings, held in process memory and rebuilt when an admin changes them.

Every intake reads one version token from Redis; only when the token changed are rules and
team profiles read again from the database. Saving or deleting a rule, a required skill or a
team profile replaces the token (see apps.py). Until the change commits the token is
provisional: every process then reads rules afresh without keeping the copy, because the
rows may still roll back; on commit a final token replaces it, and the next read is kept.
A provisional token that never became final (rolled back) expires by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tickets.rule_cache import VersionedRules


@dataclass(frozen=True, slots=True)
class SkillNeed:
    skill_id: int
    slug: str
    min_level: int


@dataclass(frozen=True, slots=True)
class RuleSpec:
    id: int
    name: str
    explanation: str
    condition: dict[str, Any]
    team_id: int
    strategy: str
    skills: tuple[SkillNeed, ...]


@dataclass(frozen=True, slots=True)
class TeamSpec:
    id: int
    name: str
    time_zone: str = "UTC"
    business_hours: dict[str, Any] = field(default_factory=dict)
    backup_team_id: int | None = None
    claim_on_reply: bool = False
    catch_all: bool = False


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: str
    rules: tuple[RuleSpec, ...]
    teams: dict[int, TeamSpec]
    catch_all_team_id: int | None

    def team(self, team_id: int) -> TeamSpec:
        return self.teams[team_id]




def _load(version: str) -> Snapshot:
    from routing.models import RoutingRule, TeamProfile
    from tickets.models import Team

    teams = {pk: TeamSpec(id=pk, name=name) for pk, name in Team.objects.values_list("pk", "name")}
    for profile in TeamProfile.objects.all():
        teams[profile.team_id] = TeamSpec(
            id=profile.team_id, name=teams[profile.team_id].name, time_zone=profile.time_zone,
            business_hours=profile.business_hours, backup_team_id=profile.backup_team_id,
            claim_on_reply=profile.claim_on_reply, catch_all=profile.catch_all,
        )
    rules = tuple(
        RuleSpec(
            id=rule.pk, name=rule.name, explanation=rule.explanation,
            condition=rule.condition or {}, team_id=rule.team_id, strategy=rule.strategy,
            skills=tuple(
                SkillNeed(skill_id=need.skill_id, slug=need.skill.slug, min_level=need.min_level)
                for need in rule.required_skills.all()
            ),
        )
        for rule in RoutingRule.objects.filter(enabled=True)
        .order_by("order", "pk")
        .prefetch_related("required_skills__skill")
    )
    catch_all = next((spec.id for spec in teams.values() if spec.catch_all), None)
    return Snapshot(version=version, rules=rules, teams=teams, catch_all_team_id=catch_all)


snapshots: VersionedRules[Snapshot] = VersionedRules("routing:snapshot", _load)


def current_snapshot() -> Snapshot:
    """Return the rules and team settings, rebuilding them only if an admin changed them."""
    return snapshots.current()


def publish_snapshot_version() -> None:
    """Replace the token with a final one: every process rebuilds once, then keeps its copy."""
    snapshots.publish()


def invalidate_snapshot() -> None:
    """Make every process read rules afresh until the change commits, then rebuild once."""
    snapshots.invalidate()
