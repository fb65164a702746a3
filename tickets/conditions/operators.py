"""
Test a coerced fact against a coerced value, one function per operator.

A missing fact is None. Negated operators are not listed: evaluation runs the base test
and inverts it, so that a missing fact passes every negation.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from tickets.conditions.fields import REGEX_INPUT_LIMIT


def _same(fact: Any, value: Any) -> bool:
    if isinstance(fact, str) and isinstance(value, str):
        return fact.casefold() == value.casefold()
    return bool(fact == value)


def _equals(fact: Any, value: Any) -> bool:
    return fact is not None and value is not None and _same(fact, value)


def _is_in(fact: Any, values: list[Any]) -> bool:
    items = fact if isinstance(fact, list) else [fact]
    return any(_equals(item, value) for item in items for value in values)


def _contains(fact: Any, value: Any) -> bool:
    if isinstance(fact, list):
        return any(_equals(item, value) for item in fact)
    if isinstance(fact, str) and isinstance(value, str):
        return value.casefold() in fact.casefold()
    return False


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    # Private but shared with validation, so a pattern checked on save is compiled only once.
    return re.compile(pattern, re.IGNORECASE)


def _matches(fact: Any, pattern: Any) -> bool:
    if not isinstance(fact, str) or not isinstance(pattern, str):
        return False
    try:
        compiled = _compile(pattern)
    except re.error:
        return False
    # Bounds the regex cost on huge message bodies; the opening is what rules look at.
    return compiled.search(fact[:REGEX_INPUT_LIMIT]) is not None


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(fact: Any, value: Any) -> bool:
        if fact is None or value is None:
            return False
        try:
            return bool(compare(fact, value))
        except TypeError:
            return False

    return test


def _is_empty(fact: Any, _value: Any = None) -> bool:
    if isinstance(fact, str):
        return not fact.strip()
    return fact is None or (isinstance(fact, list | tuple | set | frozenset | dict) and not fact)


TESTS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    "equals": _equals,
    "in": _is_in,
    "contains": _contains,
    "matches": _matches,
    "gt": _ordered(operator.gt),
    "gte": _ordered(operator.ge),
    "lt": _ordered(operator.lt),
    "lte": _ordered(operator.le),
    "is_empty": _is_empty,
}
NEGATED: Final[Mapping[str, str]] = {
    "not_equals": "equals",
    "not_in": "in",
    "not_contains": "contains",
    "is_not_empty": "is_empty",
}
