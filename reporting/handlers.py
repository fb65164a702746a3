"""
Lifecycle event handlers (settings.HELPDESK_EVENT_HANDLERS) that keep each ticket's
TicketMetrics row current: one read and one write of that row per event, in the event's
transaction, which the service already holds the ticket's row lock for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from reporting.business import business_seconds
from reporting.models import TicketMetrics
from tickets.choices import EventKind, TicketStatus
from tickets.models import Organization, Ticket, TicketEvent

REOPEN_WINDOW = timedelta(days=7)
# The ticket's own columns that the row copies, so dashboards never join tickets.
DIMENSIONS = ("team_id", "assignee_id", "priority", "channel", "status", "sla_due_at")
TICKET_FIELDS = ("team", "assignee", "priority", "channel", "status", "sla_due_at", "category")

Measure = Callable[[TicketMetrics, TicketEvent], None]


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))


def _tier(organization_id: int | None) -> str:
    if organization_id is None:
        return ""
    tiers = Organization.objects.filter(pk=organization_id).values_list("tier", flat=True)
    return tiers.first() or ""


def new_metrics_row(ticket: object) -> TicketMetrics:
    """Return an unsaved row for a ticket, with its dimensions filled in."""
    return TicketMetrics(
        ticket_id=ticket.pk, created_at=ticket.created_at,  # type: ignore[attr-defined]
        tier=_tier(ticket.organization_id),  # type: ignore[attr-defined]
        category=ticket.category_id or "",  # type: ignore[attr-defined]
        is_follow_up=ticket.follows_up_id is not None,  # type: ignore[attr-defined]
        **{name: getattr(ticket, name) for name in DIMENSIONS},
    )


def _on_agent_replied(row: TicketMetrics, event: TicketEvent) -> None:
    row.agent_replies += 1
    if row.first_response_at is None:
        row.first_response_at = event.created_at
        row.first_response_seconds = _seconds(event.created_at - row.created_at)
        row.first_response_business_seconds = business_seconds(
            event.ticket, "first_response", row.created_at, event.created_at)
    elif row.awaiting_reply_since is not None:
        row.next_responses += 1
        row.next_response_seconds_total += _seconds(event.created_at - row.awaiting_reply_since)
    row.awaiting_reply_since = None


def _on_customer_replied(row: TicketMetrics, event: TicketEvent) -> None:
    row.customer_messages += 1
    # Only a message after the first response starts a "next response" wait.
    if row.first_response_at is not None and row.awaiting_reply_since is None:
        row.awaiting_reply_since = event.created_at


def _on_status_changed(row: TicketMetrics, event: TicketEvent) -> None:
    if event.after.get("status") != TicketStatus.SOLVED:
        return
    row.solved_at = row.last_solved_at = event.created_at
    row.resolution_seconds = _seconds(event.created_at - row.created_at)
    row.resolution_business_seconds = business_seconds(
        event.ticket, "resolution", row.created_at, event.created_at)
    row.agent_replies_at_solve = row.agent_replies
    if row.sla_due_at is not None and event.created_at > row.sla_due_at:
        row.resolution_breached = True


def _on_reopened(row: TicketMetrics, event: TicketEvent) -> None:
    row.reopens += 1
    if row.last_solved_at is not None and event.created_at - row.last_solved_at <= REOPEN_WINDOW:
        row.reopened_within_7d = True
    row.solved_at = row.resolution_seconds = row.resolution_business_seconds = None


def _on_assigned(row: TicketMetrics, event: TicketEvent) -> None:
    before, after = event.before, event.after
    if before.get("assignee") is not None and after.get("assignee") not in (
        None, before.get("assignee")
    ):
        row.assignee_hops += 1
    if before.get("team") is not None and after.get("team") not in (None, before.get("team")):
        row.team_hops += 1
    owner = after.get("assignee")
    if owner is not None and owner not in row.owner_ids:
        row.owner_ids = [*row.owner_ids, owner]


def _on_escalated(row: TicketMetrics, event: TicketEvent) -> None:
    row.escalations += 1
    if row.escalated_at is None:
        row.escalated_at = event.created_at
        row.escalation_trigger = str(event.after.get("trigger") or event.reason_code)[:64]
        row.escalation_policy = str(event.after.get("policy") or "")[:200]


def _on_de_escalated(row: TicketMetrics, event: TicketEvent) -> None:
    row.de_escalations += 1


def _on_escalation_acknowledged(row: TicketMetrics, event: TicketEvent) -> None:
    if row.acknowledge_seconds is None and row.escalated_at is not None:
        row.acknowledge_seconds = _seconds(event.created_at - row.escalated_at)


def _on_sla_breached(row: TicketMetrics, event: TicketEvent) -> None:
    row.sla_breaches += 1
    if event.after.get("metric") == "first_response":
        row.first_response_breached = True
    else:
        row.resolution_breached = True


def _on_satisfaction_rated(row: TicketMetrics, event: TicketEvent) -> None:
    after = event.after
    score = after.get("score", after.get("rating"))
    row.csat_score = int(score) if score is not None else None
    row.nps_score = int(after["nps"]) if after.get("nps") is not None else row.nps_score
    row.csat_comment = str(after.get("comment") or event.note or "")
    row.rated_at = event.created_at


def _on_handoff_requested(row: TicketMetrics, event: TicketEvent) -> None:
    row.handoffs_requested += 1
    row.handoff_requested_at = event.created_at


def _on_handoff_decided(row: TicketMetrics, event: TicketEvent) -> None:
    if event.kind == EventKind.HANDOFF_REJECTED:
        row.handoffs_rejected += 1
    if row.handoff_requested_at is not None:
        row.handoff_pending_seconds += _seconds(event.created_at - row.handoff_requested_at)
        row.handoff_requested_at = None


def _dimensions_only(row: TicketMetrics, event: TicketEvent) -> None:
    """Priority, category and SLA changes: the dimensions below are refreshed for every kind."""


MEASURES: dict[str, Measure] = {
    EventKind.CREATED: _dimensions_only,
    EventKind.AGENT_REPLIED: _on_agent_replied,
    EventKind.CUSTOMER_REPLIED: _on_customer_replied,
    EventKind.STATUS_CHANGED: _on_status_changed,
    EventKind.REOPENED: _on_reopened,
    EventKind.ASSIGNED: _on_assigned,
    EventKind.PRIORITY_CHANGED: _dimensions_only,
    EventKind.FIELDS_CHANGED: _dimensions_only,
    EventKind.SLA_APPLIED: _dimensions_only,
    EventKind.ESCALATED: _on_escalated,
    EventKind.DE_ESCALATED: _on_de_escalated,
    EventKind.ESCALATION_ACKNOWLEDGED: _on_escalation_acknowledged,
    EventKind.SLA_BREACHED: _on_sla_breached,
    EventKind.SATISFACTION_RATED: _on_satisfaction_rated,
    EventKind.HANDOFF_REQUESTED: _on_handoff_requested,
    EventKind.HANDOFF_ACCEPTED: _on_handoff_decided,
    EventKind.HANDOFF_REJECTED: _on_handoff_decided,
    EventKind.HANDOFF_TRANSFERRED: _on_handoff_decided,
}


def _current_row(ticket_id: int) -> TicketMetrics:
    """
    Return the ticket's row with the ticket's dimensions read fresh from the database (one
    query): an event may come with a ticket object read before the change it records.
    """
    own = [field.name for field in TicketMetrics._meta.concrete_fields]
    row = (TicketMetrics.objects.select_related("ticket")
           .only(*own, *(f"ticket__{name}" for name in TICKET_FIELDS))
           .filter(ticket_id=ticket_id).first())
    if row is None:
        ticket = Ticket.objects.only(*TICKET_FIELDS, "created_at", "organization",
                                     "follows_up").get(pk=ticket_id)
        row = new_metrics_row(ticket)
        row.ticket = ticket
    return row


def record_metrics(event: TicketEvent) -> None:
    """Fold one lifecycle event into its ticket's metrics row (created on first sight)."""
    measure = MEASURES.get(event.kind)
    if measure is None:
        return
    row = _current_row(event.ticket_id)
    for name in DIMENSIONS:
        setattr(row, name, getattr(row.ticket, name))
    row.category = row.ticket.category_id or ""
    measure(row, event)
    row.save(force_insert=row._state.adding)
