"""Triage quality: automatic against final category, manual review, most overridden rules."""

from __future__ import annotations

from typing import Any

from django.db import connection

from reporting.selectors import metrics as m
from reporting.selectors.base import grouped
from reporting.selectors.labels import with_category_names
from reporting.selectors.summary import summarised
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns

QUALITY = [m.auto_classified, m.auto_category_kept, m.triage_precision]
OVERRIDDEN_RULES_SQL = """
SELECT rule->>'name' AS rule_name, count(*) AS overrides
FROM triage_triageoverride o
JOIN triage_triagedecision d ON d.id = o.decision_id
CROSS JOIN LATERAL jsonb_array_elements(d.rules) AS rule
WHERE o.field = 'category' AND rule->>'category' = o.before AND o.ticket_id IN ({tickets})
GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s
"""


def overridden_rules(scope: Scope, limit: int = 15) -> Table:
    """Rules that voted for a category an agent then changed, most often first."""
    sql, params = scope.rows.values("ticket_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(OVERRIDDEN_RULES_SQL.format(tickets=sql), [*params, limit])
        rows: list[dict[str, Any]] = [
            {"rule_name": name, "overrides": count} for name, count in cursor.fetchall()]
    return Table("overridden-rules", "Rules overridden most",
                 [Column("rule_name", "Rule"), Column("overrides", "Overrides", "count")],
                 rows, Chart("bar", "rule_name", ("overrides",)))


@dashboard("triage", "Triage quality", "Precision per category, manual review, overridden rules.")
def triage_tables(scope: Scope) -> list[Table]:
    per_category = with_category_names(grouped(
        scope.rows.filter(triage_source__in=["rules", "classifier"]),
        by=["triage_category"], metrics=QUALITY, order_by=["-auto_classified"]),
        key="triage_category")
    summary = [m.tickets, m.manual_review_rate, *QUALITY]
    return [
        Table("summary", "Triage", metric_columns(summary),
              summarised(scope, by=[], metrics=summary)),
        Table("precision", "Precision per automatic category",
              [Column("triage_category_name", "Category triage chose"), *metric_columns(QUALITY)],
              per_category, Chart("bar", "triage_category_name", ("triage_precision",))),
        overridden_rules(scope),
    ]
