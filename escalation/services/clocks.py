"""
The arithmetic of one clock, on an SlaTimer in memory: start a cycle, pause, resume, fulfil,
change target. Callers save the rows; nothing here touches the database except the calendar's
closures on first use.
"""

from __future__ import annotations

from datetime import datetime

from escalation.calendars import add_business_time, business_seconds_between
from escalation.choices import TimerState
from escalation.models import SlaTimer


def settle(timer: SlaTimer, *, now: datetime) -> None:
    """Fold the business time run since `running_since` into `elapsed_seconds`."""
    if timer.running_since is None or now <= timer.running_since:
        return
    timer.elapsed_seconds += business_seconds_between(timer.calendar, timer.running_since, now)
    timer.running_since = now


def reschedule(timer: SlaTimer, *, now: datetime) -> None:
    """
    Set `due_at` from the time left. A clock already over its target (a tightened target)
    is due now: when it crossed the new target under the old one is not recorded.
    """
    if timer.running_since is None:
        if timer.state != TimerState.BREACHED:
            timer.due_at = None
        return
    remaining = timer.target_seconds - timer.elapsed_seconds
    if remaining > 0:
        timer.due_at = add_business_time(timer.calendar, timer.running_since, remaining)
    elif timer.state != TimerState.BREACHED:
        timer.due_at = now


def start_cycle(timer: SlaTimer, *, start: datetime, now: datetime, running: bool) -> None:
    """Begin the metric afresh from `start` (creation, a customer message, an agent reply)."""
    timer.started_at, timer.elapsed_seconds = start, 0
    timer.breached_at = timer.fulfilled_at = timer.predicted_breach_at = None
    timer.predicted_told_at = None
    timer.state = TimerState.ACTIVE
    timer.running_since, timer.paused_at = start, None
    if not running:
        settle(timer, now=now)
        pause(timer, now=now)
    reschedule(timer, now=now)


def pause(timer: SlaTimer, *, now: datetime) -> None:
    settle(timer, now=now)
    timer.running_since, timer.paused_at = None, now
    if timer.state == TimerState.ACTIVE:
        timer.state, timer.due_at = TimerState.PAUSED, None


def resume(timer: SlaTimer, *, now: datetime) -> None:
    timer.running_since, timer.paused_at, timer.fulfilled_at = now, None, None
    timer.state = TimerState.BREACHED if timer.breached_at else TimerState.ACTIVE
    reschedule(timer, now=now)


def fulfil(timer: SlaTimer, *, now: datetime) -> None:
    settle(timer, now=now)
    timer.running_since, timer.paused_at = None, None
    timer.state, timer.fulfilled_at = TimerState.FULFILLED, now


def retarget(timer: SlaTimer, *, seconds: int, calendar, pause_statuses, now: datetime) -> None:
    """
    Change target and calendar, keeping the business time already used. A breach stands
    even if the new target is looser: it happened, and the history says so.
    """
    settle(timer, now=now)
    timer.target_seconds, timer.calendar = seconds, calendar
    timer.pause_statuses = list(pause_statuses)
    reschedule(timer, now=now)


def is_open(timer: SlaTimer) -> bool:
    return timer.state != TimerState.FULFILLED


def over_target(timer: SlaTimer, *, now: datetime) -> bool:
    """Return whether a clock not yet breached has used its whole target by `now`."""
    if timer.state == TimerState.PAUSED:
        return timer.elapsed_seconds >= timer.target_seconds
    return (timer.state == TimerState.ACTIVE and timer.due_at is not None
            and timer.due_at <= now)
