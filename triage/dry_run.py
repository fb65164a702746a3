"""
Dry-run triage rules, the whole enabled rule set and the classifier on recent tickets, with
precision and recall against the category an agent confirmed. Reads only: nothing is saved,
no counter moves, no event is written.

The window is read in one streamed query and each ticket's facts are built once, whatever the
number of rules tried; one more query finds which of those tickets an agent confirmed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import ValidationError

from tickets.choices import TicketStatus
from tickets.conditions import evaluate, explain, validate_condition
from tickets.conditions.dry_run import MAX_EXAMPLES, recent_tickets
from tickets.conditions.explanation import matched_leaves
from tickets.conditions.facts import FACT_RELATIONS, ticket_facts
from tickets.models import Ticket
from triage.classifier import predict
from triage.models import TriageOverride, TriageRule
from triage.rulebook import Rulebook, current_rulebook
from triage.scoring import judge

DEFAULT_LIMIT: Final = 500
_CHUNK_SIZE: Final = 100
_DONE: Final = (TicketStatus.SOLVED, TicketStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class Example:
    id: int
    reference: str
    subject: str
    reasons: tuple[str, ...]
    predicted: str
    confirmed: str


@dataclass(frozen=True, slots=True)
class Quality:
    """Precision and recall over the tickets whose category an agent confirmed."""

    labelled: int
    predicted: int
    correct: int
    relevant: int

    @property
    def precision(self) -> float | None:
        return round(self.correct / self.predicted, 3) if self.predicted else None

    @property
    def recall(self) -> float | None:
        return round(self.correct / self.relevant, 3) if self.relevant else None


@dataclass
class Result:
    matched: int = 0
    examined: int = 0
    examples: list[Example] = field(default_factory=list)


@dataclass
class TriageDryRun:
    """One row of the dry-run page: a rule, the rule set or the classifier."""

    name: str
    condition_text: str
    category: str = ""  # "" for the rule set and classifier: each ticket's own prediction
    result: Result | None = field(default_factory=Result)
    error: str = ""
    measured: bool = True  # False for a rule that sets no category: nothing to compare
    quality: Quality | None = None
    _counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("labelled", "predicted", "correct", "relevant"), 0))

    def add(self, ticket: Ticket, predicted: str, confirmed: str, reasons: Any) -> None:
        """Count one examined ticket; `predicted` is "" when this row does not match it."""
        assert self.result is not None
        self.result.examined += 1
        target = self.category or predicted
        if predicted:
            self.result.matched += 1
            if len(self.result.examples) < MAX_EXAMPLES:
                self.result.examples.append(Example(
                    id=ticket.pk, reference=ticket.reference, subject=ticket.subject,
                    reasons=tuple(reasons()), predicted=predicted, confirmed=confirmed))
        if not confirmed:
            return
        counts = self._counts
        counts["labelled"] += 1
        counts["predicted"] += bool(predicted)
        counts["correct"] += bool(predicted) and predicted == confirmed
        # A rule is recalled against its own category; the rule set and classifier against all.
        counts["relevant"] += confirmed == target if self.category else 1

    def finish(self) -> TriageDryRun:
        if self.result is not None and self.measured:
            self.quality = Quality(**self._counts)
        return self


def confirmed_ticket_ids(tickets: list[Ticket]) -> set[int]:
    """Return which tickets carry an agent-confirmed category: corrected, or solved by an agent."""
    ids = [ticket.pk for ticket in tickets if ticket.category_id]
    corrected = set(
        TriageOverride.objects.filter(ticket_id__in=ids, field="category")
        .exclude(after="").values_list("ticket_id", flat=True)
    )
    return corrected | {
        ticket.pk for ticket in tickets
        if ticket.category_id and ticket.status in _DONE and ticket.first_response_at
    }


def _window(limit: int) -> list[Ticket]:
    queryset = recent_tickets().select_related(*FACT_RELATIONS).defer("search_vector")
    return list(queryset[:limit].iterator(chunk_size=_CHUNK_SIZE))


def _rule_rows(rules: Iterable[TriageRule]) -> list[TriageDryRun]:
    rows = []
    for rule in rules:
        try:
            validate_condition(rule.condition)
        except ValidationError as error:
            rows.append(TriageDryRun(name=str(rule), condition_text="invalid condition",
                                     result=None, error="; ".join(error.messages)))
            continue
        rows.append(TriageDryRun(name=str(rule), condition_text=explain(rule.condition),
                                 category=rule.category_id or "",
                                 measured=bool(rule.category_id)))
    return rows


def dry_run_triage(
    *, rules: Iterable[TriageRule] = (), limit: int = DEFAULT_LIMIT,
    book: Rulebook | None = None,
) -> list[TriageDryRun]:
    """Dry-run each rule, then the enabled rule set and the classifier, on the newest tickets."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    selected = list(rules)
    book = book or current_rulebook()
    rows = _rule_rows(selected)
    rule_set = TriageDryRun(name="All enabled triage rules",
                            condition_text=f"{len(book.rules)} rules, confidence at least "
                            f"{book.confidence_threshold:.2f}; the rest go to manual review")
    classifier = TriageDryRun(
        name="Classifier",
        condition_text="no model trained yet" if book.classifier is None
        else f"model {book.classifier.model_id}, confidence at least "
        f"{book.confidence_threshold:.2f}")
    window = _window(limit)
    confirmed = confirmed_ticket_ids(window)
    for ticket in window:
        facts = ticket_facts(ticket)
        label = ticket.category_id if ticket.pk in confirmed else ""
        for row, rule in zip(rows, selected, strict=True):
            if row.result is not None:
                holds = evaluate(rule.condition, facts=facts)
                row.add(ticket, (rule.category_id or "-") if holds else "", label,
                        lambda rule=rule, facts=facts: matched_leaves(rule.condition, facts=facts))
        verdict = judge(book.rules, facts)
        sure = verdict.category if verdict.confidence >= book.confidence_threshold else ""
        rule_set.add(ticket, sure, label, lambda v=verdict: (rule.name for rule in v.fired))
        guess = predict(book.classifier, facts.get("triage.text") or "")
        sure = guess["category"] if guess and guess["confidence"] >= book.confidence_threshold \
            else ""
        classifier.add(ticket, sure, label, lambda g=guess: (f"confidence {g['confidence']}",))
    return [row.finish() for row in (*rows, rule_set, classifier)]
