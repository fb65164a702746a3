"""
Chart geometry for the SVG the templates draw: scaled bars, stacked parts and polylines.
Only numbers leave this module; labels are escaped by the template like any other text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from reporting.selectors.tables import Table

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 56
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777")
MAX_LABELS = 16


@dataclass
class Shape:
    x: float
    y: float
    w: float
    h: float
    color: str
    title: str


@dataclass
class Svg:
    kind: str
    width: int = WIDTH
    height: int = HEIGHT
    plot_bottom: float = HEIGHT - BOTTOM
    plot_left: float = LEFT
    plot_right: float = WIDTH - RIGHT
    bars: list[Shape] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    dots: list[Shape] = field(default_factory=list)
    x_labels: list[dict[str, Any]] = field(default_factory=list)
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, str]] = field(default_factory=list)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _format(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _nice(top: float) -> float:
    """Round an axis maximum up to 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= top)


def _y_axis(svg: Svg, top: float, unit: str) -> float:
    top = 1.0 if unit == "share" else _nice(top)
    plot = svg.plot_bottom - TOP
    for i in range(5):
        value = top * i / 4
        svg.y_ticks.append({"y": round(svg.plot_bottom - plot * i / 4, 1),
                            "label": _format(value, unit)})
    return plot / top


def _x_labels(svg: Svg, labels: list[str], centers: list[float]) -> None:
    step = max(1, -(-len(labels) // MAX_LABELS))
    for i in range(0, len(labels), step):
        svg.x_labels.append({"x": round(centers[i], 1), "text": labels[i][:18]})


def chart_for(table: Table) -> Svg | None:
    """Return the SVG geometry of the table's chart, or None without a chart or rows."""
    chart = table.chart
    if chart is None or not table.rows:
        return None
    units = {c.key: c.unit for c in table.columns}
    names = {c.key: c.label for c in table.columns}
    labels = [str(row.get(chart.x) if row.get(chart.x) is not None else "(none)")
              for row in table.rows]
    svg = Svg(kind=chart.kind)
    svg.legend = [{"color": PALETTE[i % len(PALETTE)], "label": names.get(key, key)}
                  for i, key in enumerate(chart.series)]
    unit = units.get(chart.series[0], "")
    width = svg.plot_right - svg.plot_left
    slot = width / len(table.rows)
    centers = [svg.plot_left + slot * (i + 0.5) for i in range(len(table.rows))]
    if chart.kind == "line":
        top = max(_number(row.get(k)) for row in table.rows for k in chart.series)
        scale = _y_axis(svg, top, unit)
        for i, key in enumerate(chart.series):
            # A day without a value (no solved ticket to judge) is left out, not drawn as 0.
            color = PALETTE[i % len(PALETTE)]
            marks = [(j, row.get(key)) for j, row in enumerate(table.rows)
                     if row.get(key) is not None]
            coordinates = [(round(centers[j], 1),
                            round(svg.plot_bottom - _number(value) * scale, 1))
                           for j, value in marks]
            svg.lines.append({"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates),
                              "color": color})
            # A dot on each value: one day alone is no line, and a dot carries its figure.
            svg.dots.extend(
                Shape(x=x, y=y, w=3, h=3, color=color, title=f"{labels[j]}: "
                      f"{names.get(key, key)} {_format(_number(value), units.get(key, ''))}")
                for (x, y), (j, value) in zip(coordinates, marks, strict=True))
    else:
        stacked = chart.kind == "stacked"
        totals = [sum(_number(row.get(k)) for k in chart.series) if stacked
                  else max(_number(row.get(k)) for k in chart.series) for row in table.rows]
        scale = _y_axis(svg, max(totals), unit)
        bar = slot * 0.7
        for j, row in enumerate(table.rows):
            base = svg.plot_bottom
            for i, key in enumerate(chart.series):
                value = _number(row.get(key))
                h = value * scale
                shown = _format(value, units.get(key, ""))
                svg.bars.append(Shape(
                    x=round(centers[j] - bar / 2, 1), y=round(base - h, 1), w=round(bar, 1),
                    h=round(h, 1), color=PALETTE[i % len(PALETTE)],
                    title=f"{labels[j]}: {names.get(key, key)} {shown}"))
                if stacked:
                    base -= h
    _x_labels(svg, labels, centers)
    return svg
