"""Route a ticket: plan, claim an agent under a row lock, assign, store the decision."""

from __future__ import annotations

from functools import partial
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from routing.candidates import Candidate
from routing.choices import Fallback
from routing.explanation import explain_plan, reason_code
from routing.models import AgentProfile, RoutingDecision, RoutingRule
from routing.planning import Plan, plan_routing
from routing.selectors import agent_loads, weighted_load
from tickets.models import Team, Ticket
from tickets.services.assignment import assign_ticket

# Agents tried under a lock before the ticket queues on the team; bounds the queries of one
# routing decision whatever the size of the team.
MAX_LOCK_ATTEMPTS: Final = 5


def _lock_and_recheck(candidate: Candidate) -> bool:
    """
    Lock the agent's profile row and count their load again, from the database, under it.

    A concurrent intake that holds the lock is assigning to this agent right now; waiting
    for it could deadlock with intakes that try agents in another order, so the agent is
    skipped (SKIP LOCKED). Once the lock is held, every earlier holder has committed, and
    this new statement sees their assignments, so nobody goes past capacity.
    """
    profile = (
        AgentProfile.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(pk=candidate.agent.pk)
        .first()
    )
    if profile is None:
        candidate.skipped.append("is being given another ticket right now")
        return False
    candidate.user = profile.user
    counts = agent_loads(agent_ids=[candidate.user_id]).get(candidate.user_id, {})
    candidate.load = weighted_load(profile, counts)
    if candidate.load + candidate.weight > candidate.capacity:
        candidate.skipped.append(f"at capacity ({candidate.load}/{candidate.capacity})")
        return False
    return True


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
        AgentProfile.objects.filter(pk=chosen.agent.pk).update(last_assigned_at=plan.now)
    fields = _decision_fields(plan, chosen, agent, text, code)
    if new:
        decision = RoutingDecision.objects.create(ticket=ticket, **fields)
    else:
        decision, _ = RoutingDecision.objects.update_or_create(ticket=ticket, defaults=fields)
    if plan.rule is not None:
        transaction.on_commit(partial(_count_fired, plan.rule.id))
    return decision
