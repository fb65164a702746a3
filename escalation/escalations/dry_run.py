"""Dry-run escalation policies on the newest tickets, with every fact policies can test."""

from __future__ import annotations

from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from escalation.escalations.facts import POLICY_RELATIONS
from tickets.admin_rules import INVALID_CONDITION, RuleDryRun
from tickets.conditions import explain
from tickets.conditions.dry_run import dry_run, recent_tickets
from tickets.models import Ticket

MAX_LIMIT: Final = 5000


def policy_window() -> QuerySet[Ticket]:
    """Newest tickets first, with the rows that routing and escalation facts read."""
    return recent_tickets().select_related(*POLICY_RELATIONS)


def dry_run_policy(*, policy: Any, limit: int) -> RuleDryRun:
    """How often the policy would have fired on the newest `limit` tickets; writes nothing."""
    try:
        result = dry_run(condition=policy.condition, tickets=policy_window(), limit=limit)
    except ValidationError as error:
        return RuleDryRun(name=str(policy), condition_text=INVALID_CONDITION, result=None,
                          error="; ".join(error.messages))
    return RuleDryRun(name=str(policy), condition_text=explain(policy.condition), result=result)


def dry_run_context(policies: Any, *, limit: int) -> dict[str, Any]:
    runs = [dry_run_policy(policy=policy, limit=limit) for policy in policies]
    return {"runs": runs, "limit": limit, "title": f"Dry run against the last {limit} tickets"}
