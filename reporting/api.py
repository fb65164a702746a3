"""`GET /api/v1/reports/<name>/`: every table of a dashboard as JSON, with the page's filters."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.filters import ReportFilter
from reporting.reports import build_report, dashboard_named, report_filter
from tickets.api.authentication import request_api_key
from tickets.choices import ApiScope


class CanReadReports(BasePermission):
    """An API key needs the `read` scope; a person (or an agent key's user) needs a role."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        key = request_api_key(request)
        if key is not None:
            if not key.has_scope(ApiScope.READ):
                return False
            if key.is_integration:
                return True
        return bool(request.user and request.user.has_perm("tickets.view_ticket"))


def _cell(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class ReportApi(APIView):
    """Return one dashboard's tables: columns (key, label, unit) and rows of values."""

    permission_classes = [CanReadReports]

    @extend_schema(
        operation_id="report_read",
        parameters=[OpenApiParameter(name, str) for name in ReportFilter.base_filters],
        responses={200: dict},
    )
    def get(self, request: Request, name: str) -> Response:
        dashboard = dashboard_named(name)
        filterset = report_filter(user=request.user, data=request.query_params,
                                  api_key=request_api_key(request))
        if not filterset.is_valid():
            errors = dict(filterset.errors)
            if "__all__" in errors:
                errors["non_field_errors"] = errors.pop("__all__")
            raise exceptions.ValidationError(errors)
        report = build_report(dashboard=dashboard, filterset=filterset)
        start, end = filterset.period
        return Response({
            "report": dashboard.slug,
            "title": dashboard.title,
            "filters": {"date_from": start, "date_to": end, **{
                key: getattr(value, "pk", value)
                for key, value in filterset.form.cleaned_data.items()
                if key not in ("date_from", "date_to") and value not in (None, "")}},
            "tables": [{
                "name": table.slug, "title": table.title, "note": table.note,
                "columns": [{"key": c.key, "label": c.label, "unit": c.unit}
                            for c in table.columns],
                "rows": [[_cell(v) for v in row] for row in table.values()],
            } for table in report.tables],
        })
