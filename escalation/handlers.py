"""
Lifecycle event handlers of the SLA clocks, listed in settings.HELPDESK_EVENT_HANDLERS.
They run inside the service's transaction, after the event row is written, with the ticket
locked; a ticket that never had an SLA applied (older than this app) is left alone.
"""

from __future__ import annotations

from django.utils import timezone

from escalation.choices import HistoryKind, Metric, TimerState
from escalation.models import TicketSla
from escalation.services import clocks
from escalation.services.timers import (
    Change,
    arm_metric,
    follow_status,
    fulfil_metric,
    locked_timers,
    recompute,
    save,
)
from tickets.choices import UNSOLVED, MessageKind
from tickets.models import Message, Ticket, TicketEvent


def _begin(ticket: Ticket) -> Change | None:
    try:
        ticket.sla_decision  # noqa: B018 - loads the row, or tells there is none
    except TicketSla.DoesNotExist:
        return None
    return Change(ticket=ticket, now=timezone.now(), timers=locked_timers(ticket))


def on_status_changed(event: TicketEvent) -> None:
    """Pause, resume or fulfil the clocks for the new status."""
    change = _begin(event.ticket)
    if change is None:
        return
    reason = f"status {event.before.get('status')} -> {event.after.get('status')}"
    follow_status(change, status=event.ticket.status, reason=reason)
    save(change)


def on_reopened(event: TicketEvent) -> None:
    """Resume resolution with the time used; re-arm next response from the customer's message."""
    change = _begin(event.ticket)
    if change is None:
        return
    resolution = change.timers.get(Metric.RESOLUTION)
    solved_at = resolution.fulfilled_at if resolution else None
    if resolution is not None and resolution.state == TimerState.FULFILLED:
        clocks.resume(resolution, now=change.now)
        change.note(resolution, HistoryKind.RESUMED, "reopened")
    message = _last_customer_message(event.ticket, after=solved_at)
    if message is not None:
        arm_metric(change, metric=Metric.NEXT_RESPONSE, start=message.created_at,
                   reason="reopened by the customer's message")
    follow_status(change, status=event.ticket.status, reason="reopened")
    save(change)


def _last_customer_message(ticket: Ticket, *, after) -> Message | None:
    messages = Message.objects.filter(ticket=ticket, author_contact__isnull=False)
    if after is not None:
        messages = messages.filter(created_at__gte=after)
    return messages.order_by("-created_at", "-pk").first()


def on_agent_replied(event: TicketEvent) -> None:
    """A public reply answers first and next response and starts the next periodic update."""
    message = Message.objects.filter(pk=event.after.get("message")).first()
    if message is None or message.kind != MessageKind.PUBLIC:
        return  # internal notes fulfil nothing
    change = _begin(event.ticket)
    if change is None:
        return
    fulfil_metric(change, metric=Metric.FIRST_RESPONSE, reason="first public reply")
    fulfil_metric(change, metric=Metric.NEXT_RESPONSE, reason="public reply")
    fulfil_metric(change, metric=Metric.PERIODIC_UPDATE, reason="public reply")
    if event.ticket.status in UNSOLVED:
        arm_metric(change, metric=Metric.PERIODIC_UPDATE, start=message.created_at,
                   reason="public reply")
    save(change)


def on_customer_replied(event: TicketEvent) -> None:
    """
    The oldest unanswered message starts next response once the first response is done.
    Follow-up's handler, listed before this one, has already moved a pending ticket to open
    (resuming its clocks through on_status_changed) or reopened a solved one.
    """
    ticket = event.ticket
    ticket.refresh_from_db(fields=["status", "status_changed_at", "solved_at", "reopens"])
    if ticket.status not in UNSOLVED:
        return
    change = _begin(ticket)
    if change is None:
        return
    waiting = [change.timers.get(m) for m in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE)]
    if any(timer is not None and clocks.is_open(timer) for timer in waiting):
        return  # an older message is still unanswered: its clock keeps running
    message = Message.objects.filter(pk=event.after.get("message")).first()
    start = message.created_at if message else change.now
    arm_metric(change, metric=Metric.NEXT_RESPONSE, start=start, reason="customer message")
    save(change)


def on_fields_changed(event: TicketEvent) -> None:
    """A priority or field change may select another policy: recompute from the original start."""
    change = _begin(event.ticket)
    if change is None:
        return
    changed = ", ".join(sorted(event.after)) or "fields"
    if recompute(change, reason=f"{changed} changed"):
        save(change)


def on_handoff_requested(event: TicketEvent) -> None:
    """Tell the receiving team's lead that a transfer waits for them."""
    from escalation.services.alerts import notify_handoff_requested

    notify_handoff_requested(event=event)


def on_handoff_rejected(event: TicketEvent) -> None:
    """Tell the agent who handed the ticket over that it came back, and why."""
    from escalation.services.alerts import notify_handoff_rejected

    notify_handoff_rejected(event=event)
