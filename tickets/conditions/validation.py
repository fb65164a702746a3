"""Reject malformed condition trees before a rule is saved, naming the path of the fault."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError

from tickets.conditions.coerce import coerce
from tickets.conditions.evaluation import GROUP_KEYS, LEAF_KEYS, split_group
from tickets.conditions.fields import (
    MAX_DEPTH,
    MAX_NODES,
    MEMBERSHIP,
    OPERATORS,
    VALUELESS_OPERATORS,
    FieldSpec,
    field_spec,
)
from tickets.conditions.operators import _compile

_VALUE_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "str": "text",
    "list": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "datetime": "an ISO 8601 date-time",
    "date": "an ISO 8601 date",
}


def _invalid(path: str, code: str, reason: str) -> ValidationError:
    where = path or "condition"
    return ValidationError(
        "%(path)s: %(reason)s", code=code, params={"path": where, "reason": reason}
    )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _value_fits(kind: str, value: Any) -> bool:
    if kind in ("str", "list"):
        return isinstance(value, str)
    if kind in ("int", "float"):
        allowed = int if kind == "int" else int | float
        return isinstance(value, allowed) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, str) and coerce(kind, value) is not None


def _validate_value(spec: FieldSpec, op: str, value: Any, path: str) -> None:
    description = _VALUE_DESCRIPTIONS[spec.kind]
    if op in MEMBERSHIP:
        if not isinstance(value, list) or not value:
            raise _invalid(path, "invalid_value", f"must be a non-empty list of {description}")
        if not all(_value_fits(spec.kind, item) for item in value):
            raise _invalid(path, "invalid_value", f"every item must be {description}")
    elif op == "matches":
        if not isinstance(value, str):
            raise _invalid(path, "invalid_value", "must be a regular expression as text")
        try:
            _compile(value)
        except re.error as error:
            raise _invalid(path, "invalid_regex", f"invalid regular expression: {error}") from None
    elif not _value_fits(spec.kind, value):
        raise _invalid(path, "invalid_value", f"must be {description}")


def _validate_leaf(leaf: Mapping[str, Any], path: str) -> None:
    if unknown := sorted(set(leaf) - LEAF_KEYS):
        raise _invalid(_join(path, unknown[0]), "unknown_key", "unknown key in a condition")
    name, op = leaf.get("field"), leaf.get("op")
    spec = field_spec(name) if isinstance(name, str) else None
    if spec is None:
        raise _invalid(_join(path, "field"), "unknown_field", f"unknown field {name!r}")
    if op not in OPERATORS:
        raise _invalid(_join(path, "op"), "unknown_operator", f"unknown operator {op!r}")
    if op not in spec.operators:
        reason = f"operator {op!r} does not apply to {name} ({spec.kind})"
        raise _invalid(_join(path, "op"), "operator_not_allowed", reason)
    if op in VALUELESS_OPERATORS:
        return
    if leaf.get("value") is None:
        raise _invalid(_join(path, "value"), "missing_value", f"operator {op!r} needs a value")
    _validate_value(spec, op, leaf["value"], _join(path, "value"))


def _validate_group(node: Mapping[str, Any], *, path: str, depth: int, seen: list[int]) -> None:
    if not node:
        raise _invalid(path, "empty_node", "is empty; only a whole condition may be {}")
    if unknown := sorted(set(node) - GROUP_KEYS):
        reason = "unknown group key; expected all, any or not"
        raise _invalid(_join(path, unknown[0]), "unknown_group_key", reason)
    if len(node) > 1:
        raise _invalid(path, "mixed_group", "must have exactly one of all, any or not")
    key, body = split_group(node)
    here = _join(path, key)
    if key == "not":
        _validate_node(body, path=here, depth=depth + 1, seen=seen)
        return
    if not isinstance(body, list):
        raise _invalid(here, "group_not_list", "must be a list of conditions")
    if not body:
        raise _invalid(here, "empty_group", "needs at least one condition")
    for index, child in enumerate(body):
        _validate_node(child, path=f"{here}[{index}]", depth=depth + 1, seen=seen)


def _validate_node(node: Any, *, path: str, depth: int, seen: list[int]) -> None:
    seen[0] += 1
    if seen[0] > MAX_NODES:
        raise _invalid(path, "too_many_nodes", f"the condition has more than {MAX_NODES} nodes")
    if depth > MAX_DEPTH:
        raise _invalid(path, "too_deep", f"conditions nest more than {MAX_DEPTH} levels deep")
    if not isinstance(node, Mapping):
        raise _invalid(path, "not_an_object", "must be an object")
    if "field" in node:
        _validate_leaf(node, path)
    else:
        _validate_group(node, path=path, depth=depth, seen=seen)


def validate_condition(tree: object) -> None:
    """Raise ValidationError naming the path of the first invalid node in the tree."""
    if tree is None or (isinstance(tree, Mapping) and not tree):
        return
    _validate_node(tree, path="", depth=1, seen=[0])


def condition_validator(value: object) -> None:
    """Validate a condition stored in a JSONField; use in ``validators=[...]``."""
    validate_condition(value)
