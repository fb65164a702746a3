"""Agents dashboard: solved, response and resolution times, load against capacity, CSAT."""

from __future__ import annotations

from typing import Any

from reporting.selectors import metrics as m
from reporting.selectors.base import grouped
from reporting.selectors.labels import with_agent_names, with_team_names
from reporting.selectors.summary import summarised
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns
from routing.models import AgentProfile
from tickets.choices import UNSOLVED

PERFORMANCE = [m.solved, m.median_first_response, m.median_resolution, m.replies_per_solve,
               m.csat_average]


def _with_load(rows: list[dict[str, Any]], loads: dict[Any, int], key: str) -> None:
    for row in rows:
        row["open_load"] = loads.get(row[key], 0)


def per_agent(scope: Scope) -> Table:
    """Per owner: the period's performance, and their open tickets now against capacity."""
    rows = grouped(scope.rows.filter(assignee_id__isnull=False), by=["assignee_id"],
                   metrics=PERFORMANCE)
    loads = {r["assignee_id"]: r["open_load"] for r in grouped(
        scope.current.filter(assignee_id__isnull=False, status__in=UNSOLVED), by=["assignee_id"],
        metrics=[m.open_load])}
    known = {row["assignee_id"] for row in rows}
    rows += [{"assignee_id": pk, **{x.name: None for x in PERFORMANCE}}
             for pk in sorted(set(loads) - known)]
    _with_load(rows, loads, "assignee_id")
    capacity = dict(AgentProfile.objects.filter(user_id__in=[r["assignee_id"] for r in rows])
                    .values_list("user_id", "capacity"))
    for row in rows:
        row["capacity"] = capacity.get(row["assignee_id"])
    rows = with_agent_names(rows)
    rows.sort(key=lambda row: row["assignee_id_name"])
    return Table("per-agent", "Per agent",
                 [Column("assignee_id_name", "Agent"), *metric_columns(PERFORMANCE),
                  Column("open_load", "Open now", "count"), Column("capacity", "Capacity",
                                                                   "count")],
                 rows, Chart("stacked", "assignee_id_name", ("open_load",)))


@dashboard("agents", "Agents", "Solved, times, load against capacity and CSAT per agent and team.")
def agent_tables(scope: Scope) -> list[Table]:
    by_team = summarised(scope, by=["team_id"], metrics=PERFORMANCE)
    loads = {r["team_id"]: r["open_load"] for r in grouped(
        scope.current.filter(status__in=UNSOLVED), by=["team_id"], metrics=[m.open_load])}
    _with_load(by_team, loads, "team_id")
    return [
        per_agent(scope),
        Table("per-team", "Per team", [Column("team_id_name", "Team"),
                                       *metric_columns(PERFORMANCE),
                                       Column("open_load", "Open now", "count")],
              with_team_names(by_team), Chart("bar", "team_id_name", ("solved",))),
    ]
