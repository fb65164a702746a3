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

    __slots__ = ("count", "names", "sql", "text")

    def __init__(self, sql: str) -> None:
        if "/*" in sql or "*/" in sql:
            raise ValueError("a prepared statement carries its text in a comment: no comments")
        self.sql = " ".join(sql.split())
        self.names: list[str] = []
        self.count = 0
        self.text = _PLACEHOLDER.sub(self._number, sql)

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

    def sent(self, name: str, *, prepare: bool) -> str:
        """The SQL sent for one call: the EXECUTE, after its PREPARE on a new connection."""
        placeholders = ", ".join(["%s"] * (self.count or len(self.names)))

        def literal(text: str) -> str:
            # With arguments the driver reads the whole text: its percent signs are doubled.
            return text.replace("%", "%%") if placeholders else text

        call = f"{name}({placeholders})" if placeholders else name
        execute = f"EXECUTE {call} {literal(f'{_COMMENT_START}{self.sql} */')}"
        return f"PREPARE {name} AS {literal(self.text)}; {execute}" if prepare else execute


class _Prepared:
    """What one driver connection has prepared, by statement, under which server name."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.names: dict[str, tuple[str, str]] = {}  # SQL: server name, the EXECUTE sent
        self.failures = 0


_statements: dict[str, _Statement] = {}


def _prepared(db: Any) -> _Prepared:
    raw = db.connection
    held: _Prepared | None = getattr(db, "_helpdesk_prepared", None)
    if held is None or held.raw is not raw:
        held = _Prepared(raw)
        db._helpdesk_prepared = held
    return held


def _statement(sql: str) -> _Statement:
    statement = _statements.get(sql)
    if statement is None:
        statement = _statements[sql] = _Statement(sql)
    return statement


def execute_prepared(
    cursor: Any, sql: str | tuple[str, ...], params: Sequence[Any] | Mapping[str, Any] = ()
) -> None:
    """
    Run `sql` as a prepared statement on `cursor` (a cursor of the default connection), in
    one round trip whether or not this connection has prepared it yet.

    `sql` may be several statements, all taking their arguments from the same `params`:
    they run in order in that one round trip, each with a snapshot of its own (so one may
    read what became visible once the one before took its locks); the cursor holds the rows
    of the last.
    """
    texts = (sql,) if isinstance(sql, str) else sql
    statements = [(text, _statement(text)) for text in texts]
    each = [statement.arguments(params) for _, statement in statements]
    if len(each) > 1 and not all(each):
        raise ValueError("statements sent together each take arguments")
    # The cursor's own connection: the `connection` proxy costs a context lookup per use.
    db = getattr(cursor, "db", connection)
    db.ensure_connection()
    prepared = _prepared(db)
    parts: list[str] = []
    fresh: list[tuple[str, str, _Statement]] = []
    for text, statement in statements:
        known = prepared.names.get(text)
        if known is not None:
            parts.append(known[1])
            continue
        # A name once sent with a PREPARE whose EXECUTE failed may or may not exist on
        # the server now: each failure moves this connection on to new names.
        digest = hashlib.blake2b(f"{prepared.failures}:{text}".encode(), digest_size=10)
        name = "hd_" + digest.hexdigest()
        parts.append(statement.sent(name, prepare=True))
        fresh.append((text, name, statement))
    try:
        cursor.execute("; ".join(parts), [value for values in each for value in values] or None)
    except Exception:
        if fresh:
            prepared.failures += 1
        raise
    for text, name, statement in fresh:
        prepared.names[text] = (name, statement.sent(name, prepare=False))


def statement_text(sql: str) -> str:
    """Return the SQL a logged EXECUTE ran (as written, with its placeholders), else `sql`."""
    start = sql.find(_COMMENT_START)
    if not sql.lstrip().upper().startswith(("EXECUTE HD_", "PREPARE HD_")) or start < 0:
        return sql
    return sql[start + len(_COMMENT_START):].removesuffix("*/").strip()
