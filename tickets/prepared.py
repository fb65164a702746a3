"""
Server-side prepared statements for the hand-written SQL on the hottest paths (a routing
decision, an event's metrics): PostgreSQL parses and plans such a statement once per
connection instead of on every call, and planning costs more than running these few-row
statements.

Statements keep the driver's placeholders (`%s` or `%(name)s`); they become `$1`, `$2`, ...
in the PREPARE. A prepared statement lives as long as its database session and outlives a
rolled-back transaction, so the names prepared are kept per driver connection: a new
connection (CONN_MAX_AGE, a reconnect) prepares again. Each EXECUTE carries the statement's
text in a trailing comment, so logs, pg_stat_activity and captured queries still say what
ran (the server skips a comment for next to nothing); `statement_text` reads it back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.db import connection

_PLACEHOLDER: Final = re.compile(r"%\((\w+)\)s|%s|%%")
_COMMENT_START: Final = "/* prepared: "


class _Statement:
    """A statement rewritten for PREPARE, and how to order a call's parameters for it."""

    __slots__ = ("comment", "count", "name", "names", "text")

    def __init__(self, sql: str) -> None:
        if "/*" in sql or "*/" in sql:
            raise ValueError("a prepared statement carries its text in a comment: no comments")
        self.name = "hd_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
        self.names: list[str] = []
        self.count = 0
        self.text = _PLACEHOLDER.sub(self._number, sql)
        self.comment = f" {_COMMENT_START}{' '.join(sql.split())} */"

    def _number(self, match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "%%":
            return "%"
        name = match.group(1)
        if name is None:
            self.count += 1
            return f"${self.count}"
        if name not in self.names:
            self.names.append(name)
        return f"${self.names.index(name) + 1}"

    def arguments(self, params: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
        if isinstance(params, Mapping):
            return [params[name] for name in self.names]
        if len(params) != self.count:
            raise ValueError(f"{self.count} parameters expected, {len(params)} given")
        return list(params)


_statements: dict[str, _Statement] = {}


def _prepared_names() -> set[str]:
    """Return the statements prepared on the current driver connection."""
    raw = connection.connection
    held = getattr(connection, "_helpdesk_prepared", None)
    if held is None or held[0] is not raw:
        held = (raw, set())
        connection._helpdesk_prepared = held  # type: ignore[attr-defined]
    return held[1]


def execute_prepared(
    cursor: Any, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> None:
    """Run `sql` as a prepared statement on `cursor` (a cursor of the default connection)."""
    statement = _statements.get(sql)
    if statement is None:
        statement = _statements[sql] = _Statement(sql)
    connection.ensure_connection()
    prepared = _prepared_names()
    if statement.name not in prepared:
        cursor.execute(f"PREPARE {statement.name} AS {statement.text}")
        prepared.add(statement.name)
    arguments = statement.arguments(params)
    if not arguments:
        cursor.execute(f"EXECUTE {statement.name}{statement.comment}")
        return
    # With arguments the driver reads the comment too: its percent signs are doubled.
    cursor.execute(f"EXECUTE {statement.name}({', '.join(['%s'] * len(arguments))})"
                   + statement.comment.replace("%", "%%"), arguments)


def statement_text(sql: str) -> str:
    """Return the SQL a logged EXECUTE ran (as written, with its placeholders), else `sql`."""
    start = sql.find(_COMMENT_START)
    if not sql.lstrip().upper().startswith("EXECUTE HD_") or start < 0:
        return sql
    return sql[start + len(_COMMENT_START):].removesuffix("*/").strip()
