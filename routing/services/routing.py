"""Route a ticket: plan, claim an agent under a row lock, assign, store the decision."""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from routing.candidates import Candidate
from routing.choices import Fallback
from routing.explanation import explain_plan, reason_code
from routing.models import AgentProfile, RoutingDecision, RoutingRule
from routing.planning import Plan, plan_routing
from routing.selectors import agent_load
from tickets.models import Team, Ticket
from tickets.services.assignment import assign_ticket

# Agents tried under a lock before the ticket queues on the team; bounds the queries of one
# routing decision whatever the size of the team.
MAX_LOCK_ATTEMPTS: Final = 5

User = get_user_model()


def _lock_agent(profile_id: int) -> Any | None:
    """
    Lock the agent's profile row, unless a concurrent intake holds it, and return the User.

    A concurrent intake that holds the lock is assigning to this agent right now; waiting
    for it could deadlock with intakes that try agents in another order, so the agent is
    skipped (SKIP LOCKED).
    """
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{field.column}" for field in fields)
    sql = (f"SELECT {columns} FROM {AgentProfile._meta.db_table} p "
           f"JOIN {User._meta.db_table} u ON u.id = p.user_id "
           "WHERE p.id = %s FOR UPDATE OF p SKIP LOCKED")
    with connection.cursor() as cursor:
        cursor.execute(sql, [profile_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return User.from_db(connection.alias, [field.attname for field in fields], row)


def _lock_and_recheck(candidate: Candidate) -> bool:
    """
    Lock the agent and read their load again under the lock, capacity checked on it.

    The load is read by a statement that starts once the lock is held: every earlier holder
    has committed by then, and this statement sees their assignments, so nobody goes past
    capacity.
    """
    user = _lock_agent(candidate.agent.pk)
    if user is None:
        candidate.skipped.append("is being given another ticket right now")
        return False
    candidate.user = user
    candidate.load = agent_load(profile_id=candidate.agent.pk)
    if candidate.load + candidate.weight > candidate.capacity:
        candidate.skipped.append(f"at capacity ({candidate.load}/{candidate.capacity})")
        return False
    return True


def _mark_routed(profile_id: int, at: Any) -> None:
    # Round robin's clock: the agent's wait for their next routed ticket starts now.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AgentProfile._meta.db_table} SET last_assigned_at = %s "
                       "WHERE id = %s", [at, profile_id])


def claim_agent(plan: Plan) -> Candidate | None:
    """Return the first agent, in the strategy's order, who is still free under a lock."""
    for candidate in plan.ordered[:MAX_LOCK_ATTEMPTS]:
        if _lock_and_recheck(candidate):
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
        "candidates": [candidate.as_dict() for candidate in plan.candidates],
        "queued_until": plan.queued_until,
        "decided_at": plan.now,
    }


def _assign(*, ticket: Ticket, plan: Plan, agent: Any, code: str, actor: Any,
            note: str) -> Ticket:
    if plan.team is not None:
        # Built from the cached snapshot: assign_ticket needs the id and the name only.
        team = Team(pk=plan.team.id, name=plan.team.name)
        return assign_ticket(ticket=ticket, agent=agent, team=team, reason_code=code,
                             actor=actor, note=note)
    if ticket.assignee_id is not None and ticket.assignee_id in plan.need.excluded:
        return assign_ticket(ticket=ticket, agent=None, reason_code=code, actor=actor, note=note)
    return ticket


# No savepoint of its own: a failure must abort the whole intake or re-route anyway.
@transaction.atomic(savepoint=False)
def route_ticket(
    *,
    ticket: Ticket,
    actor: AbstractBaseUser | None = None,
    reason_code_override: str = "",
    excluded: frozenset[int] = frozenset(),
    new: bool = False,
) -> RoutingDecision:
    """
    Give the ticket an owner by the rules: an agent, or its team's queue as a fallback.

    Write one ASSIGNED event (through assign_ticket) and the ticket's current decision.
    `excluded` agents are never chosen (re-routing away from them); `new` says the ticket
    has no decision yet, which saves a query at intake.
    """
    plan = plan_routing(ticket=ticket, now=timezone.now(), excluded=excluded)
    chosen = claim_agent(plan) if plan.ordered else None
    agent = chosen.user if chosen is not None else plan.on_call
    text = explain_plan(plan, chosen)
    code = reason_code_override or reason_code(plan)
    note = text if not reason_code_override else f"{reason_code_override}: {text}"
    assigned = _assign(ticket=ticket, plan=plan, agent=agent, code=code, actor=actor, note=note)
    for name in ("assignee", "team", "status", "reassignments", "updated_at"):
        setattr(ticket, name, getattr(assigned, name))  # the caller's copy shows the owner
    if chosen is not None:
        _mark_routed(chosen.agent.pk, plan.now)
    fields = _decision_fields(plan, chosen, agent, text, code)
    if new:
        decision = RoutingDecision.objects.create(ticket=ticket, **fields)
    else:
        decision, _ = RoutingDecision.objects.update_or_create(ticket=ticket, defaults=fields)
    if plan.rule is not None:
        transaction.on_commit(partial(_count_fired, plan.rule.id))
    return decision
