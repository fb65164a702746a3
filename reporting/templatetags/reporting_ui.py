"""Formatting of metric values by unit, for the dashboard tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


# The two loops below draw most of a dashboard's markup. Built here rather than in the
# template: the template engine localises each of hundreds of coordinates and resolves every
# variable through its context stack, which cost a dashboard tens of milliseconds per page.
# Every text goes through format_html, so labels and titles are escaped as in a template.


@register.simple_tag
def table_rows(table: Any) -> SafeString:
    """The <tr>s of a dashboard table, each cell formatted by its column's unit."""
    units = [column.unit for column in table.columns]
    return format_html_join("", "<tr>{}</tr>", (
        (format_html_join("", "<td{}>{}</td>", (
            (_NUMERIC if unit else "", metric_value(value, unit))
            for value, unit in zip(row, units, strict=True))),)
        for row in table.values()))


_NUMERIC = mark_safe(' class="num"')  # a constant attribute: no input reaches it


@register.simple_tag
def chart_svg(svg: Any, title: str) -> SafeString:
    """A chart's SVG (ticks, bars, lines, dots, axis, labels) from reporting.charts geometry."""
    bottom = svg.plot_bottom
    ticks = format_html_join("", (
        '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#e5e7eb" stroke-width="1"/>'
        '<text x="{3}" y="{2}" text-anchor="end" dominant-baseline="middle" font-size="11"'
        ' fill="#4b5563">{4}</text>'), (
        (svg.plot_left, svg.plot_right, tick["y"], svg.plot_left - 6, tick["label"])
        for tick in svg.y_ticks))
    bars = format_html_join("", (
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>'), (
        (bar.x, bar.y, bar.w, bar.h, bar.color, bar.title) for bar in svg.bars))
    lines = format_html_join("", (
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>'), (
        (line["points"], line["color"]) for line in svg.lines))
    dots = format_html_join("", (
        '<circle cx="{}" cy="{}" r="{}" fill="{}"><title>{}</title></circle>'), (
        (dot.x, dot.y, dot.w, dot.color, dot.title) for dot in svg.dots))
    labels = format_html_join("", (
        '<text x="{0}" y="{1}" font-size="11" fill="#374151" text-anchor="end"'
        ' transform="rotate(-35 {0} {1})">{2}</text>'), (
        (label["x"], bottom + 8, label["text"]) for label in svg.x_labels))
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"'
        ' xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}{}{}{}'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#9ca3af" stroke-width="1"/>{}</svg>',
        svg.width, svg.height, title, title, ticks, bars, lines, dots,
        svg.plot_left, svg.plot_right, bottom, bottom, labels)
