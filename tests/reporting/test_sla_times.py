"""SLA times: every group's percentiles from one scan equal the raw GROUP BY definition."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.models import TicketMetrics
from reporting.reports import build_report, dashboard_named, report_filter
from reporting.selectors.base import grouped
from reporting.selectors.sla import AGE_BUCKETS, OLDEST, PER_GROUP_TIMES, TIMES
from tests.reporting.conftest import PERIOD, _say, _status, _ticket, at
from tickets.choices import UNSOLVED

pytestmark = pytest.mark.django_db


def _tables(user: Any, **filters: str) -> tuple[dict[str, list[dict[str, Any]]], Any]:
    filterset = report_filter(user=user, data={**PERIOD, **filters})
    assert filterset.is_valid()
    report = build_report(dashboard=dashboard_named("sla"), filterset=filterset)
    return {table.slug: table.rows for table in report.tables}, filterset.qs


def _times_of(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {row[key]: {m.name: row[m.name] for m in PER_GROUP_TIMES} for row in rows}


@pytest.fixture
def spread(desk):
    # More solved and answered tickets at different speeds, so medians and p90s interpolate.
    for index, minute in enumerate((10, 25, 47, 90, 200)):
        ticket = _ticket(minute, priority=("P1", "P2", "P3")[index % 3],
                         team=(desk.billing, desk.platform, None)[index % 3])
        _say(ticket, minute + 3 * index + 1, desk.people["ana"])
        _status(ticket, minute + 7 * index + 5, "solved")
    return desk


@pytest.mark.parametrize("filters", [{}, {"channel": "email"}, {"team": "platform"}])
def test_group_times_equal_the_raw_group_by(spread, filters):
    # given tickets of several priorities and teams (one without a team), solved at many speeds
    if "team" in filters:
        filters = {"team": str(spread.platform.pk)}
    assert TicketMetrics.objects.filter(resolution_seconds__isnull=False).count() >= 5
    with at(1560):
        # when a manager opens the SLA dashboard
        tables, rows = _tables(spread.people["max"], **filters)
    # then each group's and the overall times are those of a GROUP BY over the raw rows
    by_priority = grouped(rows, by=["priority"], metrics=PER_GROUP_TIMES)
    by_team = grouped(rows, by=["team_id"], metrics=PER_GROUP_TIMES)
    assert _times_of(tables["by-priority"], "priority") == _times_of(by_priority, "priority")
    assert _times_of(tables["by-team"], "team_id") == _times_of(by_team, "team_id")
    assert tables["times"] == grouped(rows, by=[], metrics=TIMES)
    assert any(row["p90_resolution"] for row in tables["by-team"])


def test_group_times_are_one_query_whatever_the_groups(spread):
    # given the dashboard's queries with the groups the desk has (permission caches warm)
    with at(1560):
        _tables(spread.people["max"])
    with at(1560), CaptureQueriesContext(connection) as before:
        _tables(spread.people["max"])
    # when tickets of another priority and team appear
    _ticket(300, priority="P4", team=spread.billing)
    with at(1560), CaptureQueriesContext(connection) as after:
        tables, _ = _tables(spread.people["max"])
    # then one query still computes every percentile
    percentile_queries = [q for q in after.captured_queries if "percentile_cont" in q["sql"]]
    assert len(percentile_queries) == 1
    assert len(after) == len(before)
    assert "P4" in {row["priority"] for row in tables["by-priority"]}


NOW_MINUTE = 20_000
DAY = 1440


def _raw_backlog() -> dict[str, dict[str, int]]:
    """The backlog's definition, counted ticket by ticket on the small hand-built desk."""
    counts: dict[str, dict[str, int]] = {}
    moment = timezone.now()
    for row in TicketMetrics.objects.filter(status__in=UNSOLVED):
        age = next((label for label, days in AGE_BUCKETS
                    if row.created_at >= moment - timedelta(days=days)), OLDEST)
        cell = counts.setdefault(age, {})
        cell[row.status] = cell.get(row.status, 0) + 1
    return counts


def test_backlog_buckets_and_breaches_equal_the_raw_definition(desk):
    # given open tickets aged half a day, exactly one day (the bound is inclusive), two, five
    # and ten days, besides the desk's older ones
    for age in (DAY // 2, DAY, 2 * DAY, 5 * DAY, 10 * DAY):
        _ticket(NOW_MINUTE - age, team=desk.billing, status="open")
    with at(NOW_MINUTE):
        # when a manager opens the SLA dashboard
        with CaptureQueriesContext(connection) as queries:
            tables, _ = _tables(desk.people["max"])
        expected = _raw_backlog()
    # then each bucket holds the tickets the definition puts there
    found = {row["age"]: {status: count for status, count in row.items()
                          if status not in ("age", "total") and count}
             for row in tables["backlog"]}
    assert found == expected
    assert [row["age"] for row in tables["backlog"]] == [
        label for label in [*(label for label, _ in AGE_BUCKETS), OLDEST] if label in expected]
    assert sum(row["total"] for row in tables["backlog"]) == sum(
        row["open_tickets"] for row in tables["breaches-now"])
    # and both "now" tables come from one pass over the open tickets
    open_scans = [q for q in queries.captured_queries
                  if "reporting_ticketmetrics" in q["sql"] and "'on_hold'" in q["sql"]]
    assert len(open_scans) == 1
