"""
Several grouped tables of percentiles from one scan of the rows: each group's aggregate is the
same aggregate with a FILTER on the group's value. A percentile sorts its input wherever it is
computed; a GROUP BY query also reads the rows and sorts them by the group first, once per table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Aggregate, Expression, Q, QuerySet

from reporting.selectors.base import Metric


def _each_aggregate(expression: Expression, change: Callable[[Aggregate], None]) -> Expression:
    """A copy of the expression with `change` applied to a copy of every aggregate in it."""
    copy = expression.copy()
    if isinstance(copy, Aggregate):
        change(copy)
        return copy
    copy.set_source_expressions([_each_aggregate(source, change) if source is not None else None
                                 for source in copy.get_source_expressions()])
    return copy


def _filtered(expression: Expression, condition: Q) -> Expression:
    """The expression with every aggregate in it restricted to the rows matching condition."""

    def restrict(aggregate: Aggregate) -> None:
        aggregate.filter = condition if aggregate.filter is None else aggregate.filter & condition

    return _each_aggregate(expression, restrict)


def assuming(expression: Expression, known: Q) -> Expression:
    """
    The expression without `known`'s conditions in its aggregates' filters, for rows a WHERE
    already restricts to them: the same figure, without testing each row again per aggregate
    (PostgreSQL evaluates every FILTER on its own).
    """

    def drop_known(aggregate: Aggregate) -> None:
        condition = aggregate.filter
        if condition is None or condition.connector != Q.AND or condition.negated:
            return
        kept = [child for child in condition.children if child not in known.children]
        aggregate.filter = Q(*kept) if kept else None

    return _each_aggregate(expression, drop_known)


def _matching(dimension: str, value: Any) -> Q:
    return Q(**{f"{dimension}__isnull": True}) if value is None else Q(**{dimension: value})


def sliced(
    rows: QuerySet[Any], *, groups: dict[str, Sequence[Any]], metrics: Sequence[Metric],
    overall: Sequence[Metric],
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """
    Return, from one query, `metrics` per value of each dimension in `groups` (rows shaped
    like base.grouped's, keyed by dimension) and `overall` over every row; the values to
    compute are the caller's (the groups its other tables found), few by nature.
    """
    aggregates = {f"all__{m.name}": m.expression() for m in overall}
    for dimension, values in groups.items():
        for index, value in enumerate(values):
            only = _matching(dimension, value)
            aggregates.update({f"{dimension}__{index}__{m.name}": _filtered(m.expression(), only)
                               for m in metrics})
    found = rows.aggregate(**aggregates)
    tables = {dimension: [{dimension: value, **{m.name: found[f"{dimension}__{index}__{m.name}"]
                                                for m in metrics}}
                          for index, value in enumerate(values)]
              for dimension, values in groups.items()}
    return tables, {m.name: found[f"all__{m.name}"] for m in overall}
