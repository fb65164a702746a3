"""
Several grouped tables of percentiles from one scan of the rows: each group's aggregate is the
same aggregate with a FILTER on the group's value. A percentile sorts its input wherever it is
computed; a GROUP BY query also reads the rows and sorts them by the group first, once per table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Aggregate, Expression, Q, QuerySet

from reporting.selectors.base import Metric


def _filtered(expression: Expression, condition: Q) -> Expression:
    """The expression with every aggregate in it restricted to the rows matching condition."""
    copy = expression.copy()
    if isinstance(copy, Aggregate):
        copy.filter = condition if copy.filter is None else copy.filter & condition
        return copy
    copy.set_source_expressions([_filtered(source, condition) if source is not None else None
                                 for source in copy.get_source_expressions()])
    return copy


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
