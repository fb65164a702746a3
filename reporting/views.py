"""Dashboard pages, their CSV exports and the glossary (server-rendered, no script)."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from reporting.charts import chart_for
from reporting.reports import build_report, dashboard_named, report_filter
from reporting.selectors import DASHBOARDS, METRICS


def _require_reader(request: HttpRequest) -> None:
    if not request.user.has_perm("tickets.view_ticket"):
        raise PermissionDenied


def _common(request: HttpRequest, current: str) -> dict[str, Any]:
    return {"dashboards": list(DASHBOARDS.values()), "current": current}


@login_required
def reports_home(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    return redirect("reporting:dashboard", slug="sla")


@login_required
def dashboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    _require_reader(request)
    dashboard = dashboard_named(slug)
    filterset = report_filter(user=request.user, data=request.GET)
    context = {**_common(request, slug), "dashboard": dashboard, "filter": filterset}
    if not filterset.is_valid():
        return render(request, "reporting/dashboard.html", context, status=400)
    report = build_report(dashboard=dashboard, filterset=filterset)
    context["tables"] = [{"table": t, "svg": chart_for(t)} for t in report.tables]
    context["query"] = filterset.query_string()
    return render(request, "reporting/dashboard.html", context)


@login_required
def table_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    _require_reader(request)
    filterset = report_filter(user=request.user, data=request.GET)
    if not filterset.is_valid():
        return HttpResponse(_errors(filterset.errors), status=400, content_type="text/plain")
    found = build_report(dashboard=dashboard_named(slug), filterset=filterset).table(table)
    start, end = filterset.period
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slug}-{found.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv"')
    writer = csv.writer(response)
    writer.writerow([column.label for column in found.columns])
    writer.writerows(_csv_safe(row) for row in found.values())
    return response


def _csv_safe(values: list[Any]) -> list[Any]:
    # A cell starting with = + - @ is a formula to spreadsheets; text from people is quoted.
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
            for v in values]


def _errors(errors: dict[str, Any]) -> str:
    return "\n".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


@login_required
def glossary(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    metrics = sorted(METRICS.values(), key=lambda m: (m.dashboard, m.label))
    return render(request, "reporting/glossary.html",
                  {**_common(request, "glossary"), "metrics": metrics})
