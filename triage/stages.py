"""
Intake pipeline stages (settings.HELPDESK_INTAKE_PIPELINE), each ``def stage(ticket, ctx)``.

They run in the create transaction, in the order of STAGES, and share one TriageRun kept in
``ctx.decisions[RUN_KEY]`` until ``record`` writes the TriageDecision and files the API's
``triage`` object in its place. The verbatim subject and description are never changed:
normalised text lives on the decision row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from django.utils.text import slugify

from tickets.conditions import ticket_facts
from tickets.models import Ticket
from tickets.pipeline import IntakeContext
from triage import summary, text
from triage.rulebook import Rulebook, current_rulebook
from triage.scoring import Verdict, first_priority, judge

RUN_KEY: Final = "triage_run"
STAGES: Final = (
    "triage.stages.normalise",
    "triage.stages.detect_language",
    "triage.stages.extract_fields",
    "triage.stages.tag",
    "triage.stages.score_sentiment",
    "triage.stages.classify",
    "triage.stages.check_missing_info",
    "triage.stages.summarise",
    "triage.stages.link_parent_incident",
    "triage.stages.record",
)


@dataclass
class TriageRun:
    """Scratch state of one triage run, shared by the stages."""

    book: Rulebook
    trigger: str = "intake"
    subject: str = ""
    body: str = ""
    rule_text: str = ""
    detected_language: str = ""
    extracted: dict[str, str] = field(default_factory=dict)
    sentiment: float | None = None
    verdict: Verdict = field(default_factory=Verdict)
    category: str = ""
    confidence: float = 0.0
    needs_review: bool = False
    source: str = ""
    classifier: dict[str, Any] = field(default_factory=dict)
    priority_rule: Any = None
    missing: list[tuple[str, str]] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    extra_text: str = ""
    summary: list[str] = field(default_factory=list)
    parent_incident_score: float | None = None


def run_of(ticket: Ticket, ctx: IntakeContext) -> TriageRun:
    """Return this pipeline run's TriageRun, starting one if no stage has yet."""
    run = ctx.decisions.get(RUN_KEY)
    if run is None:
        run = TriageRun(book=current_rulebook())
        ctx.decisions[RUN_KEY] = run
    return run


def normalise(ticket: Ticket, ctx: IntakeContext) -> None:
    """NFC, no markup, collapsed blank space; the stored originals stay verbatim."""
    run = run_of(ticket, ctx)
    run.subject, run.body, run.rule_text = text.normalised_ticket_text(
        ticket.subject, ticket.description)
    if run.extra_text:
        run.body = f"{run.body}\n\n{text.normalise(run.extra_text)}".strip()
        run.rule_text = text.rule_text(run.subject, run.body)


def detect_language(ticket: Ticket, ctx: IntakeContext) -> None:
    """Fill the ticket's language when the caller gave none and detection is sure enough."""
    run = run_of(ticket, ctx)
    if ticket.language:
        return
    code = text.detect_language(f"{run.subject}\n{run.body}")
    if code:
        ticket.language = run.detected_language = code
        run.changed.add("language")


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:  # rejected on save; a row edited in SQL must not break intake
        return None


def extract_fields(ticket: Ticket, ctx: IntakeContext) -> None:
    """Copy what admin-defined extractors find into custom fields the ticket lacks."""
    run = run_of(ticket, ctx)
    found: dict[str, str] = {}
    source = f"{run.subject}\n{run.body}"[: text.MAX_RULE_TEXT]
    for extractor in run.book.extractors:
        if extractor.field in ticket.custom_fields or extractor.field in found:
            continue
        pattern = _compiled(extractor.pattern)
        match = pattern.search(source) if pattern else None
        if match:
            found[extractor.field] = (match.group(1) if pattern.groups else match.group(0))[:200]
    if found:
        run.extracted = found
        ticket.custom_fields = {**ticket.custom_fields, **found}
        run.changed.add("custom_fields")


def account_tags(ticket: Ticket) -> list[str]:
    """Return tags from form selections and account metadata: impact, area, tier, plan, risk."""
    tags = [f"impact-{impact}".replace("_", "-") for impact in ticket.impact or ()]
    if ticket.product_area:
        tags.append(f"area-{slugify(ticket.product_area)}"[:50])
    organization = ticket.organization
    if organization is not None:
        tags.append(f"tier-{organization.tier}".replace("_", "-"))
        if organization.plan:
            tags.append(f"plan-{slugify(organization.plan)}"[:50])
        if organization.at_risk:
            tags.append("at-risk")
    return tags


def _add_tags(ticket: Ticket, run: TriageRun, tags: list[str]) -> None:
    new = [tag for tag in tags if tag and tag not in ticket.tags]
    if new:
        ticket.tags = [*ticket.tags, *new]
        run.changed.add("tags")


def tag(ticket: Ticket, ctx: IntakeContext) -> None:
    """Tag the ticket from its form selections and its organisation."""
    _add_tags(ticket, run_of(ticket, ctx), account_tags(ticket))


def score_sentiment(ticket: Ticket, ctx: IntakeContext) -> None:
    """Score the customer's words; rules can test it as ticket.sentiment."""
    run = run_of(ticket, ctx)
    run.sentiment = text.sentiment(f"{run.subject}\n{run.body}")
    ticket.sentiment = run.sentiment
    run.changed.add("sentiment")


def facts_for(ticket: Ticket, run: TriageRun) -> dict[str, Any]:
    facts = ticket_facts(ticket)
    facts["triage.text"] = run.rule_text
    facts["ticket.sentiment"] = run.sentiment
    return facts


def classify(ticket: Ticket, ctx: IntakeContext) -> None:
    """Decide category, severity, priority and tags; below the threshold, ask a human."""
    from triage.classifier import predict

    run = run_of(ticket, ctx)
    facts = facts_for(ticket, run)
    verdict = run.verdict = judge(run.book.rules, facts)
    threshold = run.book.confidence_threshold
    if ticket.category_id:
        run.category, run.confidence, run.source = ticket.category_id, 1.0, "caller"
    elif verdict.category and verdict.confidence >= threshold:
        run.category, run.confidence, run.source = verdict.category, verdict.confidence, "rules"
    else:
        run.classifier = predict(run.book.classifier, run.rule_text)
        if run.classifier and run.classifier["confidence"] >= threshold:
            run.category, run.source = run.classifier["category"], "classifier"
            run.confidence = run.classifier["confidence"]
        else:
            run.needs_review, run.source = True, "review"
            run.confidence = max(verdict.confidence, run.classifier.get("confidence", 0.0))
    if run.category and run.category != ticket.category_id:
        ticket.category_id = run.category
        run.changed.add("category")
    _set_priority(ticket, ctx, run, facts)
    _add_tags(ticket, run, verdict.tags)


def _set_priority(
    ticket: Ticket, ctx: IntakeContext, run: TriageRun, facts: dict[str, Any]
) -> None:
    facts["ticket.category"] = run.category or None
    rule = first_priority(run.book.priority_rules, facts)
    run.priority_rule = rule
    severity = run.verdict.severity or (rule.severity if rule else "")
    priority = run.verdict.priority or (rule.priority if rule else "")
    if severity and severity != ticket.severity:
        ticket.severity = severity
        run.changed.add("severity")
    # A priority the caller chose is theirs; triage only fills the default.
    if priority and priority != ticket.priority and not ctx.payload.get("priority"):
        ticket.priority = priority
        run.changed.add("priority")


def _value(ticket: Ticket, name: str) -> Any:
    if name == "product_area":
        return ticket.product_area
    value = ticket.custom_fields.get(name) if isinstance(ticket.custom_fields, dict) else None
    return value.strip() if isinstance(value, str) else value


def check_missing_info(ticket: Ticket, ctx: IntakeContext) -> None:
    """List the required fields of the ticket's category and channel that it lacks."""
    run = run_of(ticket, ctx)
    for need in run.book.requirements:
        if need.category not in ("", run.category) or need.channel not in ("", ticket.channel):
            continue
        if need.category == "" and not run.category and run.needs_review:
            continue  # ask only for what the category needs once it is known
        if _value(ticket, need.field) in (None, "", [], {}) and need.field not in dict(run.missing):
            run.missing.append((need.field, need.question))


def summarise(ticket: Ticket, ctx: IntakeContext) -> None:
    """Pick the key sentences of a long message; agents read them beside the original."""
    run = run_of(ticket, ctx)
    run.summary = summary.summarise(run.body)


def link_parent_incident(ticket: Ticket, ctx: IntakeContext) -> None:
    """Make the ticket a child of the open parent incident it reads like, if any."""
    from triage.incidents import best_parent_incident

    run = run_of(ticket, ctx)
    if ticket.parent_incident_id is not None or ticket.is_parent_incident:
        return
    match = best_parent_incident(ticket=ticket, subject=run.subject, body=run.body,
                                 min_rank=run.book.parent_incident_min_rank)
    if match is not None:
        ticket.parent_incident_id, run.parent_incident_score = match
        run.changed.add("parent_incident")


def record(ticket: Ticket, ctx: IntakeContext) -> None:
    """Save what triage changed, write the decision, and file the API's triage object."""
    from triage.services import record_triage_run

    run = run_of(ticket, ctx)
    # The scratch state must not outlive the pipeline run, nor reach the API response.
    del ctx.decisions[RUN_KEY]
    decision = record_triage_run(ticket=ticket, run=run)
    ctx.decisions["triage"] = decision.as_api()
