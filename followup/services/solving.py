"""What solving a ticket sets off: the resolution summary email, the survey, check-ins."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from followup import emails
from followup.choices import CheckInState, RuleKind, Step, StepReason, StepState, Trigger
from followup.models import CheckIn, FollowupSettings, ResolutionSummary, ScheduledStep
from followup.rules import due_after, first_matching_rule
from followup.selectors import followup_settings
from tickets.choices import Channel, EventKind, MessageKind, Tier
from tickets.conditions import ticket_facts
from tickets.events import record_event
from tickets.models import Message, OutboundEmail, Ticket
from tickets.services.outbound import queue_email

# What "spam, merged or internal" means here, for lack of dedicated fields in the spine:
# a tag an agent or a triage rule sets, an internal channel, or an internal organisation.
EXCLUDED_TAGS = frozenset({"spam", "merged"})


@transaction.atomic
def save_resolution_summary(
    *, ticket: Ticket, problem: str, actions: str, next_steps: str, actor: AbstractBaseUser
) -> ResolutionSummary:
    """Keep the agent's summary; solving the ticket sends it."""
    summary, _ = ResolutionSummary.objects.update_or_create(
        ticket=ticket,
        defaults={"problem": problem, "actions": actions, "next_steps": next_steps,
                  "updated_by": actor, "updated_at": timezone.now()},
    )
    return summary


def send_resolution_summary(*, ticket: Ticket, actor: AbstractBaseUser | None) -> Message:
    """
    Post the summary (or a default) as a public message, email it in the ticket's thread and
    record it on the timeline; runs inside the solve's transaction.
    """
    summary = ResolutionSummary.objects.filter(ticket=ticket).first()
    body = emails.resolution_body(ticket=ticket, summary=summary)
    # A system message: the customer sees it, but it is not an agent's reply, so it neither
    # counts in public_replies nor turns a first-contact resolution into two replies.
    message = Message.objects.create(
        ticket=ticket, kind=MessageKind.SYSTEM, body=body,
        author_user=actor if actor is not None and actor.is_authenticated else None,
    )
    outbound = queue_email(ticket=ticket, kind=OutboundEmail.Kind.RESOLUTION,
                           subject=emails.thread_subject(ticket), body=body)
    OutboundEmail.objects.filter(pk=outbound.pk).update(message=message)
    record_event(ticket=ticket, kind=EventKind.FOLLOWUP_SENT, actor=actor,
                 reason_code="resolution",
                 after={"message": message.pk, "outbound": outbound.pk, "step": "resolution",
                        "summary": summary.pk if summary and not summary.is_blank else None})
    transaction.on_commit(partial(_deliver, outbound.pk))
    return message


def _deliver(outbound_id: int) -> None:
    from tickets.tasks import deliver_outbound_email

    deliver_outbound_email.delay(outbound_id)


def survey_bucket(ticket_id: int) -> int:
    """Return the ticket's stable place (0-99) in the survey sample."""
    digest = hashlib.sha256(f"followup-survey:{ticket_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100


def survey_exclusion(
    *, ticket: Ticket, settings: FollowupSettings, now: datetime
) -> str | None:
    """Return why the ticket gets no survey, or None if it gets one."""
    if not settings.survey_enabled:
        return StepReason.SURVEYS_OFF
    tags = {tag.lower() for tag in ticket.tags or ()}
    internal = ticket.channel == Channel.INTERNAL or (
        ticket.organization is not None and ticket.organization.tier == Tier.INTERNAL
    )
    if tags & EXCLUDED_TAGS or internal:
        return StepReason.EXCLUDED
    if survey_bucket(ticket.pk) >= settings.survey_sample_percent:
        return StepReason.NOT_SAMPLED
    recent = ScheduledStep.objects.filter(
        step=Step.SURVEY, contact_id=ticket.requester_id, state=StepState.SENT,
        processed_at__gte=now - timedelta(days=settings.survey_cooldown_days),
    )
    if recent.exists():
        return StepReason.RECENTLY_SURVEYED
    return None


def schedule_survey(*, ticket: Ticket, now: datetime) -> ScheduledStep:
    """Schedule the survey, or record why there is none, as a step of the ticket."""
    settings = followup_settings()
    solved_at = ticket.solved_at or now
    excluded = survey_exclusion(ticket=ticket, settings=settings, now=now)
    step = ScheduledStep(
        ticket=ticket, rule=None, step=Step.SURVEY, scheduled_status=Trigger.SOLVED,
        status_since=ticket.solved_at, clock_start=solved_at,
        due_at=solved_at + settings.survey_delay, contact_id=ticket.requester_id,
        state=StepState.SKIPPED if excluded else StepState.PENDING, reason=excluded or "",
        processed_at=now if excluded else None,
    )
    ScheduledStep.objects.bulk_create([step], ignore_conflicts=True)
    return step


def create_checkin(*, ticket: Ticket, now: datetime) -> CheckIn | None:
    """Give the owner a check-in task when a check-in rule matches the solved ticket."""
    rule = first_matching_rule(trigger=Trigger.SOLVED, kind=RuleKind.CHECKIN,
                               facts=ticket_facts(ticket))
    if rule is None or rule.checkin_after is None:
        return None
    if CheckIn.objects.filter(ticket=ticket, rule=rule, state=CheckInState.OPEN).exists():
        return None
    owner = ticket.assignee or (ticket.team.lead if ticket.team_id else None)
    checkin = CheckIn.objects.create(
        ticket=ticket, rule=rule, owner=owner, instructions=rule.checkin_note,
        due_at=due_after(rule=rule, start=ticket.solved_at or now, wait=rule.checkin_after),
    )
    rule.record_fired()
    record_event(ticket=ticket, kind=EventKind.CHECKIN_CREATED, actor=None,
                 reason_code=RuleKind.CHECKIN, note=rule.explanation,
                 after={"checkin": checkin.pk, "owner": owner.pk if owner else None,
                        "due_at": checkin.due_at.isoformat(), "rule": rule.pk})
    return checkin


@transaction.atomic
def close_checkin(
    *, checkin: CheckIn, actor: AbstractBaseUser, state: str, note: str
) -> CheckIn:
    """Mark a check-in done or dismissed, with the owner's note, on the ticket's timeline."""
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.state != CheckInState.OPEN:
        return checkin
    checkin.state, checkin.note = state, note
    checkin.closed_by, checkin.closed_at = actor, timezone.now()
    checkin.save(update_fields=["state", "note", "closed_by", "closed_at"])
    record_event(ticket=checkin.ticket, kind=EventKind.CHECKIN_DONE, actor=actor,
                 reason_code=state, note=note, after={"checkin": checkin.pk, "state": state})
    return checkin
