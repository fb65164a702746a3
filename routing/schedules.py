"""
Weekly schedules in an IANA time zone: business hours of teams, working hours of agents.

A schedule is JSON ``{"mon": [["09:00", "17:00"]], "tue": [...], ...}``; a day that is
missing has no hours. An interval whose end is not after its start runs past midnight
(``["22:00", "06:00"]``). The empty schedule ``{}`` means always open, so teams and agents
work around the clock until an admin says otherwise.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM: Final = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")
Schedule = dict[str, list[list[str]]]


def validate_time_zone(value: str) -> None:
    """Reject names that are not IANA time zones."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"{value!r} is not an IANA time zone, such as Europe/Berlin."
        ) from None


def validate_schedule(value: Any) -> None:
    """Reject anything but {day: [[HH:MM, HH:MM], ...]} with known day names."""
    if not isinstance(value, dict):
        raise ValidationError('A schedule is an object of days: {"mon": [["09:00", "17:00"]]}.')
    for day, intervals in value.items():
        if day not in DAYS:
            raise ValidationError(f"Unknown day {day!r}; use {', '.join(DAYS)}.")
        if not isinstance(intervals, list):
            raise ValidationError(f"{day}: give a list of [start, end] pairs.")
        for pair in intervals:
            ok = isinstance(pair, list) and len(pair) == 2
            if not ok or not all(isinstance(t, str) and _HHMM.fullmatch(t) for t in pair):
                raise ValidationError(f"{day}: {pair!r} is not a [\"HH:MM\", \"HH:MM\"] pair.")
            if pair[0] == pair[1]:
                raise ValidationError(f"{day}: {pair!r} is empty.")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a bad name saved before validation must not break intake


def _clock(text: str) -> time:
    return time.max if text == "24:00" else time.fromisoformat(text)


def _windows(schedule: Schedule, day: datetime) -> list[tuple[datetime, datetime]]:
    """Return the local open windows that start on `day` (a local midnight)."""
    windows = []
    for start, end in schedule.get(DAYS[day.weekday()], ()):
        opens = datetime.combine(day.date(), _clock(start), day.tzinfo)
        closes = datetime.combine(day.date(), _clock(end), day.tzinfo)
        if closes <= opens:
            closes += timedelta(days=1)  # runs past midnight
        windows.append((opens, closes))
    return windows


def _local_midnight(at: datetime, zone: ZoneInfo) -> datetime:
    local = at.astimezone(zone)
    return datetime.combine(local.date(), time.min, zone)


def is_open(schedule: Schedule, zone_name: str, at: datetime) -> bool:
    """Return whether the schedule is open at the instant `at`."""
    if not schedule:
        return True
    zone = _zone(zone_name)
    today = _local_midnight(at, zone)
    # Yesterday's windows may run past midnight into today.
    for day in (today - timedelta(days=1), today):
        if any(opens <= at < closes for opens, closes in _windows(schedule, day)):
            return True
    return False


def next_opening(schedule: Schedule, zone_name: str, at: datetime) -> datetime | None:
    """Return when the schedule next opens after `at`, or None if it never opens."""
    if not schedule:
        return at
    zone = _zone(zone_name)
    today = _local_midnight(at, zone)
    openings = [
        opens
        for offset in range(8)
        for opens, _ in _windows(schedule, today + timedelta(days=offset))
        if opens > at
    ]
    return min(openings, default=None)
