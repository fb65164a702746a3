"""Route a ticket: plan, claim an agent under a row lock, assign, store the decision."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, partial
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from routing.candidates import Candidate, pack_candidates
from routing.choices import Fallback
from routing.explanation import explain_plan, reason_code
from routing.models import AgentLoad, AgentProfile, RoutingDecision, RoutingRule
from routing.planning import Plan, plan_routing
from routing.selectors import weighted_load_sql
from tickets.models import Team, Ticket
from tickets.prepared import execute_prepared
from tickets.services.assignment import assign_ticket

# Agents tried under a lock before the ticket queues on the team; bounds the queries of one
# routing decision whatever the size of the team.
MAX_LOCK_ATTEMPTS: Final = 5

User = get_user_model()


@cache
def _claim_sql() -> tuple[tuple[str, str], list[str]]:
    """
    Two statements sent together: the first locks the agent's profile row unless a
    concurrent intake holds it; the second, whose snapshot starts once the lock is held (so
    every earlier holder has committed and their assignments are counted), reads whether
    they may still own the team's tickets (active, a member: read now, not from the
    snapshot) and their load, and starts their round-robin clock only if they are still
    free. It finds the row only if the first locked it. (OFFSET 0 keeps the agent's row read
    once: merged into the UPDATE, its figures would be computed for SET and RETURNING each.)

    A concurrent intake that holds the lock is assigning to this agent right now; waiting
    for it could deadlock with intakes that try agents in another order, so the agent is
    skipped (SKIP LOCKED).
    """
    fields = User._meta.concrete_fields
    profiles, users = AgentProfile._meta.db_table, User._meta.db_table
    members, loads = Team.members.through._meta.db_table, AgentLoad._meta.db_table
    lock = f"SELECT 1 FROM {profiles} WHERE id = %(profile)s FOR UPDATE SKIP LOCKED"
    claim = f"""
        UPDATE {profiles} p SET last_assigned_at = CASE
               WHEN c.may_own AND c.load + %(weight)s <= %(capacity)s THEN %(now)s
               ELSE p.last_assigned_at END
          FROM (SELECT {", ".join(f"u.{field.column}" for field in fields)},
                       u.is_active AND EXISTS (SELECT 1 FROM {members} m
                        WHERE m.team_id = %(team)s AND m.user_id = u.id) AS may_own,
                       coalesce((SELECT {weighted_load_sql("q", "l")} FROM {loads} l
                                  WHERE l.user_id = q.user_id), 0) AS load
                  FROM {profiles} q JOIN {users} u ON u.id = q.user_id
                 WHERE q.id = %(profile)s OFFSET 0) c
         WHERE p.id = (SELECT id FROM {profiles} WHERE id = %(profile)s
                       FOR UPDATE SKIP LOCKED)
        RETURNING c.*
    """
    return (lock, claim), [field.attname for field in fields]


def _lock_and_recheck(candidate: Candidate, now: Any) -> bool:
    """
    Lock the agent, check they may still own the team's tickets and, on their load read
    under the lock, that they are below capacity; only then is their round-robin clock
    started. One round trip.
    """
    statements, attnames = _claim_sql()
    params = {"profile": candidate.agent.pk, "team": candidate.team_id, "now": now,
              "weight": candidate.weight, "capacity": candidate.capacity}
    with connection.cursor() as cursor:
        execute_prepared(cursor, statements, params)
        row = cursor.fetchone()
    if row is None:
        candidate.skipped.append("is being given another ticket right now")
        return False
    *user_values, may_own, load = row
    if not may_own:
        candidate.skipped.append("has left the team or was deactivated")
        return False
    candidate.user = User.from_db(connection.alias, attnames, user_values)
    candidate.load = load
    if load + candidate.weight > candidate.capacity:
        candidate.skipped.append(f"at capacity ({load}/{candidate.capacity})")
        return False
    return True


def claim_agent(plan: Plan) -> Candidate | None:
    """Return the first agent, in the strategy's order, who is still free under a lock."""
    for candidate in plan.ordered[:MAX_LOCK_ATTEMPTS]:
        if _lock_and_recheck(candidate, plan.now):
            return candidate
    if plan.ordered:
        # They were eligible a moment ago: only capacity, or a concurrent intake, stopped them.
        plan.fallback = Fallback.AT_CAPACITY
    return None


def _count_fired(rule_id: int) -> None:
    # After commit, outside the intake transaction: the counter row would otherwise be
    # locked until commit and serialise every intake that matches the same rule.
    RoutingRule.record_fired_many([rule_id])


def _decision_fields(plan: Plan, chosen: Candidate | None, agent: Any, text: str,
                     code: str) -> dict[str, Any]:
    return {
        "rule_id": plan.rule.id if plan.rule else None,
        "rule_name": plan.rule.name if plan.rule else "",
        "strategy": plan.strategy,
        "team_id": plan.team.id if plan.team else None,
        "agent": agent,
        "fallback": plan.fallback,
        "reason_code": code,
        "explanation": text,
        "considered": pack_candidates(plan.candidates),
        "queued_until": plan.queued_until,
        "decided_at": plan.now,
    }


def _assign(*, ticket: Ticket, plan: Plan, agent: Any, code: str, actor: Any,
            note: str, owner_checked: bool) -> Ticket:
    if plan.team is not None:
        # Built from the cached snapshot: assign_ticket needs the id and the name only.
        team = Team(pk=plan.team.id, name=plan.team.name)
        return assign_ticket(ticket=ticket, agent=agent, team=team, reason_code=code,
                             actor=actor, note=note, owner_checked=owner_checked)
    if ticket.assignee_id is not None and ticket.assignee_id in plan.need.excluded:
        return assign_ticket(ticket=ticket, agent=None, reason_code=code, actor=actor, note=note)
    return ticket


@cache
def _decision_upsert() -> tuple[str, tuple[Any, ...]]:
    written = tuple(f for f in RoutingDecision._meta.concrete_fields
                    if not f.primary_key and f.name != "transfers")
    columns = [f.column for f in written]
    replaced = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "ticket_id")
    sql = (f"INSERT INTO {RoutingDecision._meta.db_table} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT (ticket_id) DO UPDATE SET {replaced} RETURNING id, transfers")
    return sql, written


def _store_decision(ticket: Ticket, fields: dict[str, Any]) -> RoutingDecision:
    """
    Write the ticket's current decision in one statement, whether it had one or not: a
    re-route replaces every field but the count of transfers, which outlives decisions.
    """
    decision = RoutingDecision(ticket=ticket, **fields)
    sql, written = _decision_upsert()
    values = [f.get_prep_value(getattr(decision, f.attname)) for f in written]
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, values)
        decision.pk, decision.transfers = cursor.fetchone()
    decision._state.adding, decision._state.db = False, connection.alias
    return decision


@dataclass(frozen=True, slots=True)
class Route:
    """A stored decision and what its assignment needs: the owner, whether proven, why."""

    decision: RoutingDecision
    plan: Plan
    agent: Any
    owner_checked: bool
    note: str


# No savepoint of its own: a failure must abort the whole intake or re-route anyway.
@transaction.atomic(savepoint=False)
def decide_route(
    *,
    ticket: Ticket,
    reason_code_override: str = "",
    excluded: frozenset[int] = frozenset(),
) -> Route:
    """
    Decide the ticket's owner by the rules and store the decision, without assigning: the
    plan, an agent claimed under a row lock (their round-robin clock and load moved with
    it), or the fallback. route_ticket assigns it.
    """
    plan = plan_routing(ticket=ticket, now=timezone.now(), excluded=excluded)
    chosen = claim_agent(plan) if plan.ordered else None
    agent = chosen.user if chosen is not None else plan.on_call
    text = explain_plan(plan, chosen)
    code = reason_code_override or reason_code(plan)
    decision = _store_decision(ticket, _decision_fields(plan, chosen, agent, text, code))
    if plan.rule is not None:
        transaction.on_commit(partial(_count_fired, plan.rule.id))
    # A claimed agent was proved under the lock: active and a member (read then), with the
    # work permission (the roster's word, rebuilt whenever permissions change).
    return Route(decision=decision, plan=plan, agent=agent, owner_checked=chosen is not None,
                 note=text if not reason_code_override else f"{reason_code_override}: {text}")


@transaction.atomic(savepoint=False)
def assign_route(*, ticket: Ticket, route: Route, actor: AbstractBaseUser | None = None) -> None:
    """Give the ticket the decided owner: one ASSIGNED event, through assign_ticket."""
    assigned = _assign(ticket=ticket, plan=route.plan, agent=route.agent,
                       code=route.decision.reason_code, actor=actor, note=route.note,
                       owner_checked=route.owner_checked)
    for name in ("assignee", "team", "status", "reassignments", "updated_at"):
        setattr(ticket, name, getattr(assigned, name))  # the caller's copy shows the owner


@transaction.atomic(savepoint=False)
def route_ticket(
    *,
    ticket: Ticket,
    actor: AbstractBaseUser | None = None,
    reason_code_override: str = "",
    excluded: frozenset[int] = frozenset(),
) -> RoutingDecision:
    """
    Give the ticket an owner by the rules: an agent, or its team's queue as a fallback.

    Store the ticket's current decision and write one ASSIGNED event (through
    assign_ticket). `excluded` agents are never chosen (re-routing away from them).
    """
    route = decide_route(ticket=ticket, reason_code_override=reason_code_override,
                         excluded=excluded)
    assign_route(ticket=ticket, route=route, actor=actor)
    return route.decision
