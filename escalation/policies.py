"""
SLA policies and their targets held per process, reloaded when an admin edits one (the same
versioned cache as triage and routing rules): intake matches a policy without a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from escalation.choices import DEFAULT_PAUSE_STATUSES
from tickets.conditions import evaluate, ticket_facts
from tickets.rule_cache import VersionedRules

if TYPE_CHECKING:
    from escalation.models import BusinessCalendar
    from tickets.models import Ticket


@dataclass(frozen=True, slots=True)
class TargetSpec:
    metric: str
    seconds: int
    calendar: BusinessCalendar
    pause_statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolicySpec:
    id: int
    name: str
    explanation: str
    condition: dict[str, Any]
    targets: dict[str, TargetSpec]


def _load(version: str) -> tuple[PolicySpec, ...]:
    from escalation.models import SlaPolicy

    policies = SlaPolicy.objects.filter(enabled=True).prefetch_related("targets__calendar")
    return tuple(
        PolicySpec(
            id=policy.pk, name=policy.name, explanation=policy.explanation,
            condition=policy.condition,
            targets={target.metric: TargetSpec(
                metric=target.metric, seconds=target.minutes * 60, calendar=target.calendar,
                pause_statuses=tuple(target.pause_statuses
                                     or DEFAULT_PAUSE_STATUSES[target.metric]),
            ) for target in policy.targets.all()},
        )
        for policy in policies.order_by("order", "pk")
    )


sla_policies: VersionedRules[tuple[PolicySpec, ...]] = VersionedRules("escalation:sla", _load)


def matching_policy(ticket: Ticket) -> PolicySpec | None:
    """Return the first enabled policy, in order, whose condition holds for the ticket."""
    facts = ticket_facts(ticket)
    return next((policy for policy in sla_policies.current()
                 if evaluate(policy.condition, facts=facts)), None)

