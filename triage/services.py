"""Triage writes: decisions, clarification requests, re-runs, sentiment and overrides."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tickets.choices import MessageKind, TicketStatus
from tickets.models import Message, Ticket
from tickets.pipeline import IntakeContext
from tickets.services.lifecycle import change_status
from tickets.services.updates import EDITABLE_FIELDS, update_ticket_fields
from triage import text
from triage.incidents import record_incident_link
from triage.models import MessageSentiment, PriorityRule, TriageDecision, TriageOverride, TriageRule
from triage.selectors import sentiment_scores

if TYPE_CHECKING:
    from triage.stages import TriageRun

OVERRIDDEN_FIELDS = ("category", "severity", "priority")


def explain_run(run: TriageRun) -> str:
    """Return the decision in a few sentences an agent can check."""
    parts: list[str] = []
    if run.source == "caller":
        parts.append(f"Category {run.category} was given by the caller.")
    elif run.source == "rules":
        names = ", ".join(rule.name for rule in run.verdict.fired if rule.category == run.category)
        parts.append(f"Category {run.category} (confidence {run.confidence:.2f}) from: {names}.")
    elif run.source == "classifier":
        parts.append(f"No rule was confident; the classifier chose {run.category} "
                     f"(confidence {run.confidence:.2f}).")
    else:
        candidates = dict(run.verdict.scores)
        for name, score in run.classifier.get("top", {}).items():
            candidates.setdefault(name, score)
        listed = ", ".join(f"{name} {score:.2f}" for name, score in list(candidates.items())[:3])
        parts.append(f"Manual review: confidence {run.confidence:.2f} is below the threshold"
                     + (f"; candidates {listed}." if listed else "; no rule matched."))
    if run.priority_rule is not None:
        parts.append(f"Priority {run.priority_rule.priority}: {run.priority_rule.explanation}")
    if run.missing:
        parts.append("Waiting for: " + ", ".join(name for name, _ in run.missing) + ".")
    return " ".join(parts)


def _decision_rules(run: TriageRun) -> list[dict[str, Any]]:
    fired = [*run.verdict.fired, *([run.priority_rule] if run.priority_rule else [])]
    return [
        {"id": rule.id, "name": rule.name, "explanation": rule.explanation,
         "category": rule.category, "weight": rule.weight,
         "kind": "priority" if rule is run.priority_rule else "classification"}
        for rule in fired
    ]


def _save_changes(ticket: Ticket, run: TriageRun) -> None:
    changed = sorted(run.changed)
    if not changed:
        return
    if run.trigger == "intake":
        # Part of creating the ticket: the decision row is the record, not field events.
        ticket.save(update_fields=[*changed, "updated_at"])
        return
    values = {"category": ticket.category_id}
    changes = {name: values.get(name, getattr(ticket, name))
               for name in changed if name in EDITABLE_FIELDS}
    direct = {name: getattr(ticket, name) for name in ("language", "parent_incident_id")
              if name.removesuffix("_id") in changed}
    if direct:
        Ticket.objects.filter(pk=ticket.pk).update(**direct)
    if changes:
        fresh = Ticket.objects.get(pk=ticket.pk)
        update_ticket_fields(ticket=fresh, changes=changes, actor=None,
                             reason=f"triage re-run ({run.trigger})")


def count_fired(*, rule_ids: list[int], priority_rule_id: int | None) -> None:
    """Add one to the fired counters; called after commit so no intake waits on these rows."""
    if rule_ids:
        TriageRule.record_fired_many(rule_ids)
    if priority_rule_id is not None:
        PriorityRule.record_fired_many([priority_rule_id])


def record_triage_run(*, ticket: Ticket, run: TriageRun) -> TriageDecision:
    """Save the run's changes and decision, then ask for missing information or move on."""
    from triage.tasks import after_triage as after_triage_task
    from triage.tasks import enrich_account as enrich_account_task

    _save_changes(ticket, run)
    if run.trigger != "intake":
        TriageDecision.objects.filter(current_for=ticket).update(current_for=None)
    decision = TriageDecision.objects.create(
        ticket=ticket, current_for=ticket, trigger=run.trigger, source=run.source,
        normalised_subject=run.subject[:255], normalised_text=run.body,
        detected_language=run.detected_language, category=run.category,
        severity=ticket.severity, priority=ticket.priority, tags=list(ticket.tags),
        extracted=run.extracted, confidence=run.confidence, needs_review=run.needs_review,
        missing_fields=[name for name, _ in run.missing], sentiment=run.sentiment,
        rules=_decision_rules(run), candidates=run.verdict.scores, classifier=run.classifier,
        explanation=explain_run(run), summary=run.summary,
        parent_incident_id=ticket.parent_incident_id if "parent_incident" in run.changed else None,
        parent_incident_score=run.parent_incident_score,
    )
    if "parent_incident" in run.changed:
        record_incident_link(ticket=ticket, score=run.parent_incident_score)
    _move_on(ticket, run)
    ticket.triage_decision = decision
    # Hot counter rows are updated after commit, so concurrent intakes never queue on them.
    transaction.on_commit(partial(
        count_fired, rule_ids=[rule.id for rule in run.verdict.fired],
        priority_rule_id=run.priority_rule.id if run.priority_rule else None,
    ))
    transaction.on_commit(partial(after_triage_task.delay, ticket.pk, run.trigger == "intake"))
    if run.trigger == "intake" and run.book.enrichment_hook_id and ticket.organization_id:
        transaction.on_commit(partial(enrich_account_task.delay, run.book.enrichment_hook_id,
                                      ticket.pk))
    return decision


def score_first_message(*, ticket: Ticket) -> MessageSentiment | None:
    """Score the customer's first message, the start of the ticket's sentiment trend."""
    message = (
        Message.objects.filter(ticket=ticket, author_contact__isnull=False).order_by("pk").first()
    )
    return None if message is None else score_customer_message(message=message)


def _move_on(ticket: Ticket, run: TriageRun) -> None:
    if run.missing and ticket.status in (TicketStatus.NEW, TicketStatus.AWAITING_INFO):
        if ticket.status == TicketStatus.NEW:
            moved = change_status(ticket=ticket, status=TicketStatus.AWAITING_INFO, actor=None,
                                  reason_code="missing_info",
                                  reason="Waiting for: " + ", ".join(n for n, _ in run.missing))
            ticket.status, ticket.updated_at = moved.status, moved.updated_at
        request_clarification(ticket=ticket, questions=[q for _, q in run.missing])
    elif not run.missing and ticket.status == TicketStatus.AWAITING_INFO:
        moved = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None,
                              reason_code="info_received")
        ticket.status, ticket.updated_at = moved.status, moved.updated_at


def request_clarification(*, ticket: Ticket, questions: list[str]) -> Message:
    """
    Ask the customer, once per run, for just the missing fields; the email goes out through
    tickets' reply path after commit.
    """
    from tickets.tasks import send_reply as send_reply_task

    lines = "\n".join(f"- {question}" for question in questions)
    body = (
        "Thanks for contacting us. To get your request to the right people, please reply "
        f"with:\n{lines}\n\nA short answer is enough; we will take it from there."
    )
    message = Message.objects.create(ticket=ticket, kind=MessageKind.SYSTEM, body=body)
    transaction.on_commit(partial(send_reply_task.delay, message.pk))
    return message


@transaction.atomic
def rerun_triage(*, ticket: Ticket, trigger: str, extra_text: str = "") -> TriageDecision:
    """Run the triage stages again on an existing ticket, e.g. after the customer answered."""
    from django.utils.module_loading import import_string

    from triage.stages import STAGES, run_of

    ticket = Ticket.objects.select_related("requester", "organization").get(pk=ticket.pk)
    ctx = IntakeContext(payload={})
    run = run_of(ticket, ctx)
    run.trigger, run.extra_text = trigger, extra_text
    for path in STAGES:
        import_string(path)(ticket, ctx)
    return ticket.triage_decision


def score_customer_message(*, message: Message) -> MessageSentiment | None:
    """Store the sentiment of a customer message; return None for one with no words."""
    score = text.sentiment(text.normalise(message.body))
    if score is None:
        return None
    row, _ = MessageSentiment.objects.get_or_create(
        message=message, defaults={"ticket_id": message.ticket_id, "score": score}
    )
    return row


def sentiment_trend(*, ticket: Ticket) -> float:
    return text.trend(sentiment_scores(ticket=ticket))


def record_overrides(
    *, ticket: Ticket, before: dict[str, Any], after: dict[str, Any],
    actor: AbstractBaseUser | None,
) -> list[TriageOverride]:
    """Record an agent's change to a value triage decided, against the current decision."""
    decision = TriageDecision.objects.filter(current_for=ticket).first()
    rows = [
        TriageOverride(decision=decision, ticket=ticket, field=name,
                       before=str(before.get(name) or ""), after=str(after.get(name) or ""),
                       actor=actor)
        for name in OVERRIDDEN_FIELDS if name in after
    ]
    return TriageOverride.objects.bulk_create(rows)


@transaction.atomic
def release_awaiting_info(*, ticket_id: int, hours: int) -> Ticket | None:
    """Hand a ticket that waited too long for an answer to normal triage, with a note."""
    ticket = Ticket.objects.select_for_update(skip_locked=True).filter(
        pk=ticket_id, status=TicketStatus.AWAITING_INFO
    ).first()
    if ticket is None:  # answered, moved or claimed by another sweep meanwhile
        return None
    return change_status(
        ticket=ticket, status=TicketStatus.OPEN, actor=None, reason_code="info_timeout",
        reason=f"No answer to the clarification request after {hours} hours; "
        "triaged with the information given.",
    )
