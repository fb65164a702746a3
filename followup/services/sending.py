"""Send one claimed follow-up step: re-check the ticket under its lock, email, record."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from followup import emails
from followup.choices import Step, StepReason, StepState
from followup.models import ScheduledStep
from followup.selectors import followup_settings
from followup.services.scheduling import ticket_still_due
from tickets.choices import EventKind, TicketStatus
from tickets.events import record_event
from tickets.models import OutboundEmail, Ticket
from tickets.services.lifecycle import change_status
from tickets.services.outbound import queue_email

AUTO_CLOSE_REASON = "followup_auto_close"


def send_step(*, step_id: int) -> str:
    """Send one claimed step; return what became of it. Safe to call again for the same id."""
    ticket_id = (
        ScheduledStep.objects.filter(pk=step_id).values_list("ticket_id", flat=True).first()
    )
    if ticket_id is None:
        return "missing"
    with transaction.atomic():
        # Ticket first, then step: the order every status change takes (handlers cancel steps
        # while holding the ticket), so the two never wait on each other.
        ticket = (
            Ticket.objects.select_for_update(of=("self",)).select_related("requester")
            .defer("search_vector").get(pk=ticket_id)
        )
        step = (
            ScheduledStep.objects.select_for_update(of=("self",)).select_related("rule")
            .filter(pk=step_id, state=StepState.CLAIMED).first()
        )
        if step is None:  # sent, cancelled or skipped already
            return "done"
        if not ticket_still_due(step, ticket):
            _finish(step, ticket, StepState.CANCELLED, StepReason.STATE_CHANGED)
            return StepState.CANCELLED
        if step.step == Step.SURVEY and _recently_surveyed(step):
            _finish(step, ticket, StepState.SKIPPED, StepReason.RECENTLY_SURVEYED)
            return StepState.SKIPPED
        outbound = _perform(step, ticket)
        step.outbound = outbound
        _finish(step, ticket, StepState.SENT, "")
        transaction.on_commit(partial(_deliver, outbound.pk))
        return StepState.SENT


def _deliver(outbound_id: int) -> None:
    from tickets.tasks import deliver_outbound_email

    deliver_outbound_email.delay(outbound_id)


def _perform(step: ScheduledStep, ticket: Ticket) -> OutboundEmail:
    rule = step.rule
    subject = emails.thread_subject(ticket)
    if step.step == Step.REMINDER:
        return queue_email(ticket=ticket, kind=OutboundEmail.Kind.REMINDER, subject=subject,
                           body=emails.reminder_body(ticket=ticket, text=rule.reminder_text))
    if step.step == Step.CLOSE:
        ticket = change_status(ticket=ticket, status=TicketStatus.CLOSED, actor=None,
                               reason_code=AUTO_CLOSE_REASON, reason=rule.name)
        return queue_email(ticket=ticket, kind=OutboundEmail.Kind.NOTICE, subject=subject,
                           body=emails.reminder_body(ticket=ticket, text=rule.close_text))
    return queue_email(ticket=ticket, kind=OutboundEmail.Kind.SURVEY, subject=subject,
                       body=emails.survey_body(ticket=ticket, settings=followup_settings()))


def _recently_surveyed(step: ScheduledStep) -> bool:
    # Two surveys of one contact sent at once by two workers would both pass the check.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                       [f"followup-survey:{step.contact_id}"])
    days = followup_settings().survey_cooldown_days
    return ScheduledStep.objects.filter(
        step=Step.SURVEY, contact_id=step.contact_id, state=StepState.SENT,
        processed_at__gte=timezone.now() - timedelta(days=days),
    ).exclude(pk=step.pk).exists()


def _finish(step: ScheduledStep, ticket: Ticket, state: str, reason: str) -> None:
    step.state, step.reason, step.processed_at = state, reason, timezone.now()
    step.save(update_fields=["state", "reason", "processed_at", "outbound"])
    sent = state == StepState.SENT
    record_event(
        ticket=ticket,
        kind=EventKind.FOLLOWUP_SENT if sent else EventKind.FOLLOWUP_CANCELLED,
        actor=None, reason_code=reason or step.step,
        after={"steps": [step.pk], "step": step.step, "rule": step.rule_id,
               "outbound": step.outbound_id},
        note=step.rule.name if step.rule else "",
    )
