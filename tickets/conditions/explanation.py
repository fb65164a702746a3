"""Say a condition in English, whole or only the parts that held for some facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tickets.conditions.evaluation import evaluate_node, split_group
from tickets.conditions.fields import VALUELESS_OPERATORS, FieldSpec, default_label, field_spec

_PHRASES: Final[Mapping[str, str]] = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of",
    "not_in": "is not one of",
    "contains": "contains",
    "not_contains": "does not contain",
    "matches": "matches the pattern",
    "gt": "is greater than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
}
_LIST_PHRASES: Final[Mapping[str, str]] = {
    "in": "includes any of",
    "not_in": "includes none of",
    "contains": "includes",
    "not_contains": "does not include",
}
_TIME_PHRASES: Final[Mapping[str, str]] = {
    "gt": "is after",
    "gte": "is on or after",
    "lt": "is before",
    "lte": "is on or before",
}


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_format_value(item) for item in value)
    return str(value)


def _phrase(kind: str, op: str) -> str:
    if kind == "list":
        return _LIST_PHRASES.get(op, _PHRASES.get(op, op))
    if kind in ("datetime", "date"):
        return _TIME_PHRASES.get(op, _PHRASES.get(op, op))
    return _PHRASES.get(op, op)


def _explain_leaf(leaf: Mapping[str, Any]) -> str:
    name, op = leaf["field"], leaf["op"]
    spec = field_spec(name) or FieldSpec(kind="str", label=default_label(name))
    text = f"{spec.label} {_phrase(spec.kind, op)}"
    return text if op in VALUELESS_OPERATORS else f"{text} {_format_value(leaf.get('value'))}"


def _explain_child(node: Mapping[str, Any]) -> str:
    text = _explain_node(node)
    compound = "field" not in node and "not" not in node and len(split_group(node)[1]) > 1
    return f"({text})" if compound else text


def _explain_node(node: Mapping[str, Any]) -> str:
    if "field" in node:
        return _explain_leaf(node)
    key, body = split_group(node)
    if key == "not":
        return f"not ({_explain_node(body)})"
    if not body:
        return "always" if key == "all" else "never"
    joiner = " and " if key == "all" else " or "
    return joiner.join(_explain_child(child) for child in body)


def explain(tree: Mapping[str, Any] | None) -> str:
    """Return the condition as one readable English sentence, without a final full stop."""
    return "always" if not tree else _explain_node(tree)


def matched_leaves(tree: Mapping[str, Any] | None, *, facts: Mapping[str, Any]) -> list[str]:
    """Return the explanations of the leaves that held, a negated node counting as one leaf."""
    found: list[str] = []
    if tree:
        _collect_matches(tree, facts, found)
    return found


def _collect_matches(node: Mapping[str, Any], facts: Mapping[str, Any], found: list[str]) -> None:
    if "field" in node or "not" in node:
        if evaluate_node(node, facts):
            found.append(_explain_node(node))
        return
    for child in split_group(node)[1]:
        _collect_matches(child, facts, found)
