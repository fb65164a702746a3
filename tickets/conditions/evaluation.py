"""Decide whether a condition tree holds for a flat mapping of facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tickets.conditions.coerce import coerce, coerce_value, infer_kind
from tickets.conditions.fields import field_spec
from tickets.conditions.operators import NEGATED, TESTS

GROUP_KEYS: Final = frozenset({"all", "any", "not"})
LEAF_KEYS: Final = frozenset({"field", "op", "value"})


def split_group(node: Mapping[str, Any]) -> tuple[str, Any]:
    """Return the key and body of a group node; raise ValueError for anything else."""
    if len(node) == 1:
        ((key, body),) = node.items()
        if key in GROUP_KEYS:
            return key, body
    raise ValueError(f"malformed condition node with keys {sorted(node)}")


def _holds(leaf: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    name, op = leaf["field"], leaf["op"]
    base = NEGATED.get(op, op)
    test = TESTS.get(base)
    if test is None:
        raise ValueError(f"unknown operator {op!r}")
    raw = facts.get(name)
    spec = field_spec(name)
    kind = spec.kind if spec else infer_kind(raw)
    # Emptiness asks whether a fact is there at all; coercion turns unparseable facts into None.
    fact = raw if base == "is_empty" else coerce(kind, raw)
    result = test(fact, coerce_value(kind, op, leaf.get("value")))
    return not result if op in NEGATED else result


def evaluate_node(node: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """Return whether a non-empty node, leaf or group, holds for the facts."""
    if "field" in node:
        return _holds(node, facts)
    key, body = split_group(node)
    if key == "not":
        return not evaluate_node(body, facts)
    results = (evaluate_node(child, facts) for child in body)
    return all(results) if key == "all" else any(results)


def evaluate(tree: Mapping[str, Any] | None, *, facts: Mapping[str, Any]) -> bool:
    """
    Return whether the condition holds for the facts.

    A missing fact counts as None: it fails equals, in, contains, matches and the comparisons,
    passes their negations and is_empty. Raise ValueError only for a malformed tree, which
    validate_condition rejects before a rule is saved.
    """
    return True if not tree else evaluate_node(tree, facts)
