"""
The enabled triage configuration, loaded once per process and reloaded when an admin edits it.

Stages must cost a few milliseconds, so rules are not read from the database per ticket. A
version token in the shared cache (Redis) says when every process must reload: edits bump
it (signals.py); a cleared cache gets a fresh token, so nothing stale survives a flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tickets.conditions.compiled import Predicate, compile_condition
from tickets.rule_cache import VersionedRules
from triage.classifier import Scorer


@dataclass(frozen=True, slots=True)
class LoadedRule:
    id: int
    name: str
    explanation: str
    condition: dict[str, Any]
    weight: float
    category: str
    severity: str
    priority: str
    tags: tuple[str, ...]
    # The condition compiled once per load: what intake evaluates (triage.predicates).
    holds: Predicate = field(default=compile_condition(None), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LoadedExtractor:
    name: str
    pattern: str
    field: str


@dataclass(frozen=True, slots=True)
class LoadedRequirement:
    category: str
    channel: str
    field: str
    question: str


@dataclass(frozen=True, slots=True)
class Rulebook:
    version: str
    rules: tuple[LoadedRule, ...]
    priority_rules: tuple[LoadedRule, ...]
    extractors: tuple[LoadedExtractor, ...]
    requirements: tuple[LoadedRequirement, ...]
    confidence_threshold: float
    classifier: Scorer | None = None
    parent_incident_min_rank: float = 1.0
    # The enabled account-enrichment hook, so intake knows without a query whether to call it.
    enrichment_hook_id: int | None = None


def bump_version() -> None:
    """Make every process reload the rulebook before its next triage run."""
    rulebooks.invalidate()


def publish_rulebook_version() -> None:
    """Settle the token as a committed edit does; tests call it inside their transaction."""
    rulebooks.publish()


def current_rulebook() -> Rulebook:
    """Return the rulebook, reading the database only when the version token changed."""
    return rulebooks.current()


def _rule(row: Any, *, category: str = "", weight: float = 1.0) -> LoadedRule:
    return LoadedRule(
        id=row.pk, name=row.name, explanation=row.explanation, condition=row.condition or {},
        weight=weight, category=category, severity=row.severity, priority=row.priority,
        tags=tuple(getattr(row, "tags", ()) or ()), holds=compile_condition(row.condition),
    )


def _load(version: str) -> Rulebook:
    from triage.models import Extractor, PriorityRule, RequiredField, TriageRule
    from triage.selectors import active_classifier, enabled_enrichment_hook, triage_settings

    rules = tuple(
        _rule(row, category=row.category_id or "", weight=row.weight)
        for row in TriageRule.objects.filter(enabled=True).order_by("order", "pk")
    )
    priority_rules = tuple(
        _rule(row) for row in PriorityRule.objects.filter(enabled=True).order_by("order", "pk")
    )
    extractors = tuple(
        LoadedExtractor(name=row.name, pattern=row.pattern, field=row.field)
        for row in Extractor.objects.filter(enabled=True).order_by("order", "pk")
    )
    requirements = tuple(
        LoadedRequirement(category=row.category_id or "", channel=row.channel, field=row.field,
                          question=row.question)
        for row in RequiredField.objects.filter(enabled=True)
    )
    knobs = triage_settings()
    hook = enabled_enrichment_hook()
    return Rulebook(
        version=version, rules=rules, priority_rules=priority_rules, extractors=extractors,
        requirements=requirements,
        confidence_threshold=knobs.confidence_threshold,
        classifier=_scorer(active_classifier()),
        parent_incident_min_rank=knobs.parent_incident_min_rank,
        enrichment_hook_id=hook.pk if hook else None,
    )


def _scorer(model: Any) -> Scorer | None:
    return None if model is None else Scorer.from_weights(model.weights, model_id=model.pk)


rulebooks: VersionedRules[Rulebook] = VersionedRules("triage:rulebook", _load)
