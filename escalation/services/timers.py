"""
A ticket's SLA clocks, with Zendesk's meanings:

- first response: from creation to the first public agent reply (notes fulfil nothing);
- next response: from the oldest unanswered customer message to the next public agent reply,
  armed once the first response is done;
- periodic update: from one public agent reply to the next;
- resolution: from creation to solved; a reopen resumes it with the time already used.

Every function here runs inside the caller's transaction with the ticket row locked (the
lifecycle services lock it before the event handlers run), locks the ticket's timers, and
leaves `Ticket.sla_due_at` at the nearest due time of its running clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Min

from escalation.choices import RUNNING_STATES, HistoryKind, Metric, TimerState
from escalation.models import SlaHistory, SlaTimer, TicketSla
from escalation.policies import PolicySpec, TargetSpec, matching_policy
from escalation.services import clocks
from escalation.services.warnings import schedule_warnings
from tickets.choices import UNSOLVED, EventKind, TicketStatus
from tickets.events import record_event
from tickets.models import Ticket

ARMED_AT_CREATION = (Metric.FIRST_RESPONSE, Metric.RESOLUTION)


@dataclass
class Change:
    """The rows one ticket operation writes, saved together at the end."""

    ticket: Ticket
    now: datetime
    timers: dict[str, SlaTimer]
    history: list[SlaHistory] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)
    new_cycles: set[str] = field(default_factory=set)
    breached: list[SlaTimer] = field(default_factory=list)

    def note(self, timer: SlaTimer, kind: str, reason: str, **data: Any) -> None:
        self.touched.add(timer.metric)
        self.history.append(SlaHistory(
            ticket_id=self.ticket.pk, metric=timer.metric, kind=kind, reason=reason,
            created_at=self.now, data={"state": timer.state, "due_at": timer.due_at, **data},
        ))


def locked_timers(ticket: Ticket) -> dict[str, SlaTimer]:
    """Return the ticket's timers by metric, locked: the sweep skips them meanwhile."""
    rows = (SlaTimer.objects.select_for_update(of=("self",)).select_related("calendar")
            .filter(ticket_id=ticket.pk))
    return {timer.metric: timer for timer in rows}


def apply_sla(*, ticket: Ticket, now: datetime) -> TicketSla:
    """Match a policy to a new ticket and start its first-response and resolution clocks."""
    policy = matching_policy(ticket)
    sla = TicketSla.objects.create(ticket=ticket, policy_id=policy and policy.id, applied_at=now)
    change = Change(ticket=ticket, now=now, timers={})
    for metric in ARMED_AT_CREATION:
        target = policy.targets.get(metric) if policy else None
        if target is not None:
            timer = _new_timer(ticket=ticket, target=target)
            clocks.start_cycle(timer, start=ticket.created_at, now=now,
                               running=ticket.status not in target.pause_statuses)
            change.timers[metric] = timer
            change.new_cycles.add(metric)
            change.note(timer, HistoryKind.APPLIED, policy.name)
    save(change)
    record_event(ticket=ticket, kind=EventKind.SLA_APPLIED, actor=None,
                 after=_policy_summary(policy), reason_code="intake")
    return sla


def _policy_summary(policy: PolicySpec | None) -> dict[str, Any]:
    if policy is None:
        return {"policy": None, "targets": {}}
    return {"policy": policy.id, "name": policy.name,
            "targets": {metric: target.seconds for metric, target in policy.targets.items()}}


def _new_timer(*, ticket: Ticket, target: TargetSpec) -> SlaTimer:
    return SlaTimer(ticket=ticket, metric=target.metric, calendar=target.calendar,
                    target_seconds=target.seconds, pause_statuses=list(target.pause_statuses))


def follow_status(change: Change, *, status: str, reason: str) -> None:
    """Pause, resume or fulfil each open clock for the ticket's new status."""
    now = change.now
    for timer in change.timers.values():
        if not clocks.is_open(timer):
            continue
        if status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
            clocks.fulfil(timer, now=now)
            change.note(timer, HistoryKind.FULFILLED, reason)
        elif status in timer.pause_statuses and timer.is_running:
            clocks.pause(timer, now=now)
            change.note(timer, HistoryKind.PAUSED, reason)
        elif status not in timer.pause_statuses and not timer.is_running:
            clocks.resume(timer, now=now)
            change.note(timer, HistoryKind.RESUMED, reason)


def fulfil_metric(change: Change, *, metric: str, reason: str) -> None:
    timer = change.timers.get(metric)
    if timer is not None and clocks.is_open(timer):
        clocks.fulfil(timer, now=change.now)
        change.note(timer, HistoryKind.FULFILLED, reason)


def arm_metric(change: Change, *, metric: str, start: datetime, reason: str) -> None:
    """Start a new cycle of a metric the policy has, reusing the ticket's row for it."""
    policy = _current_policy(change.ticket)
    target = policy.targets.get(metric) if policy else None
    if target is None:
        return
    timer = change.timers.get(metric)
    if timer is None:
        timer = _new_timer(ticket=change.ticket, target=target)
        change.timers[metric] = timer
    running = change.ticket.status not in target.pause_statuses
    clocks.start_cycle(timer, start=start, now=change.now, running=running)
    change.new_cycles.add(metric)
    change.note(timer, HistoryKind.REARMED, reason, started_at=start)


def _current_policy(ticket: Ticket) -> PolicySpec | None:
    from escalation.policies import sla_policies

    policy_id = ticket.sla_decision.policy_id
    return next((policy for policy in sla_policies.current() if policy.id == policy_id), None)


def recompute(change: Change, *, reason: str, force: bool = False) -> bool:
    """
    Re-match the policy and apply its targets from each metric's original start, keeping the
    business time used. Return whether anything changed. `force` reschedules every open
    clock even if its target is the same (its calendar's hours may have changed).
    """
    ticket, now = change.ticket, change.now
    sla = ticket.sla_decision
    policy = matching_policy(ticket)
    targets = policy.targets if policy else {}
    changed = (policy.id if policy else None) != sla.policy_id
    for metric, timer in list(change.timers.items()):
        target = targets.get(metric)
        if target is None:
            if clocks.is_open(timer):
                clocks.fulfil(timer, now=now)
                change.note(timer, HistoryKind.RECOMPUTED, reason, dropped=True)
                changed = True
            continue
        if (force and clocks.is_open(timer)) or (
                target.seconds, target.calendar.pk, list(target.pause_statuses)) != (
                timer.target_seconds, timer.calendar_id, timer.pause_statuses):
            before = timer.target_seconds
            clocks.retarget(timer, seconds=target.seconds, calendar=target.calendar,
                            pause_statuses=target.pause_statuses, now=now)
            change.note(timer, HistoryKind.RECOMPUTED, reason,
                        before_seconds=before, after_seconds=target.seconds)
            changed = True
    changed |= _arm_missing(change, targets=targets, reason=reason)
    if changed:
        sla.policy_id = policy.id if policy else None
        sla.save(update_fields=["policy"])
        record_event(ticket=ticket, kind=EventKind.SLA_APPLIED, actor=None,
                     after=_policy_summary(policy), reason_code="recomputed", note=reason)
    return changed


def _arm_missing(change: Change, *, targets: dict[str, TargetSpec], reason: str) -> bool:
    """Start the creation-armed clocks a new policy adds, as if they ran from creation."""
    ticket, armed = change.ticket, False
    for metric in ARMED_AT_CREATION:
        target = targets.get(metric)
        if target is None or metric in change.timers or ticket.status not in UNSOLVED:
            continue
        if metric == Metric.FIRST_RESPONSE and ticket.first_response_at is not None:
            continue
        timer = _new_timer(ticket=ticket, target=target)
        clocks.start_cycle(timer, start=ticket.created_at, now=change.now,
                           running=ticket.status not in target.pause_statuses)
        change.timers[metric] = timer
        change.new_cycles.add(metric)
        change.note(timer, HistoryKind.APPLIED, reason)
        armed = True
    return armed


def breach_if_over(change: Change) -> None:
    """A tightened target may already be used up: breach it now, once."""
    for timer in change.timers.values():
        if clocks.over_target(timer, now=change.now):
            timer.state, timer.breached_at = TimerState.BREACHED, change.now
            change.breached.append(timer)
            change.note(timer, HistoryKind.BREACHED, "target already used up")


def save(change: Change) -> None:
    """Write the timers, their warning schedule, the history and the ticket's nearest due."""
    breach_if_over(change)
    touched = [change.timers[m] for m in change.touched | change.new_cycles]
    for timer in touched:
        timer.save()
    schedule_warnings(timers=touched, new_cycles=[change.timers[m] for m in change.new_cycles],
                      now=change.now)
    SlaHistory.objects.bulk_create(change.history)
    for timer in change.breached:
        record_event(ticket=change.ticket, kind=EventKind.SLA_BREACHED, actor=None,
                     after={"metric": timer.metric, "due_at": timer.due_at},
                     reason_code="target_changed")
    refresh_ticket_due(change.ticket)


def refresh_ticket_due(ticket: Ticket) -> None:
    """Set the ticket's sla_due_at to the nearest due time of its running clocks."""
    due = SlaTimer.objects.filter(
        ticket_id=ticket.pk, running_since__isnull=False, state__in=RUNNING_STATES,
    ).aggregate(due=Min("due_at"))["due"]
    if due != ticket.sla_due_at:
        Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=due)
        ticket.sla_due_at = due
