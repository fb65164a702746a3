"""SLA dashboard: compliance, what is breaching now, the backlog, response and resolution times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q

from reporting.selectors import metrics as m
from reporting.selectors.labels import with_choice_labels, with_team_names
from reporting.selectors.slices import assuming, sliced
from reporting.selectors.summary import ADDITIVE, summarised_together
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns
from tickets.choices import UNSOLVED, Priority, TicketStatus

COMPLIANCE = [m.tickets, m.first_response_compliance, m.resolution_compliance]
TIMES = [m.median_first_response, m.p90_first_response, m.median_first_response_business,
         m.p90_first_response_business, m.median_resolution, m.p90_resolution,
         m.median_resolution_business, m.p90_resolution_business, m.average_next_response]
PER_GROUP_TIMES = TIMES[:2] + TIMES[4:6]
PERCENTILES = [x for x in TIMES if x.name not in ADDITIVE]
AVERAGES = [x for x in TIMES if x.name in ADDITIVE]
AGE_BUCKETS = (("under 1 day", 1), ("1-3 days", 3), ("3-7 days", 7))
OLDEST = "over 7 days"


NOW = [m.open_tickets, m.breached_now, m.near_breach]


def _age_buckets(now: datetime) -> list[Q]:
    """Each age bucket's rows: created since its lower bound and before the next one's."""
    bounds = [now - timedelta(days=days) for _, days in AGE_BUCKETS]
    newer = [Q()] + [Q(created_at__lt=bound) for bound in bounds]
    older = [Q(created_at__gte=bound) for bound in bounds] + [Q()]
    return [upper & lower for upper, lower in zip(newer, older, strict=True)]


def open_now(scope: Scope) -> list[dict[str, Any]]:
    """
    Open tickets now per team and status, with what is breaching and each age bucket's count:
    one pass over the open tickets' index, already in (team, status) order, for both "now"
    tables (buckets as filtered counts, not a computed group the planner must sort by).
    """
    aggregates = {x.name: assuming(x.expression(scope.now), m.OPEN) for x in NOW}
    aggregates.update({f"age_{index}": Count("pk", filter=bucket)
                       for index, bucket in enumerate(_age_buckets(scope.now))})
    return list(scope.current.filter(m.OPEN).values("team_id", "status")
                .annotate(**aggregates).order_by("team_id", "status"))


def breaches_by_team(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open-now cells summed per team, in the cells' team order."""
    teams: dict[Any, dict[str, Any]] = {}
    for cell in cells:
        row = teams.setdefault(cell["team_id"], {"team_id": cell["team_id"],
                                                 **{x.name: 0 for x in NOW}})
        for x in NOW:
            row[x.name] += cell[x.name]
    return list(teams.values())


def backlog_by_age_and_status(cells: list[dict[str, Any]]) -> Table:
    """Open tickets now, by age bucket, one stacked part per status."""
    statuses = [s for s in TicketStatus if s in UNSOLVED]
    labels = [label for label, _ in AGE_BUCKETS] + [OLDEST]
    rows = [{"age": label, **{s.value: 0 for s in statuses}, "total": 0} for label in labels]
    for cell in cells:  # at most teams x statuses groups
        for index, row in enumerate(rows):
            row[cell["status"]] += cell[f"age_{index}"]
            row["total"] += cell[f"age_{index}"]
    rows = [row for row in rows if row["total"]]
    columns = [Column("age", "Age"), *[Column(s.value, s.label, "count") for s in statuses],
               Column("total", "Total", "count")]
    return Table("backlog", "Backlog by age and status (now)", columns, rows,
                 Chart("stacked", "age", tuple(s.value for s in statuses)))


def _with_times(
    scope: Scope, tables: dict[str, list[dict[str, Any]]], averages: dict[str, Any],
) -> dict[str, Any]:
    """Add the per-group times to each table's rows; return the overall times (one query)."""
    groups = {dimension: [row[dimension] for row in rows] for dimension, rows in tables.items()}
    # The averages are additive (rollups); the percentiles read the covering index only.
    per_group, overall = sliced(scope.rows, groups=groups, metrics=PER_GROUP_TIMES,
                                overall=PERCENTILES)
    overall.update(averages)
    for dimension, rows in tables.items():
        for row, times in zip(rows, per_group[dimension], strict=True):
            row.update(times)
    return {x.name: overall[x.name] for x in TIMES}  # in the table's column order


@dashboard("sla", "SLA", "Compliance for first response and resolution, breaches now, backlog.")
def sla_tables(scope: Scope) -> list[Table]:
    by_priority, by_team, by_day, (averages,) = summarised_together(scope, [
        (["priority"], COMPLIANCE), (["team_id"], COMPLIANCE), (["day"], COMPLIANCE),
        ([], AVERAGES)])
    times = _with_times(scope, {"priority": by_priority, "team_id": by_team}, averages)
    by_priority = with_choice_labels(by_priority, "priority", Priority.choices)
    by_team = with_team_names(by_team)
    now_cells = open_now(scope)
    now_rows = with_team_names(breaches_by_team(now_cells))
    return [
        Table("by-priority", "Compliance by priority",
              [Column("priority_name", "Priority"), *metric_columns(COMPLIANCE
                                                                    + PER_GROUP_TIMES)],
              by_priority, Chart("bar", "priority_name", ("resolution_compliance",))),
        Table("by-team", "Compliance by team",
              [Column("team_id_name", "Team"), *metric_columns(COMPLIANCE
                                                               + PER_GROUP_TIMES)],
              by_team, Chart("bar", "team_id_name", ("resolution_compliance",))),
        Table("by-day", "Compliance by day of creation",
              [Column("day", "Day"), *metric_columns(COMPLIANCE)], by_day,
              Chart("line", "day", ("first_response_compliance", "resolution_compliance"))),
        Table("breaches-now", "Breaches and near-breaches now, by team",
              [Column("team_id_name", "Team"),
               *metric_columns(NOW)],
              now_rows, Chart("stacked", "team_id_name", ("breached_now", "near_breach"))),
        backlog_by_age_and_status(now_cells),
        Table("times", "Response and resolution times (calendar and business)",
              metric_columns(TIMES), [times],
              note="Business times need the SLA calendars; empty where none measured."),
    ]
