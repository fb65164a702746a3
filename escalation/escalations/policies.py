"""
Enabled escalation policies held per process and reloaded when an admin edits one (the same
versioned cache as triage, routing and SLA rules): evaluating them costs no query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tickets.conditions import evaluate
from tickets.rule_cache import VersionedRules


@dataclass(frozen=True, slots=True)
class PolicySpec:
    id: int
    name: str
    explanation: str
    condition: dict[str, Any]
    level: int
    notify_assignee: bool
    notify_team_lead: bool
    notify_managers: bool
    notify_on_call: bool
    notify_user_ids: tuple[int, ...]
    notification_kind: str
    set_priority: str
    owner_team_id: int | None
    owner_user_id: int | None
    customer_update: bool
    customer_template: str
    promised_response_minutes: int | None
    de_escalate_on: tuple[str, ...]


def spec_of(policy: Any) -> PolicySpec:
    """Return the in-memory form of a policy row (notify_users prefetched)."""
    return PolicySpec(
        id=policy.pk, name=policy.name, explanation=policy.explanation,
        condition=policy.condition, level=policy.level,
        notify_assignee=policy.notify_assignee, notify_team_lead=policy.notify_team_lead,
        notify_managers=policy.notify_managers, notify_on_call=policy.notify_on_call,
        notify_user_ids=tuple(user.pk for user in policy.notify_users.all()),
        notification_kind=policy.notification_kind, set_priority=policy.set_priority,
        owner_team_id=policy.owner_team_id, owner_user_id=policy.owner_user_id,
        customer_update=policy.customer_update, customer_template=policy.customer_template,
        promised_response_minutes=policy.promised_response_minutes,
        de_escalate_on=tuple(policy.de_escalate_on),
    )


def _load(version: str) -> tuple[PolicySpec, ...]:
    from escalation.escalations.models import EscalationPolicy

    policies = (EscalationPolicy.objects.filter(enabled=True).order_by("order", "pk")
                .prefetch_related("notify_users"))
    return tuple(spec_of(policy) for policy in policies)


escalation_policies: VersionedRules[tuple[PolicySpec, ...]] = VersionedRules(
    "escalation:policies", _load
)


def matching_policies(
    facts: Mapping[str, Any], *, skip: frozenset[int] = frozenset(),
    policies: tuple[PolicySpec, ...] | None = None,
) -> list[PolicySpec]:
    """Return every enabled policy, in order, whose condition holds, except those in `skip`."""
    policies = escalation_policies.current() if policies is None else policies
    return [policy for policy in policies
            if policy.id not in skip and evaluate(policy.condition, facts=facts)]
