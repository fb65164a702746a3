"""
Evaluate, validate and explain rule conditions.

Every rule (triage, routing, SLA matching, escalation, follow-up) stores its condition as a
JSON tree: groups ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": node}`` over leaves
``{"field": "ticket.priority", "op": "equals", "value": "P1"}``. An empty tree (``{}`` or
``None``) always holds. Conditions run against a flat mapping of facts keyed by field name.

It imports no models, so that the models, validators and migrations of every app can use it.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Final, Literal

from django.core.exceptions import ValidationError

Kind = Literal["str", "int", "float", "bool", "list", "datetime", "date"]

MAX_DEPTH: Final = 10
MAX_NODES: Final = 200
REGEX_INPUT_LIMIT: Final = 100_000
CUSTOM_FIELDS_PREFIX: Final = "ticket.custom_fields."
GROUP_KEYS: Final = frozenset({"all", "any", "not"})
LEAF_KEYS: Final = frozenset({"field", "op", "value"})

_EMPTINESS = frozenset({"is_empty", "is_not_empty"})
_EQUALITY = frozenset({"equals", "not_equals"})
_MEMBERSHIP = frozenset({"in", "not_in"})
_TEXT = frozenset({"contains", "not_contains", "matches"})
_ORDERING = frozenset({"gt", "gte", "lt", "lte"})

OPERATORS_BY_KIND: Final[Mapping[str, frozenset[str]]] = {
    "str": _EQUALITY | _MEMBERSHIP | _TEXT | _EMPTINESS,
    "int": _EQUALITY | _MEMBERSHIP | _ORDERING | _EMPTINESS,
    "float": _EQUALITY | _MEMBERSHIP | _ORDERING | _EMPTINESS,
    "bool": _EQUALITY | _EMPTINESS,
    # On a list, "in" means "shares at least one item with" and "contains" tests one item.
    "list": _MEMBERSHIP | {"contains", "not_contains"} | _EMPTINESS,
    # Exact instants are rarely equal, so "in" is left out for datetimes.
    "datetime": _EQUALITY | _ORDERING | _EMPTINESS,
    "date": _EQUALITY | _MEMBERSHIP | _ORDERING | _EMPTINESS,
}
OPERATORS: Final = frozenset().union(*OPERATORS_BY_KIND.values())
VALUELESS_OPERATORS: Final = _EMPTINESS


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Describe a fact that conditions may test: its kind and its label in explanations."""

    kind: Kind
    label: str

    @property
    def operators(self) -> frozenset[str]:
        """Return the operators allowed on this field's kind."""
        return OPERATORS_BY_KIND[self.kind]


def _default_label(name: str) -> str:
    if name.startswith(CUSTOM_FIELDS_PREFIX):
        return "custom field " + name.removeprefix(CUSTOM_FIELDS_PREFIX).replace("_", " ")
    namespace, _, attribute = name.partition(".")
    words = attribute.replace("_", " ").replace(".", " ")
    # Tickets are what rules are about, so their fields read best without the namespace.
    return words if namespace == "ticket" else f"{namespace} {words}"


_BUILTIN_FIELDS: Final[Mapping[Kind, tuple[str, ...]]] = {
    "str": (
        *("ticket.subject", "ticket.description", "ticket.status", "ticket.priority"),
        *("ticket.severity", "ticket.category", "ticket.channel", "ticket.language"),
        *("ticket.product_area", "ticket.team", "ticket.assignee"),
        *("requester.email", "requester.name", "requester.domain", "requester.language"),
        *("organization.name", "organization.tier", "organization.plan", "organization.region"),
        "message.body",
    ),
    "list": ("ticket.impact", "ticket.tags"),
    "int": ("ticket.reopens", "ticket.customer_contacts", "organization.health_score"),
    "float": ("ticket.sentiment", "organization.annual_value"),
    "bool": ("organization.at_risk", "message.public", "message.from_customer"),
    "datetime": ("ticket.created_at",),
    "date": ("organization.renewal_date",),
}

FIELDS: dict[str, FieldSpec] = {
    name: FieldSpec(kind=kind, label=_default_label(name))
    for kind, names in _BUILTIN_FIELDS.items()
    for name in names
}

_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")


def register_field(name: str, *, kind: Kind, label: str | None = None) -> FieldSpec:
    """Add a field that conditions may test, and return its spec."""
    if not _FIELD_NAME.fullmatch(name):
        raise ValueError(f"field names are dotted lowercase names, got {name!r}")
    if kind not in OPERATORS_BY_KIND:
        raise ValueError(f"unknown field kind {kind!r}")
    spec = FieldSpec(kind=kind, label=label or _default_label(name))
    existing = FIELDS.get(name)
    if existing is not None and existing.kind != kind:
        # Two apps disagreeing on a field's kind would silently change how rules compare it.
        raise ValueError(f"field {name!r} is already registered as {existing.kind}")
    FIELDS[name] = spec
    return spec


def field_spec(name: str) -> FieldSpec | None:
    """Return the spec of a known field, or None if conditions may not test it."""
    spec = FIELDS.get(name)
    if spec is None and name.startswith(CUSTOM_FIELDS_PREFIX) and name != CUSTOM_FIELDS_PREFIX:
        return FieldSpec(kind="str", label=_default_label(name))
    return spec


# Coercion: facts and values are compared as the field's kind; anything unparseable is None.


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


def _to_list(raw: Any) -> list[Any]:
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
    "list": _to_list,
    "datetime": _to_datetime,
    "date": _to_date,
}


def _infer_kind(fact: Any) -> str:
    if isinstance(fact, bool):
        return "bool"
    if isinstance(fact, int | float | Decimal):
        return "float"
    if isinstance(fact, datetime):
        return "datetime"
    if isinstance(fact, date):
        return "date"
    return "list" if isinstance(fact, list | tuple | set | frozenset) else "str"


def _coerce(kind: str, raw: Any) -> Any:
    return None if raw is None else _COERCERS[kind](raw)


def _coerce_value(kind: str, op: str, value: Any) -> Any:
    item_kind = "str" if kind == "list" else kind
    if op in _MEMBERSHIP:
        return [_coerce(item_kind, item) for item in _to_list(value)]
    return value if op == "matches" else _coerce(item_kind, value)


# Operators. Each receives the coerced fact and value; a missing fact is None.


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


_TESTS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
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
_NEGATED: Final[Mapping[str, str]] = {
    "not_equals": "equals",
    "not_in": "in",
    "not_contains": "contains",
    "is_not_empty": "is_empty",
}


def _group(node: Mapping[str, Any]) -> tuple[str, Any]:
    if len(node) == 1:
        ((key, body),) = node.items()
        if key in GROUP_KEYS:
            return key, body
    raise ValueError(f"malformed condition node with keys {sorted(node)}")


def _holds(leaf: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    name, op = leaf["field"], leaf["op"]
    base = _NEGATED.get(op, op)
    test = _TESTS.get(base)
    if test is None:
        raise ValueError(f"unknown operator {op!r}")
    raw = facts.get(name)
    spec = field_spec(name)
    kind = spec.kind if spec else _infer_kind(raw)
    # Emptiness asks whether a fact is there at all; coercion turns unparseable facts into None.
    fact = raw if base == "is_empty" else _coerce(kind, raw)
    result = test(fact, _coerce_value(kind, op, leaf.get("value")))
    return not result if op in _NEGATED else result


def _evaluate_node(node: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    if "field" in node:
        return _holds(node, facts)
    key, body = _group(node)
    if key == "not":
        return not _evaluate_node(body, facts)
    results = (_evaluate_node(child, facts) for child in body)
    return all(results) if key == "all" else any(results)


def evaluate(tree: Mapping[str, Any] | None, *, facts: Mapping[str, Any]) -> bool:
    """
    Return whether the condition holds for the facts.

    A missing fact counts as None: it fails equals, in, contains, matches and the comparisons,
    passes their negations and is_empty. Raise ValueError only for a malformed tree, which
    validate_condition rejects before a rule is saved.
    """
    return True if not tree else _evaluate_node(tree, facts)


def matched_leaves(tree: Mapping[str, Any] | None, *, facts: Mapping[str, Any]) -> list[str]:
    """Return the explanations of the leaves that held, a negated node counting as one leaf."""
    found: list[str] = []
    if tree:
        _collect_matches(tree, facts, found)
    return found


def _collect_matches(node: Mapping[str, Any], facts: Mapping[str, Any], found: list[str]) -> None:
    if "field" in node or "not" in node:
        if _evaluate_node(node, facts):
            found.append(_explain_node(node))
        return
    for child in _group(node)[1]:
        _collect_matches(child, facts, found)


# Validation.

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
    return isinstance(value, str) and _coerce(kind, value) is not None


def _validate_value(spec: FieldSpec, op: str, value: Any, path: str) -> None:
    description = _VALUE_DESCRIPTIONS[spec.kind]
    if op in _MEMBERSHIP:
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
    key, body = _group(node)
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


# Explanations.

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
    spec = field_spec(name) or FieldSpec(kind="str", label=_default_label(name))
    text = f"{spec.label} {_phrase(spec.kind, op)}"
    return text if op in VALUELESS_OPERATORS else f"{text} {_format_value(leaf.get('value'))}"


def _explain_child(node: Mapping[str, Any]) -> str:
    text = _explain_node(node)
    compound = "field" not in node and "not" not in node and len(_group(node)[1]) > 1
    return f"({text})" if compound else text


def _explain_node(node: Mapping[str, Any]) -> str:
    if "field" in node:
        return _explain_leaf(node)
    key, body = _group(node)
    if key == "not":
        return f"not ({_explain_node(body)})"
    if not body:
        return "always" if key == "all" else "never"
    joiner = " and " if key == "all" else " or "
    return joiner.join(_explain_child(child) for child in body)


def explain(tree: Mapping[str, Any] | None) -> str:
    """Return the condition as one readable English sentence, without a final full stop."""
    return "always" if not tree else _explain_node(tree)


# Facts.
# The builder that turns a Ticket into the flat facts mapping read by evaluate() belongs here.
# Its keys are FIELDS names; it must import the tickets models inside the function, so that
# this module stays importable from models and migrations.
