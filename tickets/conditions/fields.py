"""Declare the facts that conditions may test, and the operators each kind of fact allows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

Kind = Literal["str", "int", "float", "bool", "list", "datetime", "date"]

MAX_DEPTH: Final = 10
MAX_NODES: Final = 200
REGEX_INPUT_LIMIT: Final = 100_000
CUSTOM_FIELDS_PREFIX: Final = "ticket.custom_fields."

EMPTINESS: Final = frozenset({"is_empty", "is_not_empty"})
EQUALITY: Final = frozenset({"equals", "not_equals"})
MEMBERSHIP: Final = frozenset({"in", "not_in"})
TEXT: Final = frozenset({"contains", "not_contains", "matches"})
ORDERING: Final = frozenset({"gt", "gte", "lt", "lte"})

OPERATORS_BY_KIND: Final[Mapping[str, frozenset[str]]] = {
    "str": EQUALITY | MEMBERSHIP | TEXT | EMPTINESS,
    "int": EQUALITY | MEMBERSHIP | ORDERING | EMPTINESS,
    "float": EQUALITY | MEMBERSHIP | ORDERING | EMPTINESS,
    "bool": EQUALITY | EMPTINESS,
    # On a list, "in" means "shares at least one item with" and "contains" tests one item.
    "list": MEMBERSHIP | {"contains", "not_contains"} | EMPTINESS,
    # Exact instants are rarely equal, so "in" is left out for datetimes.
    "datetime": EQUALITY | ORDERING | EMPTINESS,
    "date": EQUALITY | MEMBERSHIP | ORDERING | EMPTINESS,
}
OPERATORS: Final = frozenset().union(*OPERATORS_BY_KIND.values())
VALUELESS_OPERATORS: Final = EMPTINESS


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Describe a fact that conditions may test: its kind and its label in explanations."""

    kind: Kind
    label: str

    @property
    def operators(self) -> frozenset[str]:
        """Return the operators allowed on this field's kind."""
        return OPERATORS_BY_KIND[self.kind]


def default_label(name: str) -> str:
    """Return the words that name a field in explanations when nobody gave it a label."""
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
    name: FieldSpec(kind=kind, label=default_label(name))
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
    spec = FieldSpec(kind=kind, label=label or default_label(name))
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
        return FieldSpec(kind="str", label=default_label(name))
    return spec
