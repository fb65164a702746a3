"""
Rule conditions compiled once, when rules are loaded into memory, into predicates for the
intake hot path (triage's rulebook, routing's rules).

``tickets.conditions.evaluate`` re-reads each leaf on every call: it looks up the field's
kind, coerces the rule's value, and casefolds the whole ticket text again for every
``contains``. With 200 triage rules that was most of triage's time, and routing tries fifty
rules per intake. A compiled predicate does that per-rule work once, and a TicketFacts
casefolds and coerces each fact once per ticket. The result is the engine's own: the same
coercion, tests and negations (tests compare the two on every operator, on the seeded rules
and on the labelled set).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from tickets.conditions import REGEX_INPUT_LIMIT, evaluate, field_spec
from tickets.conditions.coerce import coerce, coerce_value
from tickets.conditions.evaluation import split_group
from tickets.conditions.operators import NEGATED, TESTS

Predicate = Callable[["TicketFacts"], bool]


class TicketFacts:
    """A ticket's facts, coerced and casefolded on first use and kept for the next rule."""

    __slots__ = ("_coerced", "_folded", "facts")

    def __init__(self, facts: Mapping[str, Any]) -> None:
        self.facts = facts
        self._coerced: dict[tuple[str, str], Any] = {}
        self._folded: dict[tuple[str, str], str | None] = {}

    def coerced(self, name: str, kind: str) -> Any:
        key = (name, kind)
        if key not in self._coerced:
            self._coerced[key] = coerce(kind, self.facts.get(name))
        return self._coerced[key]

    def folded(self, name: str, kind: str) -> str | None:
        key = (name, kind)
        if key not in self._folded:
            fact = self.coerced(name, kind)
            self._folded[key] = fact.casefold() if isinstance(fact, str) else None
        return self._folded[key]


def _never(_facts: TicketFacts) -> bool:
    return False


def _always(_facts: TicketFacts) -> bool:
    return True


def _leaf(leaf: Mapping[str, Any]) -> Predicate:
    name, op = leaf["field"], leaf["op"]
    base = NEGATED.get(op, op)
    if base not in TESTS:
        return _never  # an unknown operator: malformed
    spec = field_spec(name)
    if spec is None:
        # A field known only by its value's type: the engine infers the kind per ticket.
        return lambda facts: evaluate(leaf, facts=facts.facts)
    test, kind = TESTS[base], spec.kind
    check: Predicate
    if base == "is_empty":
        def check(facts: TicketFacts) -> bool:
            return test(facts.facts.get(name), None)
    else:
        value = coerce_value(kind, op, leaf.get("value"))
        check = _fast_check(name, kind, base, value) or (
            lambda facts: test(facts.coerced(name, kind), value))
    if op in NEGATED:
        return lambda facts: not check(facts)
    return check


def _fast_check(name: str, kind: str, base: str, value: Any) -> Predicate | None:
    """A text test without per-rule casefolding or compiling, or None for the generic one."""
    if kind == "list" or not isinstance(value, str):
        return None
    if base == "contains":
        needle = value.casefold()

        def contains(facts: TicketFacts) -> bool:
            text = facts.folded(name, kind)
            return text is not None and needle in text

        return contains
    if base == "matches":
        try:
            pattern = re.compile(value, re.IGNORECASE)
        except re.error:
            return _never

        def matches(facts: TicketFacts) -> bool:
            text = facts.coerced(name, kind)
            return isinstance(text, str) and pattern.search(text[:REGEX_INPUT_LIMIT]) is not None

        return matches
    return None


def _node(node: Mapping[str, Any]) -> Predicate:
    if "field" in node:
        return _leaf(node)
    key, body = split_group(node)
    if key == "not":
        inner = _node(body)
        return lambda facts: not inner(facts)
    children = tuple(_node(child) for child in body)
    # Plain loops: all() over a generator costs a generator per rule per ticket.
    if key == "all":
        def every(facts: TicketFacts) -> bool:
            for child in children:  # noqa: SIM110
                if not child(facts):
                    return False
            return True

        return every

    def some(facts: TicketFacts) -> bool:
        for child in children:  # noqa: SIM110
            if child(facts):
                return True
        return False

    return some


def compile_condition(tree: Mapping[str, Any] | None) -> Predicate:
    """Return the condition as a predicate over TicketFacts; a malformed one never holds."""
    if not tree:
        return _always
    try:
        return _node(tree)
    except (KeyError, TypeError, ValueError):  # rejected on save; a row edited in SQL
        return _never
