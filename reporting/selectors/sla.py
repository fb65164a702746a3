"""SLA dashboard: compliance, what is breaching now, the backlog, response and resolution times."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, F, IntegerField, Value, When

from reporting.selectors import metrics as m
from reporting.selectors.base import grouped
from reporting.selectors.labels import with_choice_labels, with_team_names
from reporting.selectors.summary import summarised
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns
from tickets.choices import UNSOLVED, Priority, TicketStatus

COMPLIANCE = [m.tickets, m.first_response_compliance, m.resolution_compliance]
TIMES = [m.median_first_response, m.p90_first_response, m.median_first_response_business,
         m.p90_first_response_business, m.median_resolution, m.p90_resolution,
         m.median_resolution_business, m.p90_resolution_business, m.average_next_response]
AGE_BUCKETS = (("under 1 day", 1), ("1-3 days", 3), ("3-7 days", 7))
OLDEST = "over 7 days"


def backlog_by_age_and_status(scope: Scope) -> Table:
    """Open tickets now, by age bucket, one stacked part per status."""
    statuses = [s for s in TicketStatus if s in UNSOLVED]
    # Bucket numbers, not labels: the groups hash in memory instead of sorting every row.
    bucket = Case(*[When(created_at__gte=scope.now - timedelta(days=days), then=Value(i))
                    for i, (_, days) in enumerate(AGE_BUCKETS)],
                  default=Value(len(AGE_BUCKETS)), output_field=IntegerField())
    cells = grouped(scope.current.filter(status__in=UNSOLVED),
                    by={"bucket": bucket, "status": F("status")}, metrics=[m.tickets])
    labels = [label for label, _ in AGE_BUCKETS] + [OLDEST]
    rows = [{"age": label, **{s.value: 0 for s in statuses}, "total": 0} for label in labels]
    for cell in cells:  # at most buckets x statuses groups
        rows[cell["bucket"]][cell["status"]] += cell["tickets"]
        rows[cell["bucket"]]["total"] += cell["tickets"]
    rows = [row for row in rows if row["total"]]
    columns = [Column("age", "Age"), *[Column(s.value, s.label, "count") for s in statuses],
               Column("total", "Total", "count")]
    return Table("backlog", "Backlog by age and status (now)", columns, rows,
                 Chart("stacked", "age", tuple(s.value for s in statuses)))


@dashboard("sla", "SLA", "Compliance for first response and resolution, breaches now, backlog.")
def sla_tables(scope: Scope) -> list[Table]:
    by_priority = with_choice_labels(
        summarised(scope, by=["priority"], metrics=COMPLIANCE + TIMES[:2] + TIMES[4:6]),
        "priority", Priority.choices)
    by_team = with_team_names(
        summarised(scope, by=["team_id"], metrics=COMPLIANCE + TIMES[:2] + TIMES[4:6]))
    by_day = summarised(scope, by=["day"], metrics=COMPLIANCE)
    now_rows = with_team_names(grouped(
        scope.current.filter(status__in=UNSOLVED), by=["team_id"],
        metrics=[m.open_tickets, m.breached_now, m.near_breach], now=scope.now))
    times = grouped(scope.rows, by=[], metrics=TIMES)
    return [
        Table("by-priority", "Compliance by priority",
              [Column("priority_name", "Priority"), *metric_columns(COMPLIANCE + TIMES[:2]
                                                                    + TIMES[4:6])],
              by_priority, Chart("bar", "priority_name", ("resolution_compliance",))),
        Table("by-team", "Compliance by team",
              [Column("team_id_name", "Team"), *metric_columns(COMPLIANCE + TIMES[:2]
                                                               + TIMES[4:6])],
              by_team, Chart("bar", "team_id_name", ("resolution_compliance",))),
        Table("by-day", "Compliance by day of creation",
              [Column("day", "Day"), *metric_columns(COMPLIANCE)], by_day,
              Chart("line", "day", ("first_response_compliance", "resolution_compliance"))),
        Table("breaches-now", "Breaches and near-breaches now, by team",
              [Column("team_id_name", "Team"),
               *metric_columns([m.open_tickets, m.breached_now, m.near_breach])],
              now_rows, Chart("stacked", "team_id_name", ("breached_now", "near_breach"))),
        backlog_by_age_and_status(scope),
        Table("times", "Response and resolution times (calendar and business)",
              metric_columns(TIMES), times,
              note="Business times need the SLA calendars; empty where none measured."),
    ]
