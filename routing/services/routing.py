"""Route a ticket: plan, claim an agent under a row lock, store the decision, assign."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from routing.candidates import Candidate, pack_candidates
from routing.choices import Fallback
from routing.explanation import explain_plan, reason_code
from routing.models import RoutingDecision, RoutingRule
from routing.planning import Plan, plan_routing
from routing.services.claim import claim_and_store, lock_and_recheck, store_decision
from tickets.models import Team, Ticket
from tickets.services.assignment import assign_ticket

# Agents tried under a lock before the ticket queues on the team; bounds the queries of one
# routing decision whatever the size of the team.
MAX_LOCK_ATTEMPTS: Final = 5


def claim_agent(plan: Plan, *, start: int = 0) -> Candidate | None:
    """Return the first agent, in the strategy's order, who is still free under a lock."""
    for candidate in plan.ordered[start:MAX_LOCK_ATTEMPTS]:
        if lock_and_recheck(candidate, plan.now):
            return candidate
    if plan.ordered:
        # They were eligible a moment ago: only capacity, or a concurrent intake, stopped them.
        plan.fallback = Fallback.AT_CAPACITY
    return None


def _count_fired(rule_id: int) -> None:
    # After commit, outside the intake transaction: the counter row would otherwise be
    # locked until commit and serialise every intake that matches the same rule.
    RoutingRule.record_fired_many([rule_id])


def _decision_fields(plan: Plan, agent_id: int | None, text: str,
                     reason_code_override: str) -> dict[str, Any]:
    # The code is read from the plan as it stands: a refused claim may have changed the fallback.
    code = reason_code_override or reason_code(plan)
    return {
        "rule_id": plan.rule.id if plan.rule else None,
        "rule_name": plan.rule.name if plan.rule else "",
        "strategy": plan.strategy,
        "team_id": plan.team.id if plan.team else None,
        "agent_id": agent_id,
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


def _claim_first(ticket: Ticket, plan: Plan, reason_code_override: str) -> tuple[
        Candidate | None, RoutingDecision | None]:
    """
    Claim the strategy's first choice and store the decision that names them, in one round
    trip; if the claim found them other than the plan did, try the others, one round trip
    each, and leave the decision to be stored with what was found.
    """
    first = plan.ordered[0]
    fields = _decision_fields(plan, first.user_id, explain_plan(plan, first),
                              reason_code_override)
    claimed, decision = claim_and_store(ticket, first, plan.now, fields)
    if claimed:
        return first, decision
    return claim_agent(plan, start=1), None


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
    chosen, decision = (_claim_first(ticket, plan, reason_code_override) if plan.ordered
                        else (None, None))
    agent = chosen.user if chosen is not None else plan.on_call
    if decision is None:
        fields = _decision_fields(plan, agent.pk if agent else None, explain_plan(plan, chosen),
                                  reason_code_override)
        decision = store_decision(ticket, fields)
        decision.agent = agent
    text = decision.explanation
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
