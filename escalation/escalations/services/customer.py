"""The customer-facing escalation update, from the policy's template, sent like other mail."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from string import Template

from django.contrib.auth import get_user_model
from django.db import transaction

from escalation.escalations.policies import PolicySpec
from tickets.models import OutboundEmail, Team, Ticket
from tickets.services.outbound import queue_email

DEFAULT_OWNER = "our escalation team"


def _owner(policy: PolicySpec, ticket: Ticket) -> str:
    if policy.owner_team_id:
        return Team.objects.values_list("name", flat=True).get(pk=policy.owner_team_id)
    if policy.owner_user_id:
        user = get_user_model().objects.get(pk=policy.owner_user_id)
        return user.get_full_name() or DEFAULT_OWNER
    return DEFAULT_OWNER


def span_words(minutes: int) -> str:
    """Return "45 minutes", "4 hours", "2 days" or "1 hour 30 minutes"."""
    minutes = max(minutes, 1)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (mins, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2])


def _within(policy: PolicySpec, ticket: Ticket, now: datetime) -> str:
    if policy.promised_response_minutes:
        return span_words(policy.promised_response_minutes)
    if ticket.sla_due_at is not None and ticket.sla_due_at > now:
        return span_words(int((ticket.sla_due_at - now).total_seconds() // 60))
    return "the next few hours"


def customer_update_text(*, policy: PolicySpec, ticket: Ticket, now: datetime) -> str:
    """Fill the template; string.Template reads no attributes, so an admin's text is safe."""
    return Template(policy.customer_template).safe_substitute(
        owner=_owner(policy, ticket), within=_within(policy, ticket, now),
        reference=ticket.reference, subject=ticket.subject,
    )


def send_customer_update(*, policy: PolicySpec, ticket: Ticket, now: datetime) -> OutboundEmail:
    """Queue the update in this transaction; delivery starts once it commits."""
    from tickets.tasks import deliver_outbound_email as deliver_task

    outbound = queue_email(
        ticket=ticket, kind=OutboundEmail.Kind.ESCALATION_UPDATE,
        subject=f"[{ticket.reference}] Your request has been escalated",
        body=customer_update_text(policy=policy, ticket=ticket, now=now),
    )
    transaction.on_commit(partial(deliver_task.delay, outbound.pk))
    return outbound
