"""Escalation dashboard: how often tickets escalate, why, how fast someone acknowledges, and
how leads and managers judged the escalations afterwards (necessary, premature, late)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from escalation.escalations.choices import EscalationQuality
from escalation.escalations.models import Escalation
from reporting.selectors import metrics as m
from reporting.selectors.base import grouped
from reporting.selectors.summary import summarised
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns

QUALITY_COLUMNS = [Column("escalations", "Escalations", "count"),
                   Column("labelled", "Labelled", "count"),
                   Column("unlabelled", "Not labelled", "count"),
                   *[Column(f"{q.value}_share", f"{q.label} (of labelled)", "share")
                     for q in EscalationQuality]]
QUALITY_NOTE = ("Leads and managers label escalations on the escalations page; shares are of "
                "the labelled escalations of the tickets in scope.")


def _quality_counts() -> dict[str, Any]:
    return {"escalations": Count("pk"), "labelled": Count("label"),
            **{q.value: Count("pk", filter=Q(label__quality=q.value))
               for q in EscalationQuality}}


def _with_shares(row: dict[str, Any]) -> dict[str, Any]:
    row["unlabelled"] = row["escalations"] - row["labelled"]
    for quality in EscalationQuality:
        row[f"{quality.value}_share"] = (row.pop(quality.value) / row["labelled"]
                                         if row["labelled"] else None)
    return row


def quality_tables(scope: Scope) -> list[Table]:
    """Shares of each label, overall and by policy and trigger, of the tickets in scope."""
    records: QuerySet[Escalation] = Escalation.objects.filter(
        ticket_id__in=scope.rows.values("ticket_id"))
    overall = _with_shares(records.aggregate(**_quality_counts()))
    by_cause = [_with_shares(row) for row in records.values("policy__name", "trigger")
                .annotate(**_quality_counts()).order_by("-escalations", "policy__name",
                                                          "trigger")]
    for row in by_cause:
        row["policy__name"] = row["policy__name"] or "(by hand)"
    return [
        Table("quality", "Escalation quality", QUALITY_COLUMNS, [overall], note=QUALITY_NOTE),
        Table("quality-by-trigger", "Escalation quality by policy and trigger",
              [Column("policy__name", "Policy"), Column("trigger", "Trigger"),
               *QUALITY_COLUMNS], by_cause,
              Chart("stacked", "policy__name", tuple(f"{q.value}_share"
                                                     for q in EscalationQuality))),
    ]


@dashboard("escalation", "Escalation",
           "Escalation rate and trend, policies and triggers, quality labels.")
def escalation_tables(scope: Scope) -> list[Table]:
    rate = [m.tickets, m.escalated, m.escalation_rate, m.de_escalated,
            m.median_time_to_acknowledge]
    escalated = scope.rows.filter(escalations__gt=0)
    by_cause = grouped(escalated, by=["escalation_policy", "escalation_trigger"],
                       metrics=[m.tickets, m.median_time_to_acknowledge],
                       order_by=["-tickets", "escalation_policy", "escalation_trigger"])
    for row in by_cause:
        row["escalation_policy"] = row["escalation_policy"] or "(by hand)"
    # Only escalated tickets have a time to acknowledge: its median reads those rows alone.
    [summary] = summarised(scope, by=[], metrics=rate[:-1])
    summary.update(grouped(escalated, by=[], metrics=rate[-1:])[0])
    return [
        Table("summary", "Escalation rate", metric_columns(rate), [summary]),
        Table("trend", "Escalation rate by day of creation", [Column("day", "Day"),
                                                              *metric_columns(rate[:3])],
              summarised(scope, by=["day"], metrics=rate[:3]),
              Chart("line", "day", ("escalation_rate",))),
        Table("by-trigger", "By policy and trigger (which fire most)",
              [Column("escalation_policy", "Policy"), Column("escalation_trigger", "Trigger"),
               Column("tickets", "Escalated tickets", "count"),
               *metric_columns([m.median_time_to_acknowledge])],
              by_cause, Chart("bar", "escalation_trigger", ("tickets",))),
        *quality_tables(scope),
    ]
