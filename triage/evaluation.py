"""
Measure triage on the labelled set through the intake service itself, then roll back.

Each labelled ticket is created with tickets.services.intake.create_ticket, so every stage in
settings.HELPDESK_INTAKE_PIPELINE runs exactly as for a real request; the whole run is one
transaction that is rolled back, so nothing is kept and no email is queued.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tickets.models import Organization
from tickets.services.intake import NewTicket, create_ticket
from triage.learning import labelled_examples


class _Rollback(Exception):
    pass


@dataclass
class Outcome:
    expected: str
    predicted: str  # "" when sent to manual review
    source: str
    priority_ok: bool
    severity_ok: bool
    language_ok: bool | None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        seen = {o.expected for o in self.outcomes} | {o.predicted for o in self.outcomes}
        return sorted(seen - {""})

    @property
    def automatic(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.predicted]

    def coverage(self, category: str | None = None) -> float:
        rows = [o for o in self.outcomes if category in (None, o.expected)]
        return sum(1 for o in rows if o.predicted) / len(rows) if rows else 0.0

    def precision(self, category: str | None = None) -> float:
        rows = [o for o in self.automatic if category in (None, o.predicted)]
        return sum(1 for o in rows if o.predicted == o.expected) / len(rows) if rows else 0.0

    def recall(self, category: str) -> float:
        rows = [o for o in self.outcomes if o.expected == category]
        return sum(1 for o in rows if o.predicted == category) / len(rows) if rows else 0.0

    def confusion(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = {c: Counter() for c in self.categories}
        for o in self.outcomes:
            table[o.expected][o.predicted or "review"] += 1
        return table


def _organizations() -> dict[str, Organization]:
    return {
        tier: Organization.objects.create(name=f"Eval {tier}", tier=tier,
                                          external_id=f"eval-triage-{tier}")
        for tier in ("self_serve", "smb", "enterprise", "internal")
    }


def _request(row: dict[str, Any], number: int, organization: Organization) -> NewTicket:
    return NewTicket(
        subject=row["subject"], description=row["description"],
        requester_email=f"eval{number}@eval-triage.example",
        organization_external_id=organization.external_id or "",
        channel=row.get("channel", "api"), impact=list(row.get("impact", [])),
        custom_fields=dict(row.get("custom_fields", {})),
    )


def _outcome(row: dict[str, Any], ticket: Any, decision: dict[str, Any], source: str) -> Outcome:
    language = row.get("language")
    return Outcome(
        expected=row["category"], predicted=decision.get("category") or "", source=source,
        priority_ok=ticket.priority == row.get("priority"),
        severity_ok=ticket.severity == row.get("severity"),
        language_ok=(ticket.language == language) if language else None,
    )


def evaluate_labelled_set(rows: list[dict[str, Any]] | None = None) -> Report:
    """Create every labelled ticket through intake, record what triage decided, keep nothing."""
    rows = labelled_examples() if rows is None else rows
    report = Report()
    try:
        with transaction.atomic():
            organizations = _organizations()
            for number, row in enumerate(rows):
                ticket, ctx = create_ticket(
                    request=_request(row, number, organizations[row.get("tier", "smb")])
                )
                decision = ctx.decisions.get("triage") or {}
                source = ticket.triage_decision.source
                report.outcomes.append(_outcome(row, ticket, decision, source))
            raise _Rollback
    except _Rollback:
        pass
    return report


def format_report(report: Report) -> str:
    """Return the report as the text `make eval-triage` prints."""
    lines = [f"{'category':<16} {'precision':>9} {'recall':>7} {'coverage':>9} {'n':>4}"]
    for category in report.categories:
        n = sum(1 for o in report.outcomes if o.expected == category)
        lines.append(f"{category:<16} {report.precision(category):>9.1%} "
                     f"{report.recall(category):>7.1%} {report.coverage(category):>9.1%} {n:>4}")
    total = len(report.outcomes)
    lines.append(f"{'overall':<16} {report.precision():>9.1%} {'':>7} {report.coverage():>9.1%} "
                 f"{total:>4}")
    auto = report.automatic
    lines.append("")
    lines.append(f"priority correct {sum(o.priority_ok for o in report.outcomes) / total:.1%}, "
                 f"severity correct {sum(o.severity_ok for o in report.outcomes) / total:.1%} "
                 "(all tickets)")
    langs = [o.language_ok for o in report.outcomes if o.language_ok is not None]
    if langs:
        lines.append(f"language detected correctly {sum(langs) / len(langs):.1%}")
    sources = Counter(o.source for o in report.outcomes)
    lines.append(f"decided automatically {len(auto)}/{total}; by "
                 + ", ".join(f"{name} {count}" for name, count in sources.items()))
    lines.append("")
    lines.append("confusion matrix (rows: expected, columns: predicted)")
    columns = [*report.categories, "review"]
    short = {c: c[:8] for c in columns}
    lines.append(f"{'':<16}" + "".join(f"{short[c]:>9}" for c in columns))
    for category, counts in report.confusion().items():
        lines.append(f"{category:<16}" + "".join(f"{counts.get(c, 0):>9}" for c in columns))
    return "\n".join(lines)
