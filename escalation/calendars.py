"""
Business time: how far a clock moves between two instants, and where it reaches a target.

Opening hours are wall-clock times in the calendar's zone, turned into instants day by day,
so a DST change shifts them with the clock on the wall. Business time is real elapsed time
inside those instants: an interval that spans a spring-forward change lasts an hour less, one
that spans a fall-back change an hour more. An opening inside a skipped hour starts when the
clock jumps; a repeated hour opens at its first occurrence and closes at its last.

The work goes a day at a time (a few intervals each), never a minute at a time; a day's
instants and a year's holidays are cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from time import monotonic
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import holidays

from routing.schedules import DAYS
from tickets.rule_cache import VersionedRules

if TYPE_CHECKING:
    from escalation.models import BusinessCalendar

DAY_SECONDS: Final = 86_400
# A calendar open one hour a week still reaches a 72-hour target within two years.
MAX_DAYS: Final = 800

Interval = tuple[int, int]  # seconds after local midnight, end up to DAY_SECONDS


@dataclass(frozen=True)
class Schedule:
    """A calendar reduced to what the arithmetic needs; hashable, so days can be cached."""

    zone: ZoneInfo
    always_open: bool = False
    weekly: tuple[tuple[Interval, ...], ...] = ((),) * 7
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closures: frozenset[date] = frozenset()

    def is_closed_on(self, day: date) -> bool:
        if day in self.closures:
            return True
        if not self.holiday_country:
            return False
        return day in _holidays(self.holiday_country, self.holiday_subdivision, day.year)


def add_business_time(
    calendar: BusinessCalendar | Schedule, start: datetime, seconds: float
) -> datetime:
    """Return the instant `seconds` of business time after `start` (start itself if <= 0)."""
    schedule = schedule_of(calendar)
    if seconds <= 0:
        return start
    if schedule.always_open:
        return start + timedelta(seconds=seconds)
    remaining = float(seconds)
    day = start.astimezone(schedule.zone).date()
    for _ in range(MAX_DAYS):
        for opens, closes in day_windows(schedule, day):
            opens = max(opens, start)
            if closes <= opens:
                continue
            span = (closes - opens).total_seconds()
            if remaining <= span:
                return opens + timedelta(seconds=remaining)
            remaining -= span
        day += timedelta(days=1)
    raise ValueError("The calendar has no opening hours in reach; give it hours or make it 24x7.")


def business_seconds_between(
    calendar: BusinessCalendar | Schedule, start: datetime, end: datetime
) -> int:
    """Return the business seconds from `start` to `end`; negative when `end` comes first."""
    if end < start:
        return -business_seconds_between(calendar, end, start)
    schedule = schedule_of(calendar)
    if schedule.always_open:
        return int((end - start).total_seconds())
    total = 0.0
    day, last = start.astimezone(schedule.zone).date(), end.astimezone(schedule.zone).date()
    while day <= last:
        for opens, closes in day_windows(schedule, day):
            overlap = (min(closes, end) - max(opens, start)).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return int(total)


def is_open_at(calendar: BusinessCalendar | Schedule, at: datetime) -> bool:
    """Return whether the calendar's clock runs at the instant `at`."""
    schedule = schedule_of(calendar)
    if schedule.always_open:
        return True
    day = at.astimezone(schedule.zone).date()
    return any(opens <= at < closes for opens, closes in day_windows(schedule, day))


@lru_cache(maxsize=65_536)
def day_windows(schedule: Schedule, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """Return the day's opening intervals as UTC instants; none on holidays and closures."""
    if schedule.is_closed_on(day):
        return ()
    return tuple(
        (_instant(schedule.zone, day, start, first=True),
         _instant(schedule.zone, day, end, first=False))
        for start, end in schedule.weekly[day.weekday()]
    )


def _instant(zone: ZoneInfo, day: date, seconds: int, *, first: bool) -> datetime:
    """Return the UTC instant of a wall-clock time: see the module docstring for DST gaps."""
    wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
    early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early == late:
        return early
    if early < late:  # a repeated hour
        return early if first else late
    return _transition(zone, late, early)  # a skipped hour: fold=0 lands after the jump


def _transition(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """Return the first instant after `before` whose UTC offset is `after`'s."""
    offset = after.astimezone(zone).utcoffset()
    low, high = before, after
    while (high - low) > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


@lru_cache(maxsize=512)
def _holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:  # a region the installed package no longer knows
        return frozenset()
    return frozenset(found)


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def weekly_intervals(hours: dict[str, list[list[str]]]) -> tuple[tuple[Interval, ...], ...]:
    """Turn {"mon": [["09:00", "17:00"]]} into merged intervals per weekday, Monday first."""
    days: list[list[Interval]] = [[] for _ in DAYS]
    for index, name in enumerate(DAYS):
        for start_text, end_text in hours.get(name, ()):
            start, end = _clock(start_text), _clock(end_text)
            if end > start:
                days[index].append((start, end))
            else:  # runs past midnight into the next day
                days[index].append((start, DAY_SECONDS))
                if end:
                    days[(index + 1) % 7].append((0, end))
    return tuple(_merged(intervals) for intervals in days)


def _merged(intervals: list[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


_SCHEDULES: dict[tuple[int, datetime], Schedule] = {}


def schedule_of(calendar: BusinessCalendar | Schedule) -> Schedule:
    """Return the calendar's schedule, read once per saved version of the calendar."""
    if isinstance(calendar, Schedule):
        return calendar
    key = (calendar.pk, calendar.updated_at)
    schedule = _SCHEDULES.get(key)
    if schedule is None:
        schedule = build_schedule(calendar)
        if calendar.pk is not None:
            _SCHEDULES[key] = schedule
    return schedule


def build_schedule(calendar: BusinessCalendar) -> Schedule:
    # all() rather than values_list(): a list page may have prefetched the closures.
    closures = (
        frozenset(closure.date for closure in calendar.closures.all())
        if calendar.pk is not None else frozenset()
    )
    return Schedule(
        zone=ZoneInfo(calendar.time_zone or "UTC"),
        always_open=calendar.always_open,
        weekly=weekly_intervals(calendar.hours or {}),
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        closures=closures,
    )


def default_business_calendar() -> BusinessCalendar:
    """Return the seeded business-hours calendar, recreating it if an admin removed it."""
    from escalation.models import BUSINESS_HOURS_DEFAULTS, BUSINESS_HOURS_SLUG, BusinessCalendar

    calendar, _ = BusinessCalendar.objects.get_or_create(
        slug=BUSINESS_HOURS_SLUG, defaults=BUSINESS_HOURS_DEFAULTS
    )
    return calendar


def always_open_calendar() -> BusinessCalendar:
    """Return the seeded 24x7 calendar, recreating it if an admin removed it."""
    from escalation.models import ALWAYS_OPEN_DEFAULTS, ALWAYS_OPEN_SLUG, BusinessCalendar

    calendar, _ = BusinessCalendar.objects.get_or_create(
        slug=ALWAYS_OPEN_SLUG, defaults=ALWAYS_OPEN_DEFAULTS
    )
    return calendar


_LOCAL_CHECK: Final = 5.0  # seconds a process trusts its calendars before asking Redis again


def _load_schedules(version: str) -> dict[int, Schedule]:
    from escalation.models import BusinessCalendar

    calendars = BusinessCalendar.objects.prefetch_related("closures")
    return {calendar.pk: build_schedule(calendar) for calendar in calendars}


_calendars: VersionedRules[dict[int, Schedule]] = VersionedRules(
    "escalation:calendars", _load_schedules)
_held: dict[str, Any] = {"at": 0.0, "schedules": None}


def calendar_schedules() -> dict[int, Schedule]:
    """
    Return every calendar's schedule by id, for reads over many clocks (API lists). The
    process asks Redis whether a calendar changed at most every few seconds, so a list page
    pays neither a query nor a round trip per row.
    """
    now = monotonic()
    if _held["schedules"] is None or now - _held["at"] > _LOCAL_CHECK:
        _held["schedules"], _held["at"] = _calendars.current(), now
    return _held["schedules"]


def invalidate_calendars_on_change(*models: Any) -> None:
    _calendars.invalidate_on_change(*models)
