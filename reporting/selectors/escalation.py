"""Escalation dashboard: how often tickets escalate, why, and how fast someone acknowledges."""

from __future__ import annotations

from django.db.models.functions import TruncDate

from reporting.selectors import metrics as m
from reporting.selectors.base import grouped
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns

QUALITY_NOTE = (
    "Escalation quality (necessary, premature, late) needs the escalation records that "
    "managers label; it appears here once the escalation app stores them."
)


@dashboard("escalation", "Escalation", "Escalation rate and trend, policies and triggers.")
def escalation_tables(scope: Scope) -> list[Table]:
    rate = [m.tickets, m.escalated, m.escalation_rate, m.de_escalated,
            m.median_time_to_acknowledge]
    escalated = scope.rows.filter(escalations__gt=0)
    by_cause = grouped(escalated, by=["escalation_policy", "escalation_trigger"],
                       metrics=[m.tickets, m.median_time_to_acknowledge],
                       order_by=["-tickets", "escalation_policy", "escalation_trigger"])
    for row in by_cause:
        row["escalation_policy"] = row["escalation_policy"] or "(by hand)"
    return [
        Table("summary", "Escalation rate", metric_columns(rate),
              grouped(scope.rows, by=[], metrics=rate), note=QUALITY_NOTE),
        Table("trend", "Escalation rate by day of creation", [Column("day", "Day"),
                                                              *metric_columns(rate[:3])],
              grouped(scope.rows, by={"day": TruncDate("created_at")}, metrics=rate[:3]),
              Chart("line", "day", ("escalation_rate",))),
        Table("by-trigger", "By policy and trigger (which fire most)",
              [Column("escalation_policy", "Policy"), Column("escalation_trigger", "Trigger"),
               Column("tickets", "Escalated tickets", "count"),
               *metric_columns([m.median_time_to_acknowledge])],
              by_cause, Chart("bar", "escalation_trigger", ("tickets",))),
    ]
