"""
Coerce facts and condition values to a field's kind before they are compared.

Anything that cannot be read as the kind becomes None, which fails every test but is_empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final

from tickets.conditions.fields import MEMBERSHIP


def _to_str(raw: Any) -> str:
    return raw if isinstance(raw, str) else str(raw)


def _to_number(raw: Any) -> int | float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return raw
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _to_bool(raw: Any) -> bool | None:
    return raw if isinstance(raw, bool) else None


def to_list(raw: Any) -> list[Any]:
    """Return the items of a collection, or a one-item list of anything else."""
    return list(raw) if isinstance(raw, list | tuple | set | frozenset) else [raw]


def _to_datetime(raw: Any) -> datetime | None:
    if isinstance(raw, datetime):
        parsed = raw
    elif isinstance(raw, date):
        parsed = datetime.combine(raw, time(), tzinfo=UTC)
    else:
        try:
            parsed = datetime.fromisoformat(raw)
        except (TypeError, ValueError):
            return None
    # Naive values would raise on comparison with aware ones; the database stores UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _to_date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    parsed = _to_datetime(raw)
    return parsed.date() if parsed else None


_COERCERS: Final[Mapping[str, Callable[[Any], Any]]] = {
    "str": _to_str,
    "int": _to_number,
    "float": _to_number,
    "bool": _to_bool,
    "list": to_list,
    "datetime": _to_datetime,
    "date": _to_date,
}


def infer_kind(fact: Any) -> str:
    """Return the kind to compare an undeclared fact as, guessed from its Python type."""
    if isinstance(fact, bool):
        return "bool"
    if isinstance(fact, int | float | Decimal):
        return "float"
    if isinstance(fact, datetime):
        return "datetime"
    if isinstance(fact, date):
        return "date"
    return "list" if isinstance(fact, list | tuple | set | frozenset) else "str"


def coerce(kind: str, raw: Any) -> Any:
    """Return the raw fact or value as the kind, or None when it cannot be read as one."""
    return None if raw is None else _COERCERS[kind](raw)


def coerce_value(kind: str, op: str, value: Any) -> Any:
    """Return a leaf's value ready for the operator: a list for membership, a raw pattern."""
    item_kind = "str" if kind == "list" else kind
    if op in MEMBERSHIP:
        return [coerce(item_kind, item) for item in to_list(value)]
    return value if op == "matches" else coerce(item_kind, value)
