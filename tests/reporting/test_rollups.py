"""Daily rollups: every dashboard reads the same figures from them as from the raw rows."""

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.models import DailyRollup, RollupCoverage, TicketMetrics
from reporting.reports import build_report, dashboard_named, report_filter
from reporting.rollups import refresh_recent_rollups
from reporting.selectors import DASHBOARDS
from reporting.tasks import refresh_rollups
from tests.reporting.conftest import PERIOD, _status, _ticket, at

pytestmark = pytest.mark.django_db
DAY_ONE = date(2026, 3, 2)


def _plain(value: Any) -> Any:
    return round(value, 9) if isinstance(value, float) else value


def figures(user: Any, slug: str, **filters: str) -> list[list[str]]:
    """Every table's rows, order-free (ties may come in any order), floats rounded."""
    filterset = report_filter(user=user, data={**PERIOD, **filters})
    assert filterset.is_valid()
    report = build_report(dashboard=dashboard_named(slug), filterset=filterset)
    return [sorted(repr(sorted((k, _plain(v)) for k, v in row.items())) for row in table.rows)
            for table in report.tables]


@pytest.fixture
def today_ticket(desk):
    # A ticket of today (day two), in a cell day one has none of: the raw half of the sum.
    return _ticket(1500, priority="P4", channel="chat", team=desk.platform)


@pytest.mark.parametrize("slug", list(DASHBOARDS))
def test_every_dashboard_reads_the_same_figures_from_the_rollups(desk, today_ticket, slug):
    # given the figures from the raw rows alone (nothing rolled up yet)
    manager = desk.people["max"]
    with at(1560):
        raw = figures(manager, slug)
        # when the beat task rolls up day one
        refresh_rollups.apply().get()
        with CaptureQueriesContext(connection) as queries:
            rolled = figures(manager, slug)
    # then day one comes from the rollup, today from the raw rows, and nothing changed
    assert DailyRollup.objects.filter(day=DAY_ONE).exists()
    assert not DailyRollup.objects.exclude(day=DAY_ONE).exists()
    uses_rollup = any("reporting_dailyrollup" in q["sql"] for q in queries.captured_queries)
    assert uses_rollup == (slug != "response")  # response reads macro uses, not metrics
    assert rolled == raw


@pytest.mark.parametrize("filters", [
    {"priority": "P3"}, {"channel": "email"}, {"tier": "enterprise"}, {"team": "platform"},
])
def test_filtered_dashboards_read_the_same_figures_from_the_rollups(desk, today_ticket,
                                                                    filters):
    # given a filter the rollup cells carry, and the figures from the raw rows alone
    if "team" in filters:
        filters = {"team": str(desk.platform.pk)}
    manager = desk.people["max"]
    with at(1560):
        raw = {slug: figures(manager, slug, **filters) for slug in ("sla", "followup")}
        # when day one is rolled up
        refresh_recent_rollups()
        rolled = {slug: figures(manager, slug, **filters) for slug in ("sla", "followup")}
    # then the filtered figures are the same
    assert rolled == raw


def test_agents_and_leads_read_raw_rows_the_rollups_cannot_restrict(desk):
    # given rolled-up days
    with at(1560):
        refresh_recent_rollups()
        # when a team lead opens a dashboard
        with CaptureQueriesContext(connection) as queries:
            figures(desk.people["lee"], "followup")
    # then the rollups (no owner column) are not read for people who see some tickets only
    assert not any("reporting_dailyrollup" in q["sql"] for q in queries.captured_queries)


def _cells() -> list[tuple]:
    return sorted(DailyRollup.objects.values_list(
        "day", "team_id", "priority", "channel", "tier", "category", "tickets", "solved",
        "escalated", "rated", "csat_total", "assignee_hops"), key=repr)


def test_the_refresh_is_idempotent(desk):
    # given a first run
    with at(1560):
        refresh_recent_rollups()
        first = _cells()
        # when it runs again with nothing changed
        again = refresh_recent_rollups()
    # then the same cells, and nothing to recompute
    assert _cells() == first
    assert again == {"cells": 0, "ranges": 0}
    assert sum(cell[6] for cell in first) == 5  # T1-T5 on day one


def test_a_change_to_an_old_ticket_recomputes_its_day(desk):
    # given day one rolled up, T4 open
    with at(1560):
        refresh_recent_rollups()
    before = DailyRollup.objects.filter(day=DAY_ONE, channel="chat").get()
    assert before.solved == 0
    # when T4 (created on day one) is solved on day two and the task runs again
    _status(desk.tickets["T4"], 1570, "solved")
    with at(1580):
        result = refresh_recent_rollups()
    # then its day one cell counts the solve
    assert result["ranges"] == 1
    assert DailyRollup.objects.get(pk=before.pk).solved == 1


def test_a_ticket_leaving_a_cell_empties_it(desk):
    # given day one rolled up, T4 alone in its chat cell
    with at(1560):
        refresh_recent_rollups()
    # when its metrics row moves to another channel (as a change of channel would)
    with at(1570):
        row = TicketMetrics.objects.get(ticket=desk.tickets["T4"])
        row.channel = "email"
        row.save()
    with at(1580):
        refresh_recent_rollups()
    # then the old cell is gone and the ticket is counted in its new one
    assert not DailyRollup.objects.filter(day=DAY_ONE, channel="chat").exists()
    assert sum(DailyRollup.objects.filter(day=DAY_ONE).values_list("tickets", flat=True)) == 5


def test_coverage_moves_to_yesterday_each_day(desk):
    # given a run on day two
    with at(1560):
        refresh_recent_rollups()
    # when the task runs on day three
    with at(1560 + 24 * 60):
        refresh_recent_rollups()
    # then day two is covered too
    coverage = RollupCoverage.objects.get()
    assert (coverage.first_day, coverage.last_day) == (DAY_ONE, date(2026, 3, 3))


def test_rollup_backed_pages_cost_no_more_queries_with_more_days_and_tickets(desk):
    # given day one rolled up and its page's query count
    manager = desk.people["max"]
    with at(1560):
        refresh_recent_rollups()
        figures(manager, "followup")  # warms the per-user permission cache
        with CaptureQueriesContext(connection) as few:
            figures(manager, "followup")
    # when more tickets arrive on day one and day two, and day two is rolled up too
    for minute in (30, 90, 1500, 1530):
        _ticket(minute, priority="P1", channel="email", team=desk.billing)
    with at(1560 + 24 * 60):
        refresh_recent_rollups()
        with CaptureQueriesContext(connection) as many:
            figures(manager, "followup")
    # then no more queries (fewer once every day of the period is rolled up: no raw half)
    assert len(many) <= len(few)


def test_sla_tables_by_priority_team_and_day_share_one_rollup_read(desk, today_ticket):
    # given day one rolled up
    manager = desk.people["max"]
    with at(1560):
        refresh_rollups.apply().get()
        # when the SLA dashboard builds its compliance tables and average times
        with CaptureQueriesContext(connection) as queries:
            figures(manager, "sla")
    # then one rollup query and one raw query at their joint grain serve all four
    rollup_reads = [q for q in queries.captured_queries if "reporting_dailyrollup" in q["sql"]]
    assert len(rollup_reads) == 1


def test_the_raw_half_reads_only_the_days_the_rollup_lacks(desk, today_ticket):
    # given day one rolled up
    manager = desk.people["max"]
    with at(1560):
        refresh_rollups.apply().get()
        # when a dashboard adds today's raw rows to the rollup's
        with CaptureQueriesContext(connection) as queries:
            figures(manager, "volume")
    # then its raw queries ask for today's range alone, not the period with an OR on every row
    raw = [q["sql"] for q in queries.captured_queries
           if "reporting_ticketmetrics" in q["sql"] and "part_tickets" in q["sql"]]
    assert raw
    assert not any(" OR " in sql for sql in raw)


@pytest.mark.parametrize("slug", ["sla", "volume", "followup"])
def test_days_before_the_rollup_coverage_come_from_raw_rows(desk, today_ticket, slug):
    # given a ticket the day before day one, and a period that starts that day
    _ticket(-600, priority="P2", channel="email", team=desk.billing)
    manager = desk.people["max"]
    earlier = {"date_from": "2026-03-01"}
    with at(1560):
        raw = figures(manager, slug, **earlier)
        # when the rollups hold day one only (coverage starts after the period does)
        refresh_recent_rollups()
        RollupCoverage.objects.filter(pk=1).update(first_day=DAY_ONE)
        rolled = figures(manager, slug, **earlier)
    # then the day before day one and today are read raw, day one rolled up: same figures
    assert rolled == raw
