"""The SVG charts drawn beside each dashboard table."""

from datetime import date

from reporting.charts import chart_for
from reporting.selectors.tables import Chart, Column, Table
from reporting.templatetags.reporting_ui import chart_svg


def _line_table(rows):
    return Table("by-day", "Rate by day", [Column("day", "Day"), Column("rate", "Rate", "share")],
                 rows, Chart("line", "day", ("rate",)))


def test_a_line_over_one_day_still_shows_its_value():
    # given a line chart whose range holds a single day
    table = _line_table([{"day": date(2026, 3, 2), "rate": 0.25}])
    # when it is drawn
    svg = chart_svg(chart_for(table), table.title)
    # then that day is a dot whose title carries the figure, not an invisible one-point line
    assert svg.count("<circle") == 1
    assert "<title>2026-03-02: Rate 25%</title>" in svg


def test_days_without_a_value_get_no_dot():
    # given three days, the middle one without a value to judge
    table = _line_table([{"day": date(2026, 3, d), "rate": r}
                         for d, r in ((1, 0.5), (2, None), (3, 1.0))])
    # when drawn
    svg = chart_svg(chart_for(table), table.title)
    # then two dots, and the line joins only those two
    assert svg.count("<circle") == 2
    assert len(chart_for(table).lines[0]["points"].split()) == 2


def test_titles_in_a_chart_are_escaped():
    # given a label that is markup
    table = Table("t", "<b>T</b>", [Column("name", "Name"), Column("n", "N", "count")],
                  [{"name": "<script>x</script>", "n": 3}], Chart("bar", "name", ("n",)))
    # when drawn
    svg = chart_svg(chart_for(table), table.title)
    # then no markup gets through
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;x&lt;/script&gt;: N 3" in svg
