from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tickets import conditions
from tickets.conditions import (
    FIELDS,
    condition_validator,
    evaluate,
    explain,
    field_spec,
    matched_leaves,
    operators,
    register_field,
    validate_condition,
)
from tickets.conditions import fields as field_registry
from tickets.conditions.compiled import TicketFacts, compile_condition

FACTS: dict[str, Any] = {
    "ticket.subject": "Refund request for invoice 42",
    "ticket.description": "I was charged twice.",
    "ticket.status": "open",
    "ticket.priority": "P1",
    "ticket.channel": "email",
    "ticket.tags": ["VIP", "billing"],
    "ticket.impact": [],
    "ticket.created_at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    "ticket.reopens": 2,
    "ticket.sentiment": None,
    "ticket.custom_fields.po_number": "PO-7781",
    "requester.email": "Ana@Example.com",
    "organization.tier": "enterprise",
    "organization.annual_value": Decimal("125000.50"),
    "organization.health_score": 40,
    "organization.at_risk": True,
    "organization.renewal_date": date(2025, 6, 30),
    "message.public": False,
}


def leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    node: dict[str, Any] = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


def holds(field: str, op: str, value: Any = None, facts: dict[str, Any] = FACTS) -> bool:
    """Evaluate the leaf, and prove its compiled form (rules held in memory) answers alike."""
    tree = leaf(field, op, value)
    held = evaluate(tree, facts=facts)
    assert compile_condition(tree)(TicketFacts(facts)) is held
    return held


def validation_error(tree: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_condition(tree)
    return caught.value


# Fields


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        *[(f"ticket.{n}", "str") for n in ("subject", "description", "status", "priority")],
        *[(f"ticket.{n}", "str") for n in ("severity", "category", "channel", "language")],
        *[(f"ticket.{n}", "str") for n in ("product_area", "team", "assignee")],
        ("ticket.impact", "list"),
        ("ticket.tags", "list"),
        ("ticket.created_at", "datetime"),
        ("ticket.reopens", "int"),
        ("ticket.customer_contacts", "int"),
        ("ticket.sentiment", "float"),
        *[(f"requester.{n}", "str") for n in ("email", "name", "domain", "language")],
        *[(f"organization.{n}", "str") for n in ("name", "tier", "plan", "region")],
        ("organization.annual_value", "float"),
        ("organization.health_score", "int"),
        ("organization.at_risk", "bool"),
        ("organization.renewal_date", "date"),
        ("message.body", "str"),
        ("message.public", "bool"),
        ("message.from_customer", "bool"),
    ],
)
def test_fields_declare_the_required_kinds(name: str, kind: str) -> None:
    assert FIELDS[name].kind == kind


def test_operators_follow_the_field_kind() -> None:
    assert "matches" in FIELDS["ticket.subject"].operators
    assert "gt" not in FIELDS["ticket.subject"].operators
    assert "gt" in FIELDS["ticket.reopens"].operators
    assert "contains" not in FIELDS["ticket.reopens"].operators
    assert FIELDS["organization.at_risk"].operators == {
        "equals",
        "not_equals",
        "is_empty",
        "is_not_empty",
    }


def test_any_custom_field_key_is_a_text_field() -> None:
    spec = field_spec("ticket.custom_fields.po_number")

    assert spec is not None
    assert (spec.kind, spec.label) == ("str", "custom field po number")
    assert field_spec("ticket.custom_fields.") is None
    assert field_spec("ticket.nonexistent") is None


@pytest.fixture
def fields(monkeypatch: pytest.MonkeyPatch) -> dict[str, conditions.FieldSpec]:
    snapshot = dict(conditions.FIELDS)
    monkeypatch.setattr(conditions, "FIELDS", snapshot)
    # The registry's functions read the name in the module that defines it.
    monkeypatch.setattr(field_registry, "FIELDS", snapshot)
    return snapshot


def test_register_field_makes_a_field_usable(fields: dict[str, conditions.FieldSpec]) -> None:
    spec = register_field("ticket.first_response_minutes", kind="int")

    assert fields["ticket.first_response_minutes"] is spec
    assert spec.label == "first response minutes"
    validate_condition(leaf("ticket.first_response_minutes", "gt", 30))
    assert evaluate(
        leaf("ticket.first_response_minutes", "gt", 30),
        facts={"ticket.first_response_minutes": 45},
    )


def test_register_field_is_idempotent_for_the_same_kind(
    fields: dict[str, conditions.FieldSpec],
) -> None:
    register_field("ticket.subject", kind="str", label="title")

    assert fields["ticket.subject"].label == "title"


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("ticket.subject", "int", "already registered as str"),
        ("Ticket.Subject", "str", "dotted lowercase"),
        ("subject", "str", "dotted lowercase"),
        ("ticket.x", "decimal", "unknown field kind"),
    ],
)
def test_register_field_rejects_bad_registrations(
    fields: dict[str, conditions.FieldSpec], name: str, kind: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        register_field(name, kind=kind)

    assert fields == conditions.FIELDS


# Evaluation: empty trees and groups


@pytest.mark.parametrize("tree", [None, {}])
def test_empty_tree_always_holds(tree: dict[str, Any] | None) -> None:
    assert evaluate(tree, facts={}) is True
    assert compile_condition(tree)(TicketFacts({})) is True


P1 = leaf("ticket.priority", "equals", "P1")
P2 = leaf("ticket.priority", "equals", "P2")
EMAIL = leaf("ticket.channel", "equals", "email")


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ({"all": [P1, EMAIL]}, True),
        ({"all": [P1, P2]}, False),
        ({"any": [P2, EMAIL]}, True),
        ({"any": [P2, leaf("ticket.channel", "equals", "web")]}, False),
        ({"not": P2}, True),
        ({"not": P1}, False),
        ({"not": {"not": P1}}, True),
        ({"all": [P1, {"any": [P2, {"not": EMAIL}]}]}, False),
        ({"all": [P1, {"any": [P2, {"not": {"all": [EMAIL, P2]}}]}]}, True),
        ({"any": [{"all": [P2, EMAIL]}, {"all": [P1, {"not": P2}]}]}, True),
    ],
)
def test_groups_combine_their_children(tree: dict[str, Any], expected: bool) -> None:
    assert evaluate(tree, facts=FACTS) is expected
    assert compile_condition(tree)(TicketFacts(FACTS)) is expected


def test_unvalidated_empty_groups_follow_python_all_and_any() -> None:
    assert evaluate({"all": []}, facts=FACTS) is True
    assert evaluate({"any": []}, facts=FACTS) is False


@pytest.mark.parametrize(
    "tree",
    [{"every": [P1]}, {"all": [P1], "any": [P2]}, leaf("ticket.priority", "resembles", "P1")],
)
def test_malformed_tree_raises_value_error(tree: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"malformed|unknown operator"):
        evaluate(tree, facts=FACTS)
    # a compiled rule never holds instead: rules are validated on save, so only a row
    # edited in SQL gets here, and it must not stop every intake
    assert compile_condition(tree)(TicketFacts(FACTS)) is False


# Evaluation: operators


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("ticket.priority", "equals", "P1", True),
        ("ticket.priority", "equals", "p1", True),
        ("ticket.priority", "equals", "P2", False),
        ("ticket.priority", "not_equals", "P2", True),
        ("ticket.priority", "not_equals", "p1", False),
        ("ticket.priority", "in", ["p2", "p1"], True),
        ("ticket.priority", "in", ["P2", "P3"], False),
        ("ticket.priority", "not_in", ["P2", "P3"], True),
        ("ticket.priority", "not_in", ["P1"], False),
        ("ticket.subject", "contains", "REFUND", True),
        ("ticket.subject", "contains", "chargeback", False),
        ("ticket.subject", "not_contains", "chargeback", True),
        ("ticket.subject", "not_contains", "invoice", False),
        ("ticket.subject", "matches", r"invoice\s+\d+$", True),
        ("ticket.subject", "matches", r"^REFUND", True),
        ("ticket.subject", "matches", r"^invoice", False),
        ("ticket.reopens", "gt", 1, True),
        ("ticket.reopens", "gt", 2, False),
        ("ticket.reopens", "gte", 2, True),
        ("ticket.reopens", "gte", 3, False),
        ("ticket.reopens", "lt", 3, True),
        ("ticket.reopens", "lt", 2, False),
        ("ticket.reopens", "lte", 2, True),
        ("ticket.reopens", "lte", 1, False),
        ("ticket.reopens", "equals", 2, True),
        ("ticket.reopens", "in", [1, 2], True),
        ("organization.annual_value", "gt", 100000, True),
        ("organization.annual_value", "lte", 125000.5, True),
        ("organization.at_risk", "equals", True, True),
        ("organization.at_risk", "equals", False, False),
        ("message.public", "equals", False, True),
        ("message.public", "not_equals", False, False),
        ("ticket.description", "is_empty", None, False),
        ("ticket.description", "is_not_empty", None, True),
        ("ticket.custom_fields.po_number", "equals", "po-7781", True),
        ("ticket.custom_fields.po_number", "matches", r"^PO-\d{4}$", True),
        ("requester.email", "equals", "ana@example.com", True),
    ],
)
def test_operators_on_scalar_fields(field: str, op: str, value: Any, expected: bool) -> None:
    assert holds(field, op, value) is expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("contains", "vip", True),
        ("contains", "VI", False),
        ("not_contains", "urgent", True),
        ("not_contains", "Billing", False),
        ("in", ["urgent", "BILLING"], True),
        ("in", ["urgent", "legal"], False),
        ("not_in", ["urgent", "legal"], True),
        ("not_in", ["legal", "vip"], False),
        ("is_empty", None, False),
        ("is_not_empty", None, True),
    ],
)
def test_list_fields_test_membership_case_insensitively(
    op: str, value: Any, expected: bool
) -> None:
    assert holds("ticket.tags", op, value) is expected


@pytest.mark.parametrize(
    ("fact", "expected"),
    [([], True), (None, True), ("", True), ("   ", True), (["outage"], False), ("x", False)],
)
def test_is_empty_covers_none_blank_text_and_empty_lists(fact: Any, expected: bool) -> None:
    facts = {"ticket.impact": fact, "ticket.team": fact}

    assert holds("ticket.impact", "is_empty", facts=facts) is expected
    assert holds("ticket.team", "is_empty", facts=facts) is expected
    assert holds("ticket.team", "is_not_empty", facts=facts) is not expected


def test_a_single_string_fact_on_a_list_field_counts_as_one_item() -> None:
    assert holds("ticket.tags", "contains", "vip", facts={"ticket.tags": "VIP"})


# Evaluation: missing facts


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("equals", "P1", False),
        ("not_equals", "P1", True),
        ("in", ["P1"], False),
        ("not_in", ["P1"], True),
        ("contains", "P", False),
        ("not_contains", "P", True),
        ("matches", ".*", False),
        ("is_empty", None, True),
        ("is_not_empty", None, False),
    ],
)
def test_missing_text_fact_is_none(op: str, value: Any, expected: bool) -> None:
    assert holds("ticket.severity", op, value, facts={}) is expected


@pytest.mark.parametrize("op", ["gt", "gte", "lt", "lte", "equals"])
@pytest.mark.parametrize("facts", [{}, {"ticket.sentiment": None}])
def test_missing_number_never_compares(op: str, facts: dict[str, Any]) -> None:
    assert holds("ticket.sentiment", op, -0.5, facts=facts) is False


@pytest.mark.parametrize("op", ["gt", "lt", "equals"])
def test_missing_datetime_never_compares(op: str) -> None:
    assert holds("ticket.created_at", op, "2025-01-01T00:00:00Z", facts={}) is False


def test_missing_facts_in_groups_do_not_raise() -> None:
    tree = {"all": [{"not": P1}, leaf("ticket.tags", "not_contains", "vip")]}

    assert evaluate(tree, facts={}) is True
    assert compile_condition(tree)(TicketFacts({})) is True


@pytest.mark.parametrize(
    ("field", "op", "value", "fact"),
    [
        ("ticket.reopens", "gt", 1, "many"),
        ("ticket.created_at", "lt", "2030-01-01", "yesterday"),
        ("organization.renewal_date", "gt", "2000-01-01", 17),
        ("organization.at_risk", "equals", True, "yes"),
    ],
)
def test_unparseable_facts_never_match_but_are_not_empty(
    field: str, op: str, value: Any, fact: Any
) -> None:
    facts = {field: fact}

    assert holds(field, op, value, facts=facts) is False
    assert holds(field, "is_empty", facts=facts) is False


# Evaluation: numbers, datetimes and dates


def test_numeric_text_facts_compare_as_numbers() -> None:
    assert holds("organization.health_score", "lt", 50, facts={"organization.health_score": "40"})
    assert not holds("ticket.reopens", "gt", 10, facts={"ticket.reopens": "9"})


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("gt", "2025-03-01T11:59:59Z", True),
        ("gt", "2025-03-01T12:00:00+00:00", False),
        ("gte", "2025-03-01T12:00:00+00:00", True),
        ("lt", "2025-03-01T13:30:00+01:00", True),
        ("lt", "2025-03-01T13:00:00+01:00", False),
        ("lte", "2025-03-01T13:00:00+01:00", True),
        ("equals", "2025-03-01T14:00:00+02:00", True),
        ("not_equals", "2025-03-01T12:00:00Z", False),
        ("gt", "2025-03-01", True),
        ("lt", "2025-03-02", True),
    ],
)
def test_datetimes_compare_across_time_zones(op: str, value: str, expected: bool) -> None:
    assert holds("ticket.created_at", op, value) is expected


def test_datetime_facts_may_be_iso_text_or_naive() -> None:
    naive = datetime.fromisoformat("2025-03-01T12:00:00")
    text = "2025-03-01T12:00:00Z"

    for fact in (naive, text):
        facts = {"ticket.created_at": fact}
        assert holds("ticket.created_at", "equals", "2025-03-01T12:00:00+00:00", facts=facts)
        assert not holds("ticket.created_at", "gt", "2025-03-01T12:00:00Z", facts=facts)


def test_datetime_fact_compares_with_aware_value_in_another_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    facts = {"ticket.created_at": datetime(2025, 3, 1, 21, 0, tzinfo=tokyo)}

    assert holds("ticket.created_at", "equals", "2025-03-01T12:00:00Z", facts=facts)


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("equals", "2025-06-30", True),
        ("gt", "2025-06-29", True),
        ("gt", "2025-06-30", False),
        ("gte", "2025-06-30", True),
        ("lt", "2025-07-01", True),
        ("lte", "2025-06-29", False),
        ("in", ["2025-06-30", "2025-12-31"], True),
        ("not_in", ["2025-12-31"], True),
    ],
)
def test_dates_compare_as_dates(op: str, value: Any, expected: bool) -> None:
    assert holds("organization.renewal_date", op, value) is expected


@pytest.mark.parametrize(
    "fact", ["2025-06-30", datetime(2025, 6, 30, 23, 0, tzinfo=UTC), "2025-06-30T08:00:00Z"]
)
def test_date_facts_may_be_text_or_datetimes(fact: Any) -> None:
    facts = {"organization.renewal_date": fact}

    assert holds("organization.renewal_date", "equals", "2025-06-30", facts=facts)


# Evaluation: regular expressions


def test_matches_only_searches_the_opening_of_huge_text() -> None:
    limit = conditions.REGEX_INPUT_LIMIT
    early = {"message.body": "needle" + "x" * (limit * 2)}
    late = {"message.body": "x" * limit + "needle"}

    assert holds("message.body", "matches", "needle", facts=early)
    assert not holds("message.body", "matches", "needle", facts=late)
    assert holds("message.body", "contains", "needle", facts=late)


def test_matches_compiles_each_pattern_once() -> None:
    operators._compile.cache_clear()
    tree = leaf("ticket.subject", "matches", r"invoice \d+")

    for _ in range(5):
        evaluate(tree, facts=FACTS)

    assert operators._compile.cache_info().misses == 1


def test_invalid_regex_in_an_unvalidated_tree_does_not_match() -> None:
    assert holds("ticket.subject", "matches", "(unclosed") is False


# Evaluation: fields not declared


def test_undeclared_fields_are_compared_by_the_fact_type() -> None:
    facts = {"sla.minutes_left": 12, "sla.tags": ["Breach"], "sla.due": date(2025, 1, 2)}

    assert evaluate(leaf("sla.minutes_left", "lt", 15), facts=facts)
    assert evaluate(leaf("sla.tags", "contains", "breach"), facts=facts)
    assert evaluate(leaf("sla.due", "gt", "2025-01-01"), facts=facts)
    assert not evaluate(leaf("sla.missing", "equals", "x"), facts=facts)


# Validation


VALID_TREES = [
    None,
    {},
    P1,
    {"all": [P1, {"any": [EMAIL, {"not": leaf("ticket.tags", "contains", "vip")}]}]},
    leaf("ticket.tags", "in", ["vip", "billing"]),
    leaf("ticket.reopens", "gte", 2),
    leaf("ticket.sentiment", "lt", -0.2),
    leaf("ticket.sentiment", "lt", -1),
    leaf("ticket.created_at", "gt", "2025-01-01T00:00:00Z"),
    leaf("organization.renewal_date", "lte", "2025-12-31"),
    leaf("organization.at_risk", "equals", False),
    leaf("ticket.team", "is_empty"),
    leaf("ticket.custom_fields.po_number", "matches", r"^PO-\d+$"),
]


@pytest.mark.parametrize("tree", VALID_TREES)
def test_valid_trees_pass(tree: Any) -> None:
    validate_condition(tree)
    condition_validator(tree)


@pytest.mark.parametrize(
    ("tree", "path", "code"),
    [
        ([P1], "condition", "not_an_object"),
        ({"all": [P1, "P2"]}, "all[1]", "not_an_object"),
        ({"every": [P1]}, "every", "unknown_group_key"),
        ({"all": [P1, {"every": [P1]}]}, "all[1].every", "unknown_group_key"),
        ({"all": [P1], "any": [P2]}, "condition", "mixed_group"),
        ({"not": {}}, "not", "empty_node"),
        ({"all": P1}, "all", "group_not_list"),
        ({"any": "P1"}, "any", "group_not_list"),
        ({"all": []}, "all", "empty_group"),
        ({**P1, "negate": True}, "negate", "unknown_key"),
        ({"all": [P1, leaf("ticket.mood", "equals", "sad")]}, "all[1].field", "unknown_field"),
        ({"op": "equals", "value": "x", "field": 3}, "field", "unknown_field"),
        ({"all": [P1, leaf("ticket.priority", "like", "P")]}, "all[1].op", "unknown_operator"),
        ({"any": [P2, leaf("ticket.reopens", "contains", 1)]}, "any[1].op", "operator_not_allowed"),
        (leaf("ticket.subject", "gt", "a"), "op", "operator_not_allowed"),
        (leaf("ticket.tags", "equals", "vip"), "op", "operator_not_allowed"),
        (leaf("ticket.created_at", "in", ["2025-01-01"]), "op", "operator_not_allowed"),
        (leaf("organization.at_risk", "gt", 1), "op", "operator_not_allowed"),
        ({"not": leaf("ticket.priority", "equals")}, "not.value", "missing_value"),
        ({"field": "ticket.reopens", "op": "gt", "value": None}, "value", "missing_value"),
        (leaf("ticket.priority", "in", "P1"), "value", "invalid_value"),
        (leaf("ticket.priority", "not_in", []), "value", "invalid_value"),
        (leaf("ticket.priority", "in", ["P1", 2]), "value", "invalid_value"),
        (leaf("ticket.tags", "in", ["vip", ["x"]]), "value", "invalid_value"),
        (leaf("ticket.reopens", "gt", "2"), "value", "invalid_value"),
        (leaf("ticket.reopens", "gt", 2.5), "value", "invalid_value"),
        (leaf("ticket.reopens", "gt", True), "value", "invalid_value"),
        (leaf("ticket.sentiment", "gt", "high"), "value", "invalid_value"),
        (leaf("organization.at_risk", "equals", "yes"), "value", "invalid_value"),
        (leaf("ticket.priority", "equals", 1), "value", "invalid_value"),
        (leaf("ticket.tags", "contains", 1), "value", "invalid_value"),
        (leaf("ticket.created_at", "gt", "last week"), "value", "invalid_value"),
        (leaf("organization.renewal_date", "lt", 20250101), "value", "invalid_value"),
        (leaf("ticket.subject", "matches", 5), "value", "invalid_value"),
        ({"all": [leaf("ticket.subject", "matches", "(a")]}, "all[0].value", "invalid_regex"),
    ],
)
def test_invalid_trees_name_the_bad_path(tree: Any, path: str, code: str) -> None:
    error = validation_error(tree)

    assert error.code == code
    assert error.params is not None
    assert error.params["path"] == path
    assert error.messages[0].startswith(f"{path}: ")


def test_condition_validator_rejects_like_validate_condition() -> None:
    with pytest.raises(ValidationError, match=r"all\[0\]\.field: unknown field 'ticket.mood'"):
        condition_validator({"all": [leaf("ticket.mood", "equals", "sad")]})


def test_invalid_regex_message_explains_the_problem() -> None:
    error = validation_error(leaf("ticket.subject", "matches", "(a"))

    assert "invalid regular expression" in error.messages[0]
    assert "missing )" in error.messages[0]


def test_operator_not_allowed_message_names_field_and_kind() -> None:
    error = validation_error(leaf("ticket.reopens", "matches", "1"))

    assert error.messages == ["op: operator 'matches' does not apply to ticket.reopens (int)"]


def nested(depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = P1
    for _ in range(depth - 1):
        tree = {"not": tree}
    return tree


def test_depth_of_ten_is_allowed() -> None:
    validate_condition(nested(10))


def test_depth_over_ten_is_rejected() -> None:
    error = validation_error(nested(11))

    assert error.code == "too_deep"
    assert error.params is not None
    assert error.params["path"] == "not." * 9 + "not"


def test_two_hundred_nodes_are_allowed() -> None:
    validate_condition({"all": [P1] * 199})


def test_more_than_two_hundred_nodes_are_rejected() -> None:
    error = validation_error({"all": [P1] * 200})

    assert error.code == "too_many_nodes"
    assert error.params is not None
    assert error.params["path"] == "all[199]"


def test_nodes_are_counted_across_nested_groups() -> None:
    tree = {"any": [{"all": [P1] * 100}, {"all": [P2] * 100}]}

    assert validation_error(tree).code == "too_many_nodes"


# Explanations


@pytest.mark.parametrize(
    ("tree", "sentence"),
    [
        (None, "always"),
        ({}, "always"),
        (
            {"all": [P1, leaf("organization.tier", "in", ["enterprise", "smb"])]},
            "priority is P1 and organization tier is one of enterprise, smb",
        ),
        (leaf("ticket.priority", "not_equals", "P4"), "priority is not P4"),
        (
            leaf("ticket.status", "not_in", ["solved", "closed"]),
            "status is not one of solved, closed",
        ),
        (leaf("ticket.subject", "contains", "refund"), "subject contains refund"),
        (leaf("ticket.subject", "not_contains", "test"), "subject does not contain test"),
        (
            leaf("message.body", "matches", r"\bSEV-?1\b"),
            r"message body matches the pattern \bSEV-?1\b",
        ),
        (leaf("ticket.tags", "contains", "vip"), "tags includes vip"),
        (leaf("ticket.tags", "not_contains", "spam"), "tags does not include spam"),
        (
            leaf("ticket.impact", "in", ["outage", "data loss"]),
            "impact includes any of outage, data loss",
        ),
        (leaf("ticket.tags", "not_in", ["spam"]), "tags includes none of spam"),
        (leaf("ticket.reopens", "gt", 1), "reopens is greater than 1"),
        (leaf("ticket.customer_contacts", "gte", 3), "customer contacts is at least 3"),
        (leaf("organization.health_score", "lt", 50), "organization health score is less than 50"),
        (leaf("ticket.sentiment", "lte", -0.5), "sentiment is at most -0.5"),
        (
            leaf("ticket.created_at", "lt", "2025-01-01T00:00:00Z"),
            "created at is before 2025-01-01T00:00:00Z",
        ),
        (
            leaf("organization.renewal_date", "gte", "2025-06-01"),
            "organization renewal date is on or after 2025-06-01",
        ),
        (
            leaf("organization.renewal_date", "lte", "2025-06-01"),
            "organization renewal date is on or before 2025-06-01",
        ),
        (leaf("ticket.created_at", "gt", "2025-01-01"), "created at is after 2025-01-01"),
        (leaf("organization.at_risk", "equals", True), "organization at risk is true"),
        (leaf("message.from_customer", "equals", False), "message from customer is false"),
        (leaf("ticket.assignee", "is_empty"), "assignee is empty"),
        (leaf("requester.domain", "is_not_empty"), "requester domain is not empty"),
        (
            leaf("ticket.custom_fields.po_number", "equals", "PO-1"),
            "custom field po number is PO-1",
        ),
        ({"not": P1}, "not (priority is P1)"),
        ({"any": [P1, P2]}, "priority is P1 or priority is P2"),
        (
            {"all": [EMAIL, {"any": [P1, P2]}, {"not": {"all": [P1, EMAIL]}}]},
            "channel is email and (priority is P1 or priority is P2)"
            " and not (priority is P1 and channel is email)",
        ),
        ({"all": [{"any": [P1]}, EMAIL]}, "priority is P1 and channel is email"),
    ],
)
def test_explain_reads_as_one_sentence(tree: Any, sentence: str) -> None:
    assert explain(tree) == sentence


def test_explain_names_undeclared_fields_by_their_path() -> None:
    assert explain(leaf("sla.minutes_left", "lt", 15)) == "sla minutes left is less than 15"


def test_explain_uses_registered_labels(fields: dict[str, conditions.FieldSpec]) -> None:
    register_field("requester.vip", kind="bool", label="requester is a VIP")

    assert explain(leaf("requester.vip", "equals", True)) == "requester is a VIP is true"


# Matched leaves


def test_matched_leaves_lists_the_leaves_that_held() -> None:
    tree = {
        "any": [
            {"all": [P1, leaf("ticket.tags", "contains", "vip")]},
            P2,
            {"not": leaf("ticket.channel", "equals", "web")},
            {"not": EMAIL},
        ]
    }

    assert matched_leaves(tree, facts=FACTS) == [
        "priority is P1",
        "tags includes vip",
        "not (channel is web)",
    ]


@pytest.mark.parametrize("tree", [None, {}, P2])
def test_matched_leaves_is_empty_when_nothing_held(tree: Any) -> None:
    assert matched_leaves(tree, facts=FACTS) == []
