"""Follow-up rules, held per process until an admin edits one (tickets.rule_cache)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from followup.models import FollowupRule
from tickets.conditions import evaluate
from tickets.rule_cache import VersionedRules


def _load(_version: str) -> list[FollowupRule]:
    return list(
        FollowupRule.objects.filter(enabled=True).select_related("calendar")
        .order_by("order", "pk")
    )


followup_rules: VersionedRules[list[FollowupRule]] = VersionedRules("followup.rules", _load)


def first_matching_rule(
    *, trigger: str, kind: str, facts: Mapping[str, Any]
) -> FollowupRule | None:
    """Return the first enabled rule of this trigger and kind whose condition holds."""
    for rule in followup_rules.current():
        if rule.trigger == trigger and rule.kind == kind and evaluate(rule.condition, facts=facts):
            return rule
    return None


def due_after(*, rule: FollowupRule, start: datetime, wait: timedelta) -> datetime:
    """Return when `wait` has passed after `start`, in the rule's business time if it has one."""
    if rule.calendar is None:
        return start + wait
    from escalation.calendars import add_business_time

    return add_business_time(rule.calendar, start, wait.total_seconds())
