"""What a dashboard is made of: tables of rows, each with an optional chart of its columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.db.models import QuerySet

from reporting.models import RollupCoverage
from reporting.selectors.base import Metric


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = ""  # count, share, minutes, ratio, score, or "" for a label


@dataclass(frozen=True)
class Chart:
    """kind: "bar" (one series), "line" (series over an ordered x), "stacked" (bars of parts)."""

    kind: str
    x: str
    series: tuple[str, ...]


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: Chart | None = None
    note: str = ""

    def values(self) -> list[list[Any]]:
        return [[row.get(column.key) for column in self.columns] for row in self.rows]


@dataclass(frozen=True)
class Scope:
    """The rows a dashboard aggregates: `rows` under every filter, `current` without dates."""

    rows: QuerySet[Any]
    current: QuerySet[Any]
    now: datetime
    period: tuple[date, date]
    # The daily rollups under the same filters, when the caller may see every ticket.
    rollup: QuerySet[Any] | None = None

    @cached_property
    def rollup_days(self) -> tuple[date, date] | None:
        """
        The whole days of the period the rollup holds, or None when it holds none of them:
        read once per page, however many tables the dashboard builds from the rollup.
        """
        if self.rollup is None:
            return None
        coverage = RollupCoverage.objects.filter(pk=1).values_list("first_day", "last_day")
        held = coverage.first()
        if held is None:
            return None
        first, last = max(self.period[0], held[0]), min(self.period[1], held[1])
        return (first, last) if first <= last else None


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    audience: str
    build: Callable[[Scope], list[Table]]


DASHBOARDS: dict[str, Dashboard] = {}


def dashboard(slug: str, title: str, audience: str) -> Callable[[Callable], Callable]:
    def register(build: Callable[[Scope], list[Table]]) -> Callable[[Scope], list[Table]]:
        DASHBOARDS[slug] = Dashboard(slug=slug, title=title, audience=audience, build=build)
        return build

    return register


def metric_columns(metrics: Sequence[Metric]) -> list[Column]:
    return [Column(m.name, m.label, m.unit) for m in metrics]
