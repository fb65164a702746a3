"""
Dashboard figures from the daily rollups where they hold whole days, and from the raw metrics
rows for the rest (today, or days not rolled up yet): the same numbers, far fewer rows read.

A metric is additive when ADDITIVE says how to build it from rollup parts; the others
(percentiles) always come from the raw rows, in one query per table beside the rollup one.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import reduce
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from reporting.filters import start_of
from reporting.selectors.base import Metric, grouped
from reporting.selectors.parts import GRAIN, PARTS, alias
from reporting.selectors.tables import Scope

Parts = dict[str, int]
DAY = "day"


def _ratio(part: str, whole: str, scale: float = 1.0) -> tuple[tuple[str, ...], Callable]:
    return (part, whole), lambda p: scale * p[part] / p[whole] if p[whole] else None


def _count(part: str) -> tuple[tuple[str, ...], Callable]:
    return (part,), lambda p: p[part]


def _total(part: str) -> tuple[tuple[str, ...], Callable]:
    # A SUM over no rows is NULL, like the raw aggregate's.
    return (part, "tickets"), lambda p: p[part] if p["tickets"] else None


def _nps(p: Parts) -> float | None:
    if not p["nps_rated"]:
        return None
    return 100.0 * (p["promoters"] / p["nps_rated"] - p["detractors"] / p["nps_rated"])


ADDITIVE: dict[str, tuple[tuple[str, ...], Callable[[Parts], Any]]] = {
    "tickets": _count("tickets"),
    "solved": _count("solved"),
    "first_response_compliance": _ratio("first_response_met", "answered"),
    "resolution_compliance": _ratio("resolution_met", "solved"),
    "average_next_response": _ratio("next_response_seconds", "next_responses", 1 / 60),
    "escalation_rate": _ratio("escalated", "tickets"),
    "escalated": _count("escalated"),
    "de_escalated": _count("de_escalated"),
    "reassignments_per_ticket": _ratio("assignee_hops", "tickets"),
    "team_transfers_per_ticket": _ratio("team_hops", "tickets"),
    "many_owners": _count("many_owners"),
    "handoff_requests": _total("handoffs_requested"),
    "handoff_rejections": _total("handoffs_rejected"),
    "average_pending_acceptance": _ratio("handoff_pending_seconds", "handoffs_requested",
                                         1 / 60),
    "reopen_rate": _ratio("reopened_within_7d", "ever_solved"),
    "repeat_contact_rate": _ratio("follow_ups", "tickets"),
    "csat_average": _ratio("csat_total", "rated"),
    "csat_satisfied": _ratio("satisfied", "rated"),
    "csat_responses": _count("rated"),
    "nps": (("nps_rated", "promoters", "detractors"), _nps),
    "first_contact_resolution": _ratio("first_contact_resolved", "solved"),
    "auto_classified": _count("auto_classified"),
    "auto_category_kept": _count("auto_kept"),
    "triage_precision": _ratio("auto_kept", "auto_classified"),
    "manual_review_rate": _ratio("triage_review", "tickets"),
    "replies_per_solve": _ratio("replies_at_solve_total", "solved_with_replies"),
}


def summarised(
    scope: Scope, *, by: Sequence[str], metrics: Sequence[Metric],
    order_by: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """
    Like base.grouped over scope.rows, grouped by rollup dimensions (GRAIN) and/or "day" (of
    creation): additive metrics from rollup days plus raw rows, the rest from raw rows.
    """
    additive = [m for m in metrics if m.name in ADDITIVE]
    if not additive or not _rolls_up(scope, by):
        return grouped(scope.rows, by=_raw_by(by), metrics=metrics, order_by=order_by)
    rows = _folded(_parts(scope, by, additive), by, by, additive)
    rest = [m for m in metrics if m.name not in ADDITIVE]
    if rest:
        _join(rows, by, grouped(scope.rows, by=_raw_by(by), metrics=rest))
    return _ordered(rows, order_by or list(by))


Grouping = tuple[Sequence[str], Sequence[Metric]]


def summarised_together(scope: Scope, groupings: Sequence[Grouping]) -> list[list[dict[str, Any]]]:
    """
    summarised(scope, by=..., metrics=...) for each grouping of additive metrics, from one
    rollup query and one raw query at the groupings' joint grain, summed down in Python (a few
    hundred cells): a dashboard's tables by priority, by team and by day cost two queries, not six.
    """
    joint = list(dict.fromkeys(name for by, _ in groupings for name in by))
    every = [m for _, metrics in groupings for m in metrics]
    if not all(m.name in ADDITIVE for m in every) or not _rolls_up(scope, joint):
        return [summarised(scope, by=by, metrics=metrics) for by, metrics in groupings]
    cells = _parts(scope, joint, every)
    return [_ordered(_folded(cells, joint, by, metrics), list(by)) for by, metrics in groupings]


def _rolls_up(scope: Scope, by: Sequence[str]) -> bool:
    return scope.rollup_days is not None and set(by) <= {DAY, *GRAIN}


def _parts(scope: Scope, by: Sequence[str], additive: Sequence[Metric]) -> dict[tuple, Parts]:
    """The parts the metrics are built from, per group: rollup days plus raw rows around them."""
    parts = sorted({part for m in additive for part in ADDITIVE[m.name][0]} | {"tickets"})
    first, last = scope.rollup_days
    rolled = scope.rollup.filter(day__gte=first, day__lte=last)
    raw = _outside(scope, first, last)
    return _merged(by, parts, [
        _sums(rolled, by, {alias(part): Sum(part) for part in parts}),
        _sums(raw.annotate(**{DAY: TruncDate("created_at")} if DAY in by else {}), by,
              {alias(part): PARTS[part] for part in parts}),
    ])


def _outside(scope: Scope, first: date, last: date) -> QuerySet[Any]:
    """
    The rows of the period on days the rollup does not hold: usually today alone. Only the
    sides that exist are asked for, so the index reads a day, not the period (an OR beside
    the period's range is applied to every row of it).
    """
    before = Q(created_at__lt=start_of(first)) if first > scope.period[0] else None
    after = (Q(created_at__gte=start_of(last + timedelta(days=1)))
             if last < scope.period[1] else None)
    sides = [side for side in (before, after) if side is not None]
    if not sides:
        return scope.rows.none()
    return scope.rows.filter(reduce(operator.or_, sides))


def _folded(
    cells: dict[tuple, Parts], grain: Sequence[str], by: Sequence[str], metrics: Sequence[Metric],
) -> list[dict[str, Any]]:
    """The metrics per group of `by`, from cells keyed by the finer (or equal) `grain`."""
    groups: dict[tuple, Parts] = {}
    positions = [list(grain).index(name) for name in by]
    for key, sums in cells.items():  # groups of days, teams, priorities: never tickets
        total = groups.get(group := tuple(key[i] for i in positions))
        if total is None:
            groups[group] = dict(sums)
            continue
        for part, value in sums.items():
            total[part] += value
    if not by:
        groups.setdefault((), defaultdict(int))
    return [{**dict(zip(by, key, strict=True)),
             **{m.name: ADDITIVE[m.name][1](sums) for m in metrics}}
            for key, sums in groups.items() if sums["tickets"] or not by]


def _sums(rows: Any, by: Sequence[str], aggregates: dict[str, Any]) -> list[dict[str, Any]]:
    if not by:
        return [rows.aggregate(**aggregates)]
    return list(rows.values(*by).annotate(**aggregates).order_by())


def _raw_by(by: Sequence[str]) -> dict[str, Any]:
    return {name: TruncDate("created_at") if name == DAY else F(name) for name in by}


def _merged(by: Sequence[str], parts: list[str], queries: list[Any]) -> dict[tuple, Parts]:
    cells: dict[tuple, Parts] = {} if by else {(): dict.fromkeys(parts, 0)}
    for query in queries:
        for row in query:  # one row per group: days, teams, channels, never tickets
            sums = cells.setdefault(tuple(row[name] for name in by), dict.fromkeys(parts, 0))
            for part in parts:
                sums[part] += row[alias(part)] or 0
    return cells


def _join(rows: list[dict[str, Any]], by: Sequence[str], others: list[dict[str, Any]]) -> None:
    found = {tuple(row[name] for name in by): row for row in others}
    for row in rows:
        extra = found.get(tuple(row[name] for name in by), {})
        row.update({k: v for k, v in extra.items() if k not in by})


def _ordered(rows: list[dict[str, Any]], order_by: Sequence[str]) -> list[dict[str, Any]]:
    # Stable sorts, last key first; NULLs last ascending and first descending, as PostgreSQL.
    for key in reversed(order_by):
        name = key.lstrip("-")
        descending = key.startswith("-")
        rows.sort(key=lambda row: (row[name] is None, row[name] if row[name] is not None
                                   else 0), reverse=descending)
    return rows
