"""
The building blocks every metric uses: who may see which rows, the metric registry that the
glossary page prints, and the aggregates SQL computes (shares, averages, percentiles).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    Expression,
    F,
    FloatField,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from reporting.models import TicketMetrics
from tickets.models import ApiKey


@dataclass(frozen=True)
class Metric:
    """A named aggregate over metrics rows; its docstring is its glossary definition."""

    name: str
    label: str
    unit: str
    dashboard: str
    build: Callable[[], Expression]

    @property
    def definition(self) -> str:
        return " ".join((self.build.__doc__ or "").split())

    def expression(self, now: datetime | None = None) -> Expression:
        """Return the aggregate; "now" metrics measure against the given time."""
        if "now" in inspect.signature(self.build).parameters:
            return self.build(now=now or timezone.now())
        return self.build()


METRICS: dict[str, Metric] = {}


def metric(*, label: str, unit: str, dashboard: str) -> Callable[[Callable[[], Any]], Metric]:
    """Register a metric: the decorated function returns its aggregate expression."""

    def register(build: Callable[[], Any]) -> Metric:
        found = Metric(name=build.__name__, label=label, unit=unit, dashboard=dashboard,
                       build=build)
        METRICS[found.name] = found
        return found

    return register


class Percentile(Aggregate):
    """percentile_cont(fraction) WITHIN GROUP (ORDER BY expression); NULLs are ignored."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction is between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def share(condition: Q, among: Q | None = None) -> Expression:
    """Return count(condition and among) / count(among), as a fraction; NULL when none."""
    among = among if among is not None else Q(pk__isnull=False)
    part = Cast(Count("pk", filter=condition & among), FloatField())
    return part / NullIf(Cast(Count("pk", filter=among), FloatField()), 0.0)


def minutes(field: str) -> Expression:
    return F(field) / 60.0


def average(expression: Any, **extra: Any) -> Expression:
    return Avg(expression, output_field=FloatField(), **extra)


def visible_metrics(
    *, user: AbstractBaseUser, api_key: ApiKey | None = None
) -> QuerySet[TicketMetrics]:
    """
    Return the metrics rows the caller may aggregate: all of them for managers, admins and
    integration keys with `read`; for agents and team leads, their teams' tickets and their own.
    """
    rows = TicketMetrics.objects.all()
    if sees_all_metrics(user=user, api_key=api_key):
        return rows
    if api_key is not None and api_key.is_integration:
        return rows.none()
    if not user.is_authenticated or not user.has_perm("tickets.view_ticket"):
        return rows.none()
    return rows.filter(Q(team_id__in=team_ids_of(user)) | Q(assignee_id=user.pk))


def sees_all_metrics(*, user: AbstractBaseUser, api_key: ApiKey | None = None) -> bool:
    """Managers, admins and integration keys with `read` aggregate every ticket."""
    if api_key is not None and api_key.is_integration:
        return api_key.has_scope("read")
    return (user.is_authenticated and user.has_perm("tickets.view_ticket")
            and user.has_perm("tickets.view_all_tickets"))


def team_ids_of(user: AbstractBaseUser) -> list[int]:
    """Return the teams a person belongs to or leads."""
    ids = set(user.teams.values_list("pk", flat=True))  # type: ignore[attr-defined]
    ids |= set(user.led_teams.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return sorted(ids)


def grouped(
    rows: QuerySet[Any], *, by: dict[str, Any] | Sequence[str], metrics: Sequence[Metric],
    order_by: Sequence[str] | None = None, limit: int | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """
    Return one dict per group with every metric, from one GROUP BY query. `by` names columns,
    or maps output names to expressions (an hour of day, a date).
    """
    aggregates = {m.name: m.expression(now) for m in metrics}
    if not by:
        return [rows.aggregate(**aggregates)]
    named = by if isinstance(by, dict) else {name: F(name) for name in by}
    computed = {name: expr for name, expr in named.items() if not _is_plain(name, expr)}
    query = rows.annotate(**computed) if computed else rows
    result = query.values(*named).annotate(**aggregates).order_by(*(order_by or list(named)))
    return list(result[:limit] if limit else result)


def _is_plain(name: str, expression: Any) -> bool:
    return isinstance(expression, F) and expression.name == name
