"""The rollup cells as stored, and as the raw metrics rows say they should be."""

from __future__ import annotations

from datetime import date

from django.db.models.functions import Coalesce, TruncDate

from reporting.models import DailyRollup, TicketMetrics
from reporting.selectors.parts import GRAIN, PARTS, alias


def raw_cells(day: date | None = None) -> list[tuple]:
    """Every cell (of one day, or of all days) summed straight from the metrics rows."""
    rows = TicketMetrics.objects.annotate(day=TruncDate("created_at"))
    if day is not None:
        rows = rows.filter(day=day)
    sums = (rows.values("day", *GRAIN)
            .annotate(**{alias(name): Coalesce(expr, 0) for name, expr in PARTS.items()})
            .order_by())
    return sorted((tuple(row[key] for key in ("day", *GRAIN, *map(alias, PARTS)))
                   for row in sums), key=repr)


def rolled_cells(day: date | None = None) -> list[tuple]:
    """Every rollup cell (of one day, or of all days), in raw_cells' column order."""
    cells = DailyRollup.objects.all() if day is None else DailyRollup.objects.filter(day=day)
    return sorted(cells.values_list("day", *GRAIN, *PARTS), key=repr)
