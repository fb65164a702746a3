"""Volume dashboard: where tickets come from and when, created against solved per day."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Func, IntegerField, Value
from django.db.models.functions import TruncDate

from reporting.filters import start_of
from reporting.selectors import metrics as m
from reporting.selectors.base import grouped
from reporting.selectors.labels import with_category_names, with_choice_labels
from reporting.selectors.summary import summarised
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns
from tickets.choices import Channel, Tier

WEEKDAYS = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


def created_vs_solved(scope: Scope) -> Table:
    """Per day of the period: tickets created, and tickets solved that day (of those in scope)."""
    created = {row["day"]: row["tickets"] for row in summarised(
        scope, by=["day"], metrics=[m.tickets])}
    start, end = scope.period
    solved = dict(
        scope.current.filter(solved_at__gte=start_of(start),
                             solved_at__lt=start_of(end + timedelta(days=1)))
        .annotate(day=TruncDate("solved_at")).values("day").annotate(n=Count("pk"))
        .values_list("day", "n"))
    days = sorted(set(created) | set(solved))
    rows = [{"day": day, "created": created.get(day, 0), "solved": solved.get(day, 0)}
            for day in days]
    return Table("created-vs-solved", "Created vs solved per day",
                 [Column("day", "Day"), Column("created", "Created", "count"),
                  Column("solved", "Solved", "count")], rows,
                 Chart("line", "day", ("created", "solved")))


def _utc_part(field: str) -> Func:
    # date_part() is a double: far cheaper per row than EXTRACT's numeric, and it hashes.
    return Func(Value(field), F("created_at"), function="date_part",
                template="%(function)s(%(expressions)s AT TIME ZONE 'UTC')::int",
                output_field=IntegerField())


def hour_and_weekday(scope: Scope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tickets by hour of day and by day of week, from one scan grouped by both."""
    cells = grouped(scope.rows, by={"hour": _utc_part("hour"), "weekday": _utc_part("isodow")},
                    metrics=[m.tickets])
    hours: Counter[int] = Counter()
    weekdays: Counter[int] = Counter()
    for cell in cells:  # at most 24 x 7 groups
        hours[cell["hour"]] += cell["tickets"]
        weekdays[cell["weekday"]] += cell["tickets"]
    return ([{"hour": hour, "tickets": hours[hour]} for hour in sorted(hours)],
            [{"weekday": day, "weekday_name": WEEKDAYS[day], "tickets": weekdays[day]}
             for day in sorted(weekdays)])


@dashboard("volume", "Volume", "Tickets by channel, category, tier and time; created vs solved.")
def volume_tables(scope: Scope) -> list[Table]:
    counted = [m.tickets, m.solved]
    by_channel = with_choice_labels(summarised(scope, by=["channel"], metrics=counted,
                                            order_by=["-tickets"]), "channel", Channel.choices)
    by_category = with_category_names(summarised(scope, by=["category"], metrics=counted,
                                              order_by=["-tickets"]))
    by_tier = with_choice_labels(summarised(scope, by=["tier"], metrics=counted,
                                         order_by=["-tickets"]), "tier", Tier.choices)
    by_hour, by_weekday = hour_and_weekday(scope)
    counted_cols = metric_columns(counted)
    return [
        created_vs_solved(scope),
        Table("by-channel", "By channel", [Column("channel_name", "Channel"), *counted_cols],
              by_channel, Chart("bar", "channel_name", ("tickets",))),
        Table("by-category", "By category", [Column("category_name", "Category"),
                                             *counted_cols],
              by_category, Chart("bar", "category_name", ("tickets",))),
        Table("by-tier", "By customer tier", [Column("tier_name", "Tier"), *counted_cols],
              by_tier, Chart("bar", "tier_name", ("tickets",))),
        Table("by-hour", "By hour of day (UTC)", [Column("hour", "Hour"),
                                                  *metric_columns([m.tickets])],
              by_hour, Chart("bar", "hour", ("tickets",))),
        Table("by-weekday", "By day of week", [Column("weekday_name", "Day"),
                                               *metric_columns([m.tickets])],
              by_weekday, Chart("bar", "weekday_name", ("tickets",))),
    ]


