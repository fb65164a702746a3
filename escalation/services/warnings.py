"""
When each warning level of a clock falls due. A row per (timer, level) holds the instant, so
the sweep finds what is due with one indexed query per level; the instant is recomputed
whenever the clock starts, pauses, resumes or changes target, and cleared while it stands.
"""

from __future__ import annotations

from datetime import datetime

from escalation.calendars import add_business_time
from escalation.choices import BREACH_PERCENT, TimerState
from escalation.models import SlaTimer, SlaWarning, SlaWarningLevel


def enabled_levels() -> list[SlaWarningLevel]:
    return list(SlaWarningLevel.objects.filter(enabled=True).order_by("percent"))


def level_due_at(timer: SlaTimer, level: SlaWarningLevel) -> datetime | None:
    """Return when the running clock reaches the level's share of its target."""
    if timer.state != TimerState.ACTIVE or timer.running_since is None:
        return None
    if level.is_breach:
        return timer.due_at
    left = timer.target_seconds * level.percent // 100 - timer.elapsed_seconds
    return add_business_time(timer.calendar, timer.running_since, max(left, 0))


def schedule_warnings(
    *, timers: list[SlaTimer], new_cycles: list[SlaTimer], now: datetime,
    levels: list[SlaWarningLevel] | None = None,
) -> None:
    """
    Write each level's due time for the timers; a new cycle of a metric forgets what fired in
    the last one. Levels already past when a clock starts (a tightened target) fire silently,
    as superseded, so a recompute sends one breach, not a storm of warnings.
    """
    if not timers:
        return
    levels = enabled_levels() if levels is None else levels
    if new_cycles:
        SlaWarning.objects.filter(timer__in=[t.pk for t in new_cycles]).delete()
    rows = [
        SlaWarning(timer=timer, level=level, due_at=level_due_at(timer, level))
        for timer in timers for level in levels
    ]
    SlaWarning.objects.bulk_create(rows, update_conflicts=True,
                                   unique_fields=["timer", "level"], update_fields=["due_at"])
    _supersede_passed(timers=timers, levels=levels, now=now)


def _supersede_passed(
    *, timers: list[SlaTimer], levels: list[SlaWarningLevel], now: datetime
) -> None:
    """
    Fire silently every level but the highest one already due for each timer. A clock that
    breached on the spot fires its breach level now, for the sweep to notify.
    """
    for timer in timers:
        if timer.state == TimerState.BREACHED:
            lower = [level.pk for level in levels if not level.is_breach]
            SlaWarning.objects.filter(
                timer=timer, level__percent__gte=BREACH_PERCENT, fired_at__isnull=True
            ).update(fired_at=now, due_at=timer.breached_at)
        else:
            due = [level for level in levels
                   if (at := level_due_at(timer, level)) is not None and at <= now]
            lower = [level.pk for level in due[:-1]]
        if lower:
            SlaWarning.objects.filter(timer=timer, level__in=lower, fired_at__isnull=True).update(
                fired_at=now, superseded=True, notified_at=now)
