"""
Tables written on every intake, event and sweep: each index on them must earn its writes.
"""

import pytest
from django.db import connection

from escalation.models import SlaHistory, SlaTimer, SlaWarning
from tickets.models import Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def whole_table_indexes(table: str) -> dict[str, list[str]]:
    """Each index that is not partial (a partial one covers some rows only), by its columns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, array_agg(a.attname ORDER BY k.position) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "CROSS JOIN unnest(x.indkey) WITH ORDINALITY AS k(attnum, position) "
            "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum "
            "WHERE x.indrelid = %s::regclass AND x.indpred IS NULL AND NOT x.indisprimary "
            "GROUP BY i.relname",
            [table],
        )
        return dict(cursor.fetchall())


@pytest.mark.parametrize("model", [Ticket, Message, TicketEvent, SlaTimer, SlaWarning, SlaHistory])
def test_no_index_repeats_the_leading_columns_of_another(model):
    # given the whole-table indexes of a busy table
    indexes = whole_table_indexes(model._meta.db_table)
    # then none is a leading part of another one, which serves every read it would serve
    repeated = [
        (name, other)
        for name, columns in indexes.items()
        for other, longer in indexes.items()
        if other != name and len(longer) > len(columns) and longer[: len(columns)] == columns
    ]
    assert indexes
    assert repeated == []
