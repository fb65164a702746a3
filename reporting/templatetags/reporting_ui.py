"""Formatting of metric values by unit, for the dashboard tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

register = template.Library()


def _duration(minutes: float) -> str:
    if minutes < 60:
        return f"{minutes:.0f}m"
    hours = minutes / 60
    if hours < 48:
        return f"{int(hours)}h {int(minutes % 60):02d}m"
    return f"{hours / 24:.1f}d"


@register.filter
def metric_value(value: Any, unit: str) -> str:
    """Return a cell as people read it: 85.0%, 2h 05m, 1.4; "-" for no value."""
    if value is None or value == "":
        return "-"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, int | float):
        return str(value)
    if unit == "share":
        return f"{value * 100:.1f}%"
    if unit == "minutes":
        return _duration(float(value))
    if unit in ("ratio", "score"):
        return f"{value:.2f}" if isinstance(value, float) else str(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


@register.filter
def cells(row: list[Any], columns: list[Any]) -> list[tuple[Any, str]]:
    return list(zip(row, [column.unit for column in columns], strict=True))
