"""
One way to build a report for a caller, shared by the pages, the CSV export and the API:
the caller's visible rows, the shared FilterSet, then the dashboard's tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.http import Http404, QueryDict
from django.utils import timezone

from reporting.filters import ReportFilter
from reporting.selectors import DASHBOARDS, visible_metrics
from reporting.selectors.base import sees_all_metrics, team_ids_of
from reporting.selectors.tables import Dashboard, Scope, Table
from tickets.models import ApiKey


@dataclass
class Report:
    dashboard: Dashboard
    filterset: ReportFilter
    tables: list[Table]

    def table(self, slug: str) -> Table:
        for table in self.tables:
            if table.slug == slug:
                return table
        raise Http404("No such table.")


def dashboard_named(slug: str) -> Dashboard:
    try:
        return DASHBOARDS[slug]
    except KeyError:
        raise Http404("No such report.") from None


def report_filter(
    *, user: AbstractBaseUser, data: QueryDict | dict[str, Any], api_key: ApiKey | None = None
) -> ReportFilter:
    """Return the bound FilterSet over the caller's rows; teams offered are theirs only."""
    filterset = ReportFilter(data, queryset=visible_metrics(user=user, api_key=api_key))
    filterset.sees_all = sees_all_metrics(user=user, api_key=api_key)
    if not (api_key is not None and api_key.is_integration) and not user.has_perm(
        "tickets.view_all_tickets"
    ):
        team_field = filterset.form.fields["team"]
        team_field.queryset = team_field.queryset.filter(pk__in=team_ids_of(user))
    return filterset


REPORT_WORK_MEM = "32MB"


def build_report(*, dashboard: Dashboard, filterset: ReportFilter) -> Report:
    """Build every table of the dashboard; call only with a valid FilterSet."""
    # The rollups have no owner column: callers who see only some tickets read raw rows.
    scope = Scope(rows=filterset.qs, current=filterset.current_qs(), now=timezone.now(),
                  period=filterset.period,
                  rollup=filterset.rollup_qs() if filterset.sees_all else None)
    with transaction.atomic(), connection.cursor() as cursor:
        # Percentiles and group-bys sort tens of thousands of rows: in memory, not on disk.
        cursor.execute("SET LOCAL work_mem = %s", [REPORT_WORK_MEM])
        tables = dashboard.build(scope)
    return Report(dashboard=dashboard, filterset=filterset, tables=tables)
