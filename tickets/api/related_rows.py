"""
Attach a list page's decision rows (settings.HELPDESK_TICKET_PREFETCH) in one query each.

Django's prefetch_related filters on the tickets themselves, normalises every instance into the
lookup and builds a related manager and queryset per ticket: on a 25-row page that machinery
cost more CPU than the queries. Here each relation is one `<column> = ANY(ids)` query and the
rows go straight into the caches the descriptors read, so `ticket.<name>` and
`ticket.<name>.all()` answer without a query, exactly as after a prefetch.

Each relation's statement is compiled once per process and prepared once per connection:
building and compiling the queryset cost as much as running it.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import ForeignObjectRel

from tickets.models import Ticket
from tickets.prepared import execute_prepared
from tickets.selectors import api_rows


@dataclass(frozen=True)
class _RowsStatement:
    """A relation's rows for some tickets: the SQL, its columns, and their converters."""

    relation: ForeignObjectRel
    sql: str
    attnames: list[str]
    converters: list[tuple[int, list[Any], Any]]

    def rows(self, ticket_ids: list[int]) -> list[Any]:
        with connection.cursor() as cursor:
            execute_prepared(cursor, self.sql, [ticket_ids])
            fetched = cursor.fetchall()
        db = connection.alias
        model = self.relation.related_model
        return [model.from_db(db, self.attnames, self._converted(row)) for row in fetched]

    def _converted(self, row: tuple[Any, ...]) -> list[Any]:
        values = list(row)
        for position, functions, expression in self.converters:
            value = values[position]
            for function in functions:
                value = function(value, expression, connection)
            values[position] = value
        return values


@cache
def _statement(name: str) -> _RowsStatement:
    relation = Ticket._meta.get_field(name)
    rows = api_rows(relation).filter(**{f"{relation.field.attname}__in": [0]})
    compiler = rows.query.get_compiler(using=rows.db)
    sql, _ = compiler.as_sql()
    if sql.count(" IN (%s)") != 1:
        raise ValueError(f"unexpected SQL for the {name} rows: {sql}")
    columns = [column for column, _, _ in compiler.select]
    return _RowsStatement(
        relation=relation,
        sql=sql.replace(" IN (%s)", " = ANY(%s)"),
        attnames=[column.target.attname for column in columns],
        converters=[(position, functions, expression) for position, (functions, expression)
                    in compiler.get_converters(columns).items()],
    )


def attach_related_rows(tickets: list[Ticket]) -> None:
    if not tickets:
        return
    by_id = {ticket.pk: ticket for ticket in tickets}
    for name in settings.HELPDESK_TICKET_PREFETCH:
        statement = _statement(name)
        rows = statement.rows(list(by_id))
        if statement.relation.one_to_one:
            _attach_one(statement.relation, by_id, rows)
        else:
            _attach_many(statement.relation, by_id, rows)


def _attach_one(relation: ForeignObjectRel, by_id: dict[int, Ticket], rows: list[Any]) -> None:
    column = relation.field
    found = {}
    for row in rows:
        ticket = by_id[getattr(row, column.attname)]
        column.set_cached_value(row, ticket)
        found[ticket.pk] = row
    for ticket_id, ticket in by_id.items():
        # None in the cache is what a prefetch leaves: reading it raises DoesNotExist, no query.
        relation.set_cached_value(ticket, found.get(ticket_id))


def _attach_many(relation: ForeignObjectRel, by_id: dict[int, Ticket], rows: list[Any]) -> None:
    column = relation.field
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        ticket = by_id[getattr(row, column.attname)]
        column.set_cached_value(row, ticket)
        groups[ticket.pk].append(row)
    cache_name = relation.field.remote_field.cache_name
    empty = relation.related_model._default_manager.none()
    for ticket_id, ticket in by_id.items():
        cached = empty._chain()
        cached._result_cache, cached._prefetch_done = groups.get(ticket_id, []), True
        ticket.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = cached
