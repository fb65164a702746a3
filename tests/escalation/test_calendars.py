"""Business-time arithmetic, checked against instants worked out by hand in four zones."""

from datetime import UTC, datetime, timedelta

import pytest

from escalation.calendars import (
    add_business_time,
    always_open_calendar,
    build_schedule,
    business_seconds_between,
    default_business_calendar,
    is_open_at,
)
from escalation.models import BusinessCalendar, CalendarClosure

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOUR = 3600


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def schedule(zone: str, hours: dict, *, country: str = "", region: str = "", always=False):
    """An unsaved calendar's schedule: the arithmetic needs no database."""
    return build_schedule(BusinessCalendar(
        name=zone, time_zone=zone, hours=hours, always_open=always,
        holiday_country=country, holiday_subdivision=region,
    ))


LONDON = schedule("Europe/London", {d: [["09:00", "17:00"]] for d in WEEKDAYS},
                  country="GB", region="ENG")
NEW_YORK = schedule("America/New_York", {d: [["09:00", "17:00"]] for d in WEEKDAYS},
                    country="US", region="NY")
LONDON_ALL_DAY = schedule("Europe/London", {d: [["00:00", "24:00"]] for d in
                                            (*WEEKDAYS, "sat", "sun")})


@pytest.mark.parametrize(("start", "seconds", "due"), [
    # inside hours, same day (GMT in March before the change)
    (utc(2026, 3, 2, 10), 4 * HOUR, utc(2026, 3, 2, 14)),
    # Friday 16:00 + 2 h: one hour on Friday, one on Monday
    (utc(2026, 3, 6, 16), 2 * HOUR, utc(2026, 3, 9, 10)),
    # created on Saturday: the clock starts on Monday 09:00
    (utc(2026, 3, 7, 12), HOUR, utc(2026, 3, 9, 10)),
    # created before opening
    (utc(2026, 3, 3, 7), 30 * 60, utc(2026, 3, 3, 9, 30)),
    # created after closing: next morning
    (utc(2026, 3, 3, 18), HOUR, utc(2026, 3, 4, 10)),
    # Thursday 16:00 BST + 2 h: Good Friday and Easter Monday are bank holidays in England,
    # so the second hour is Tuesday 09:00-10:00 BST = 08:00-09:00 UTC
    (utc(2026, 4, 2, 15), 2 * HOUR, utc(2026, 4, 7, 9)),
    # the weekend of the spring change: Friday 16:00 GMT, Monday 09:00 BST = 08:00 UTC
    (utc(2026, 3, 27, 16), 2 * HOUR, utc(2026, 3, 30, 9)),
    # exactly the day's remaining time: due at closing, not next morning
    (utc(2026, 3, 2, 16), HOUR, utc(2026, 3, 2, 17)),
])
def test_london_business_hours(start, seconds, due):
    assert add_business_time(LONDON, start, seconds) == due
    assert business_seconds_between(LONDON, start, due) == seconds


@pytest.mark.parametrize(("start", "seconds", "due"), [
    # Friday 16:00 EST + 2 h over the weekend clocks go forward: Monday 10:00 EDT
    (utc(2026, 3, 6, 21), 2 * HOUR, utc(2026, 3, 9, 14)),
    # July 3 2026 is Independence Day (observed): Thursday 16:00 EDT + 2 h -> Monday 10:00
    (utc(2026, 7, 2, 20), 2 * HOUR, utc(2026, 7, 6, 14)),
    # fall back weekend: Friday 16:00 EDT + 2 h -> Monday 10:00 EST
    (utc(2026, 10, 30, 20), 2 * HOUR, utc(2026, 11, 2, 15)),
])
def test_new_york_business_hours(start, seconds, due):
    assert add_business_time(NEW_YORK, start, seconds) == due
    assert business_seconds_between(NEW_YORK, start, due) == seconds


def test_several_intervals_a_day_skip_the_lunch_break():
    # given 09:00-12:00 and 13:00-17:00 in New York (EST, UTC-5)
    split = schedule("America/New_York", {"mon": [["13:00", "17:00"], ["09:00", "12:00"]]})
    # when the clock starts Monday 11:00 with two hours to go, then
    due = add_business_time(split, utc(2026, 1, 5, 16), 2 * HOUR)
    # one hour before lunch, one after: 14:00 EST
    assert due == utc(2026, 1, 5, 19)


def test_interval_past_midnight_continues_into_the_next_day():
    night = schedule("America/New_York", {"mon": [["22:00", "06:00"]]})
    # Monday 23:00 EST + 3 h: one hour to midnight, two on Tuesday morning -> 02:00 EST
    assert add_business_time(night, utc(2026, 1, 6, 4), 3 * HOUR) == utc(2026, 1, 6, 7)
    # the night is one 8-hour window even though it crosses midnight
    assert business_seconds_between(night, utc(2026, 1, 5), utc(2026, 1, 8)) == 8 * HOUR


def test_kolkata_six_day_week_with_a_custom_closure(db):
    # given Mon-Sat 10:00-18:00 IST (UTC+05:30) and Republic Day entered as a closure
    calendar = BusinessCalendar.objects.create(
        name="Bengaluru", slug="bengaluru", time_zone="Asia/Kolkata",
        hours={d: [["10:00", "18:00"]] for d in (*WEEKDAYS, "sat")},
    )
    CalendarClosure.objects.create(calendar=calendar, date="2026-01-26", name="Republic Day")
    # when a ticket arrives Saturday 17:00 IST with three hours to go
    start = utc(2026, 1, 24, 11, 30)
    due = add_business_time(calendar, start, 3 * HOUR)
    # then: 1 h Saturday, Sunday shut, Monday closed, Tuesday 10:00-12:00 IST = 06:30 UTC
    assert due == utc(2026, 1, 27, 6, 30)
    saturday_nine = utc(2026, 1, 24, 3, 30)
    assert business_seconds_between(calendar, saturday_nine, due) == 8 * HOUR + 2 * HOUR


def test_spring_forward_inside_opening_hours_counts_real_time():
    # Sunday 29 March 2026: London's clocks jump from 01:00 GMT to 02:00 BST; the day is 23 h
    assert business_seconds_between(
        LONDON_ALL_DAY, utc(2026, 3, 29, 0), utc(2026, 3, 29, 23)
    ) == 23 * HOUR
    # 24 business hours from Saturday noon are 24 real hours later
    assert add_business_time(LONDON_ALL_DAY, utc(2026, 3, 28, 12), 24 * HOUR) == utc(
        2026, 3, 29, 12
    )


def test_opening_inside_the_skipped_hour_starts_when_the_clock_jumps():
    # Sunday 01:30-03:00: on 29 March 01:30 never happens; the window is 01:00 UTC (the jump)
    # to 03:00 BST = 02:00 UTC, one hour; a week earlier it is 01:30-03:00 GMT, 1.5 h
    early = schedule("Europe/London", {"sun": [["01:30", "03:00"]]})
    assert business_seconds_between(early, utc(2026, 3, 28), utc(2026, 3, 30)) == HOUR
    assert business_seconds_between(early, utc(2026, 3, 21), utc(2026, 3, 23)) == 90 * 60
    assert add_business_time(early, utc(2026, 3, 28), 60) == utc(2026, 3, 29, 1, 1)


def test_fall_back_inside_opening_hours_counts_the_repeated_hour():
    # Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT; the day is 25 h
    assert business_seconds_between(
        LONDON_ALL_DAY, utc(2026, 10, 24, 23), utc(2026, 10, 26, 0)
    ) == 25 * HOUR
    # 00:30-01:30 opens at the first 00:30 (BST) and closes at the last 01:30 (GMT): 2 h
    edge = schedule("Europe/London", {"sun": [["00:30", "01:30"]]})
    assert business_seconds_between(edge, utc(2026, 10, 24), utc(2026, 10, 26)) == 2 * HOUR
    assert add_business_time(edge, utc(2026, 10, 24), 2 * HOUR) == utc(2026, 10, 25, 1, 30)


def test_sydney_autumn_change_and_a_midnight_boundary():
    # Sydney leaves daylight time on Sunday 5 April 2026 (03:00 AEDT -> 02:00 AEST)
    sydney = schedule(
        "Australia/Sydney", {"sat": [["18:00", "24:00"]], "sun": [["00:00", "06:00"]]}
    )
    # Saturday 18:00 AEDT = 07:00 UTC; Sunday 06:00 AEST = Saturday 20:00 UTC: 13 real hours
    assert business_seconds_between(sydney, utc(2026, 4, 3), utc(2026, 4, 6)) == 13 * HOUR
    # crossing local midnight loses nothing: Saturday 23:00 AEDT + 2 h = Sunday 01:00 AEDT
    assert add_business_time(sydney, utc(2026, 4, 4, 12), 2 * HOUR) == utc(2026, 4, 4, 14)


def test_always_open_calendar_is_plain_elapsed_time(db):
    calendar = always_open_calendar()
    start = utc(2026, 3, 28, 23)
    assert calendar.always_open
    assert add_business_time(calendar, start, 4 * HOUR) == start + timedelta(hours=4)
    assert business_seconds_between(calendar, start, utc(2026, 3, 29, 23)) == 24 * HOUR


def test_measuring_backwards_is_negative_and_zero_targets_are_due_at_once():
    start, end = utc(2026, 3, 2, 10), utc(2026, 3, 2, 12)
    assert business_seconds_between(LONDON, end, start) == -2 * HOUR
    assert add_business_time(LONDON, start, 0) == start


def test_is_open_at_follows_hours_and_holidays():
    assert is_open_at(LONDON, utc(2026, 3, 2, 10))
    assert not is_open_at(LONDON, utc(2026, 3, 2, 18))
    assert not is_open_at(LONDON, utc(2026, 4, 3, 10))  # Good Friday


def test_seeded_business_calendar_is_london_weekdays(db):
    calendar = default_business_calendar()
    assert (calendar.time_zone, calendar.holiday_country) == ("Europe/London", "GB")
    assert calendar.hours["mon"] == [["09:00", "17:00"]]
    assert "sat" not in calendar.hours


def test_calendar_with_no_hours_is_refused(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        BusinessCalendar(name="x", slug="x", time_zone="UTC", hours={}).full_clean()
    with pytest.raises(ValidationError):
        BusinessCalendar(name="x", slug="x", time_zone="UTC", always_open=True,
                         holiday_country="ZZ").full_clean()


def test_a_long_target_costs_no_queries_after_the_first_read(db, django_assert_num_queries):
    calendar = default_business_calendar()
    add_business_time(calendar, utc(2026, 1, 5, 9), HOUR)  # reads the closures once
    with django_assert_num_queries(0):
        due = add_business_time(calendar, utc(2026, 1, 5, 9), 72 * HOUR)
    # 72 business hours are nine 8-hour days: Monday 5 January to Thursday 15 January 17:00
    assert due == utc(2026, 1, 15, 17)
