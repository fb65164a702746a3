"""
Turn fired rules into one decision: candidates, a confidence, and values to set.

Pure functions over the loaded rulebook (its rules' compiled conditions) and a facts mapping;
no database access.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from tickets.conditions.compiled import TicketFacts
from triage.rulebook import LoadedRule

# The runner-up's score is subtracted at this rate: two categories both backed by strong
# rules give a low confidence, so the ticket is reviewed rather than guessed.
COMPETITION: Final = 0.6


@dataclass
class Verdict:
    """What the rules said about a ticket."""

    fired: list[LoadedRule] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    category: str = ""
    confidence: float = 0.0
    severity: str = ""
    priority: str = ""
    tags: list[str] = field(default_factory=list)


def fired_rules(rules: tuple[LoadedRule, ...], facts: Mapping[str, Any]) -> list[LoadedRule]:
    """Return the rules whose condition holds, in rule order."""
    view = TicketFacts(facts)
    return [rule for rule in rules if rule.holds(view)]


def category_scores(fired: list[LoadedRule]) -> dict[str, float]:
    """Combine each category's fired weights as independent evidence (noisy-OR)."""
    doubt: dict[str, float] = {}
    for rule in fired:
        if rule.category:
            doubt[rule.category] = doubt.get(rule.category, 1.0) * (1.0 - rule.weight)
    scores = {category: round(1.0 - rest, 4) for category, rest in doubt.items()}
    return dict(sorted(scores.items(), key=lambda item: -item[1]))


def confidence_of(scores: Mapping[str, float]) -> tuple[str, float]:
    """Return the leading category and its confidence once the runner-up is discounted."""
    ranked = list(scores.items())
    if not ranked:
        return "", 0.0
    category, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return category, round(max(0.0, top - COMPETITION * runner_up), 4)


def judge(rules: tuple[LoadedRule, ...], facts: Mapping[str, Any]) -> Verdict:
    """Evaluate the classification rules and return their verdict."""
    fired = fired_rules(rules, facts)
    scores = category_scores(fired)
    category, confidence = confidence_of(scores)
    verdict = Verdict(fired=fired, scores=scores, category=category, confidence=confidence)
    for rule in fired:
        # Severity and priority come from rules that agree with the winner or are neutral.
        if rule.category in ("", category):
            verdict.severity = verdict.severity or rule.severity
            verdict.priority = verdict.priority or rule.priority
        verdict.tags.extend(tag for tag in rule.tags if tag not in verdict.tags)
    return verdict


def first_priority(
    rules: tuple[LoadedRule, ...], facts: Mapping[str, Any]
) -> LoadedRule | None:
    """Return the first priority rule that holds, or None."""
    view = TicketFacts(facts)
    return next((rule for rule in rules if rule.holds(view)), None)
