"""
Routing rules, team settings and team rosters (members with their skills, hours and
capacity), held in process memory and rebuilt when an admin changes them.

A copy is kept per thread under the token of one database row (routing.models.SnapshotToken).
Saving or deleting a rule, a required skill, a team, a team profile, a member, an agent
profile, a skill or who holds the agent permission replaces the token in the same
transaction (see apps.py), so other processes see the new token exactly when they can see
the change: an edit that rolls back is never kept by anyone, and the token it wrote never
comes back. A decision reads the token in the query it makes anyway, for the team's
presence and loads (routing.planning plans with the copy held, then checks).
Presence, the last routed time and loads change all day: they are never kept here but read
per decision (routing.selectors.agent_state_rows).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from django.db import connection
from django.db.models import Model

from routing.choices import DEFAULT_BOUNCE_LIMIT
from routing.models.tokens import NEW_TOKEN_SQL, SnapshotToken
from tickets.conditions.compiled import Predicate, compile_condition
from tickets.rule_cache import call_on_change

if TYPE_CHECKING:
    from routing.selectors import AgentRow


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
    # The condition compiled once per snapshot: every intake tries every rule.
    holds: Predicate = field(default=compile_condition({}), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TeamSpec:
    id: int
    name: str
    time_zone: str = "UTC"
    business_hours: dict[str, Any] = field(default_factory=dict)
    backup_team_id: int | None = None
    claim_on_reply: bool = False
    catch_all: bool = False
    bounce_limit: int = DEFAULT_BOUNCE_LIMIT


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: int
    rules: tuple[RuleSpec, ...]
    teams: dict[int, TeamSpec]
    catch_all_team_id: int | None
    rosters: dict[int, tuple[AgentRow, ...]] = field(default_factory=dict)
    # What routing derives from the rules and rosters (routing.candidates.team_fits): lives
    # and dies with this copy, so it is never older than the rows it came from.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def team(self, team_id: int) -> TeamSpec:
        return self.teams[team_id]

    def roster(self, team_id: int) -> tuple[AgentRow, ...]:
        return self.rosters.get(team_id, ())


def _load(version: int) -> Snapshot:
    from routing.models import RoutingRule, TeamProfile
    from routing.selectors import team_rosters
    from tickets.models import Team

    teams = {pk: TeamSpec(id=pk, name=name) for pk, name in Team.objects.values_list("pk", "name")}
    for profile in TeamProfile.objects.all():
        teams[profile.team_id] = TeamSpec(
            id=profile.team_id, name=teams[profile.team_id].name, time_zone=profile.time_zone,
            business_hours=profile.business_hours, backup_team_id=profile.backup_team_id,
            claim_on_reply=profile.claim_on_reply, catch_all=profile.catch_all,
            bounce_limit=profile.bounce_limit,
        )
    rules = tuple(
        RuleSpec(
            id=rule.pk, name=rule.name, explanation=rule.explanation,
            condition=rule.condition or {}, holds=compile_condition(rule.condition),
            team_id=rule.team_id, strategy=rule.strategy,
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
    return Snapshot(version=version, rules=rules, teams=teams, catch_all_team_id=catch_all,
                    rosters=team_rosters())


_TOKEN_SQL: Final = f"SELECT token FROM {SnapshotToken._meta.db_table} WHERE id = 1"
_REPLACE_SQL: Final = (
    f"INSERT INTO {SnapshotToken._meta.db_table} (id, token) VALUES (1, {NEW_TOKEN_SQL}) "
    "ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token"
)


class HeldSnapshots:
    """Each thread's snapshot, kept while the token row names it."""

    def __init__(self, load: Callable[[int], Snapshot]) -> None:
        self._load = load
        self._local = threading.local()

    def token(self) -> int:
        """Return the current token, in one query; 0 if the row is missing (keep nothing)."""
        with connection.cursor() as cursor:
            cursor.execute(_TOKEN_SQL)
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def held(self) -> Snapshot | None:
        """This thread's copy, unchecked: whoever uses it must compare its version."""
        return getattr(self._local, "held", None)

    def current(self) -> Snapshot:
        """Return the current snapshot, rebuilt only if the token changed."""
        token = self.token()
        held = self.held()
        if held is not None and held.version == token:
            return held
        snapshot = self._load(token)
        self._local.held = snapshot if token else None
        return snapshot

    def invalidate(self) -> None:
        """Replace the token in the current transaction: everyone rebuilds once it commits."""
        with connection.cursor() as cursor:
            cursor.execute(_REPLACE_SQL)

    def forget(self) -> None:
        """Drop this thread's copy (tests: a rolled-back token may name rows that are gone)."""
        self._local.held = None

    def invalidate_on_change(self, *models: type[Model]) -> None:
        """Invalidate whenever a row of these models is saved or deleted (AppConfig.ready)."""
        call_on_change(self.invalidate, "routing:snapshot", models)


snapshots = HeldSnapshots(_load)


def current_snapshot() -> Snapshot:
    """Return the rules and team settings, rebuilding them only if an admin changed them."""
    return snapshots.current()


def held_snapshot() -> Snapshot | None:
    """This thread's copy, to be checked against the token a decision reads (see planning)."""
    return snapshots.held()


def snapshot_token() -> int:
    return snapshots.token()


def publish_snapshot_version() -> None:
    """Replace the token (bulk writes send no signal): every process rebuilds once."""
    snapshots.invalidate()


# Fields that change all day and are read per decision, never from the snapshot: saving only
# these must not make every process rebuild its rosters.
_LIVE_PROFILE_FIELDS: Final = frozenset({"presence", "last_seen_at", "last_assigned_at",
                                         "updated_at"})
_ROSTER_USER_FIELDS: Final = frozenset({"username", "first_name", "last_name", "is_active",
                                        "is_superuser"})


def _profile_saved(update_fields: frozenset[str] | None = None, **_signal: object) -> None:
    if update_fields is None or not update_fields <= _LIVE_PROFILE_FIELDS:
        snapshots.invalidate()


def _user_saved(update_fields: frozenset[str] | None = None, **_signal: object) -> None:
    # A login saves last_login only; a rename or a deactivation changes the rosters.
    if update_fields is None or update_fields & _ROSTER_USER_FIELDS:
        snapshots.invalidate()


def _members_changed(action: str = "", **_signal: object) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        snapshots.invalidate()


def _member_deleted(**_signal: object) -> None:
    snapshots.invalidate()


def invalidate_rosters_on_change() -> None:
    """
    Rebuild rosters when members, agent profiles, skills, users or who holds which
    permission change (AppConfig.ready): routing assigns on the roster's word that a member
    may own tickets.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from routing.models import AgentProfile, AgentSkill, Skill
    from tickets.models import Team

    user = get_user_model()
    snapshots.invalidate_on_change(AgentSkill, Skill)
    uid = "routing:snapshot:roster"
    post_save.connect(_profile_saved, sender=AgentProfile, dispatch_uid=f"{uid}:profile")
    post_delete.connect(_member_deleted, sender=AgentProfile,
                        dispatch_uid=f"{uid}:profile-delete")
    post_save.connect(_user_saved, sender=user, dispatch_uid=f"{uid}:user")
    post_delete.connect(_member_deleted, sender=user, dispatch_uid=f"{uid}:user-delete")
    m2m_changed.connect(_members_changed, sender=Team.members.through,
                        dispatch_uid=f"{uid}:members")
    for through, name in ((user.groups.through, "groups"),
                          (user.user_permissions.through, "user-permissions"),
                          (Group.permissions.through, "group-permissions")):
        m2m_changed.connect(_members_changed, sender=through, dispatch_uid=f"{uid}:{name}")
    for model in (Group, Permission):
        post_delete.connect(_member_deleted, sender=model,
                            dispatch_uid=f"{uid}:{model._meta.model_name}-delete")
