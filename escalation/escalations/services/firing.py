"""
Fire escalation policies on a ticket: one Escalation row per (ticket, policy) until it is
de-escalated, then the policy's actions (priority, owner, notifications, customer update).

Callers hold the ticket's row lock (intake's transaction, a lifecycle service, the sweep's
SKIP LOCKED claim); the partial unique constraint is what makes a fire happen once even if
two of them ever raced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from escalation.escalations.choices import EscalationTrigger
from escalation.escalations.facts import POLICY_RELATIONS
from escalation.escalations.models import Escalation, EscalationPolicy
from escalation.escalations.policies import PolicySpec, escalation_policies, matching_policies
from escalation.escalations.services.customer import send_customer_update
from escalation.escalations.services.recipients import described, policy_recipients
from escalation.notifications.services import escalation_line, notify
from tickets.choices import UNSOLVED, EventKind
from tickets.conditions import matched_leaves, ticket_facts
from tickets.conditions.facts import FACT_RELATIONS
from tickets.events import record_event
from tickets.exceptions import DomainError
from tickets.models import Team, Ticket
from tickets.services.assignment import UNCHANGED, assign_ticket
from tickets.services.updates import update_ticket_fields

# A policy's own actions (priority, owner) write events whose handlers would evaluate the
# policies again, inside this fire; the outer evaluation already covers every policy.
_firing: ContextVar[bool] = ContextVar("escalation_firing", default=False)
# Fields the actions may change, refreshed on the caller's ticket instance after a fire.
CHANGED_FIELDS = ("priority", "assignee", "team", "escalated_at", "sla_due_at", "status",
                  "reassignments", "updated_at")


def policy_tickets(ticket_ids: Iterable[int]) -> list[Ticket]:
    """Return the tickets with everything the facts read, in one query."""
    return list(Ticket.objects.filter(pk__in=list(ticket_ids))
                .select_related(*FACT_RELATIONS, *POLICY_RELATIONS).defer("search_vector")
                .order_by("pk"))


def open_policy_ids(ticket_ids: Iterable[int]) -> dict[int, set[int]]:
    """Return, per ticket, the policies with an escalation still open on it."""
    found: dict[int, set[int]] = {}
    rows = Escalation.objects.filter(
        ticket_id__in=list(ticket_ids), de_escalated_at__isnull=True, policy__isnull=False
    ).values_list("ticket_id", "policy_id")
    for ticket_id, policy_id in rows:
        found.setdefault(ticket_id, set()).add(policy_id)
    return found


def evaluate_ticket(*, ticket: Ticket, now: datetime, skip: frozenset[int] = frozenset(),
                    loaded: bool = False) -> list[Escalation]:
    """
    Fire every enabled policy that holds for the ticket and is not open on it. `loaded` says
    the instance already carries the facts' relations (intake's own ticket); otherwise it is
    read again with them. Costs nothing when no policy is enabled.
    """
    if _firing.get() or not escalation_policies.current():
        return []
    if ticket.status not in UNSOLVED:
        return []
    subject = ticket if loaded else policy_tickets([ticket.pk])[0]
    known = set() if loaded else open_policy_ids([ticket.pk]).get(ticket.pk, set())
    fired = fire_matching(ticket=subject, skip=frozenset(known) | skip, now=now)
    if fired:
        ticket.refresh_from_db(fields=CHANGED_FIELDS)
    return fired


def fire_matching(*, ticket: Ticket, skip: frozenset[int], now: datetime,
                  policies: tuple[PolicySpec, ...] | None = None) -> list[Escalation]:
    facts = ticket_facts(ticket)
    fired = [escalation for policy in matching_policies(facts, skip=skip, policies=policies)
             if (escalation := fire(ticket=ticket, policy=policy, facts=facts, now=now))]
    if fired:
        EscalationPolicy.record_fired_many([e.policy_id for e in fired])
    return fired


def fire(*, ticket: Ticket, policy: PolicySpec, facts: Mapping[str, Any],
         now: datetime) -> Escalation | None:
    """Escalate the ticket under the policy, or return None if it is already escalated."""
    token = _firing.set(True)
    try:
        with transaction.atomic():
            escalation = _create(ticket=ticket, policy=policy, facts=facts, now=now)
            if escalation is None:
                return None
            Ticket.objects.filter(pk=ticket.pk).update(escalated_at=now)
            record_event(
                ticket=ticket, kind=EventKind.ESCALATED, actor=None,
                reason_code=EscalationTrigger.POLICY, note=escalation.reason,
                before={"escalated_at": ticket.escalated_at},
                after={"escalated_at": now, "trigger": EscalationTrigger.POLICY,
                       "policy": policy.name, "policy_id": policy.id,
                       "escalation": escalation.pk, "level": policy.level},
            )
            _act(escalation=escalation, ticket=ticket, policy=policy, now=now)
            return escalation
    finally:
        _firing.reset(token)


def _reason(policy: PolicySpec, facts: Mapping[str, Any]) -> str:
    leaves = matched_leaves(policy.condition, facts=facts)
    return f"{policy.explanation} ({'; '.join(leaves)})" if leaves else policy.explanation


def _create(*, ticket: Ticket, policy: PolicySpec, facts: Mapping[str, Any],
            now: datetime) -> Escalation | None:
    try:
        with transaction.atomic():
            return Escalation.objects.create(
                ticket=ticket, policy_id=policy.id, trigger=EscalationTrigger.POLICY,
                level=policy.level, reason=_reason(policy, facts),
                priority=policy.set_priority or ticket.priority,
                de_escalate_on=list(policy.de_escalate_on), created_at=now,
            )
    except IntegrityError:
        return None  # open already: the constraint is the last word on "once"


def _act(*, escalation: Escalation, ticket: Ticket, policy: PolicySpec, now: datetime) -> None:
    note = f"Escalation policy {policy.name}: {escalation.reason}"
    if policy.set_priority and policy.set_priority != ticket.priority:
        update_ticket_fields(ticket=ticket, changes={"priority": policy.set_priority},
                             actor=None, reason=note)
    _hand_to_owner(ticket=ticket, policy=policy, note=note)
    current = (Ticket.objects.select_related("team__lead", "assignee", "organization",
                                             "requester").get(pk=ticket.pk))
    people = policy_recipients(ticket=current, policy=policy)
    notify(recipients=people, kind=policy.notification_kind, ticket=current,
           subject=f"{current.reference} escalated (level {policy.level}): {current.subject}",
           body=escalation_line(ticket=current, headline="ESCALATION")
           + f"\nWhy: {escalation.reason}",
           dedupe_key=f"escalation:{escalation.pk}")
    escalation.notified = described(people)
    if policy.customer_update:
        escalation.customer_update = send_customer_update(policy=policy, ticket=current, now=now)
    escalation.save(update_fields=["notified", "customer_update"])


def _hand_to_owner(*, ticket: Ticket, policy: PolicySpec, note: str) -> None:
    if not policy.owner_team_id and not policy.owner_user_id:
        return
    team = Team.objects.get(pk=policy.owner_team_id) if policy.owner_team_id else UNCHANGED
    agent = (get_user_model().objects.get(pk=policy.owner_user_id)
             if policy.owner_user_id else UNCHANGED)
    try:
        assign_ticket(ticket=ticket, team=team, agent=agent, reason_code="escalation",
                      actor=None, note=note)
    except DomainError as refused:
        # An owner who left the team must not undo the escalation: it stands, unassigned.
        record_event(ticket=ticket, kind=EventKind.NOTE_ADDED, actor=None,
                     reason_code="escalation_owner_refused", note=f"{note}. {refused}")
