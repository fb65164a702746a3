"""
Decide where a ticket should go, without writing anything: the rule, the team, the agents
in the strategy's order, or the fallback. The services lock and assign; preview only reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from routing.candidates import Candidate, Considered, Need, consider_team
from routing.choices import Fallback, Strategy
from routing.schedules import is_open, next_opening
from routing.selectors import on_call_agent, primary_language
from routing.snapshot import (
    RuleSpec,
    Snapshot,
    TeamSpec,
    current_snapshot,
    held_snapshot,
    snapshot_token,
)
from tickets.conditions import matched_leaves, ticket_facts
from tickets.conditions.compiled import TicketFacts
from tickets.models import Ticket


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """One rule as the preview shows it: whether it held and which parts held."""

    id: int
    name: str
    matched: bool
    reasons: tuple[str, ...]


@dataclass(slots=True)
class Plan:
    """Where the ticket should go; `ordered` are the agents to try, best first."""

    rule: RuleSpec | None
    team: TeamSpec | None
    strategy: str
    now: datetime
    need: Need
    fallback: str = Fallback.NONE
    first_team: TeamSpec | None = None
    candidates: Considered = field(default_factory=Considered)
    ordered: Sequence[Candidate] = ()
    on_call: Any | None = None
    queued_until: datetime | None = None
    rule_reasons: tuple[str, ...] = ()
    trace: list[RuleTrace] = field(default_factory=list)


def match_rule(
    snapshot: Snapshot, facts: dict[str, Any], *, trace: bool = False
) -> tuple[RuleSpec | None, list[RuleTrace]]:
    """Return the first enabled rule, in order, whose condition holds; with a trace if asked."""
    traces: list[RuleTrace] = []
    coerced = TicketFacts(facts)
    for rule in snapshot.rules:
        held = rule.holds(coerced)
        if trace:
            reasons = tuple(matched_leaves(rule.condition, facts=facts)) if held else ()
            traces.append(RuleTrace(id=rule.id, name=rule.name, matched=held, reasons=reasons))
        if held:
            return rule, traces
    return None, traces


def _route_in_team(plan: Plan, team: TeamSpec, snapshot: Snapshot) -> None:
    pool = consider_team(team_id=team.id, roster=snapshot.roster(team.id), need=plan.need,
                         now=plan.now, strategy=plan.strategy, memo=snapshot.memo)
    plan.candidates = Considered((pool,))
    plan.ordered = pool.ordered()
    if plan.ordered or team.backup_team_id is None:
        return
    backup = snapshot.teams.get(team.backup_team_id)
    if backup is None or not is_open(backup.business_hours, backup.time_zone, plan.now):
        return
    backup_pool = consider_team(team_id=backup.id, roster=snapshot.roster(backup.id),
                                need=plan.need, now=plan.now, strategy=plan.strategy,
                                memo=snapshot.memo)
    plan.candidates = Considered((pool, backup_pool))
    ordered = backup_pool.ordered()
    if ordered:
        plan.team, plan.ordered, plan.fallback = backup, ordered, Fallback.BACKUP_TEAM


def _after_hours(plan: Plan, team: TeamSpec, priority: str) -> None:
    if priority == "P1":
        plan.on_call = on_call_agent(team_id=team.id, at=plan.now)
        if plan.on_call is not None:
            plan.fallback = Fallback.ON_CALL
            return
    plan.fallback = Fallback.AFTER_HOURS
    plan.queued_until = next_opening(team.business_hours, team.time_zone, plan.now)


def queue_fallback(candidates: Sequence[Candidate]) -> str:
    """Return which queue fallback applies when no agent took the ticket."""
    if candidates and all(c.only_full for c in candidates if c.profile is not None):
        return Fallback.AT_CAPACITY
    return Fallback.NO_AGENT


def _plan(snapshot: Snapshot, ticket: Ticket, now: datetime, excluded: frozenset[int],
          trace: bool) -> Plan:
    facts = ticket_facts(ticket)
    rule, traces = match_rule(snapshot, facts, trace=trace)
    priority = str(facts["ticket.priority"])
    need = Need(skills=rule.skills if rule else (),
                language=primary_language(ticket.language or ""),
                priority=priority, excluded=excluded)
    team_id = rule.team_id if rule else (snapshot.catch_all_team_id or ticket.team_id)
    team = snapshot.teams.get(team_id) if team_id else None
    plan = Plan(
        rule=rule, team=team, first_team=team, now=now, need=need, trace=traces,
        strategy=rule.strategy if rule else Strategy.LEAST_LOADED,
        fallback=Fallback.NONE if rule else Fallback.NO_RULE,
        rule_reasons=tuple(matched_leaves(rule.condition, facts=facts)) if rule else (),
    )
    if team is None or plan.strategy == Strategy.TEAM_QUEUE:
        return plan
    if not is_open(team.business_hours, team.time_zone, now):
        _after_hours(plan, team, priority)
        return plan
    _route_in_team(plan, team, snapshot)
    if not plan.ordered:
        plan.fallback = queue_fallback(plan.candidates)
    return plan


def plan_routing(
    *, ticket: Ticket, now: datetime, excluded: frozenset[int] = frozenset(), trace: bool = False
) -> Plan:
    """
    Return where the ticket should go now. Reads the database; writes nothing.

    Planned with the rules this thread holds, then checked against the snapshot's token as
    the team's query read it (asked for alone only when no team was read); planned again
    with fresh rules in the rare case an admin changed them.
    """
    held = held_snapshot()
    if held is not None:
        plan = _plan(held, ticket, now, excluded, trace)
        token = plan.candidates.token
        if (snapshot_token() if token is None else token) == held.version:
            return plan
    return _plan(current_snapshot(), ticket, now, excluded, trace)
