"""
Try a condition on recent tickets, so that an admin sees what a rule would do before enabling it.

Not re-exported by the package: it queries tickets, and the package must stay importable from
models and migrations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from tickets.conditions.evaluation import evaluate
from tickets.conditions.explanation import matched_leaves
from tickets.conditions.facts import FACT_RELATIONS, ticket_facts
from tickets.conditions.validation import validate_condition

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from tickets.models import Ticket

DEFAULT_LIMIT: Final = 200
MAX_EXAMPLES: Final = 20
# Rows fetched per round trip of the server-side cursor; bounds memory whatever the limit.
_CHUNK_SIZE: Final = 100


@dataclass(frozen=True, slots=True)
class DryRunMatch:
    """A ticket the condition held for, and the parts of the condition that held."""

    id: int
    reference: str
    subject: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DryRunResult:
    """How many of the tickets examined a condition held for, with the first few as examples."""

    matched: int
    examined: int
    examples: tuple[DryRunMatch, ...]


def recent_tickets() -> QuerySet[Ticket]:
    """Return every ticket, newest first, with the relations that ticket_facts reads."""
    from tickets.models import Ticket

    return Ticket.objects.order_by("-created_at", "-pk").select_related(*FACT_RELATIONS)


def _window(tickets: QuerySet[Ticket] | None, limit: int) -> QuerySet[Ticket]:
    queryset = recent_tickets() if tickets is None else tickets
    if not queryset.ordered:
        queryset = queryset.order_by("-created_at", "-pk")
    # The search vector is never a fact and is as large as the text it indexes.
    return queryset.select_related(*FACT_RELATIONS).defer("search_vector")[:limit]


def dry_run(
    *,
    condition: Mapping[str, Any] | None,
    tickets: QuerySet[Ticket] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> DryRunResult:
    """
    Evaluate the condition on the newest `limit` tickets and report how often it held.

    `tickets` narrows the tickets examined; an unordered queryset is taken newest first.
    The tickets are read in one query and streamed, so memory does not grow with `limit`.
    No message is given, so message.* facts are None and leaves on them do not hold.
    Raise ValidationError if the condition is malformed, before any query.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    validate_condition(condition)
    matched, examined = 0, 0
    examples: list[DryRunMatch] = []
    for ticket in _window(tickets, limit).iterator(chunk_size=_CHUNK_SIZE):
        examined += 1
        facts = ticket_facts(ticket)
        if not evaluate(condition, facts=facts):
            continue
        matched += 1
        if len(examples) < MAX_EXAMPLES:
            reasons = tuple(matched_leaves(condition, facts=facts))
            examples.append(
                DryRunMatch(
                    id=ticket.pk, reference=ticket.reference, subject=ticket.subject,
                    reasons=reasons,
                )
            )
    return DryRunResult(matched=matched, examined=examined, examples=tuple(examples))
