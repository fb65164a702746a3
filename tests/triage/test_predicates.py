"""Compiled rule conditions decide exactly as the condition engine does, only faster."""

from datetime import date
from decimal import Decimal

import pytest

from tickets.conditions import evaluate, ticket_facts
from tickets.conditions.compiled import TicketFacts, compile_condition
from tickets.models import Contact, Organization, Ticket
from triage import text
from triage.learning import labelled_examples
from triage.models import PriorityRule, TriageRule

TEXT = "triage.text"
HAND_WRITTEN = [
    {},
    {"field": TEXT, "op": "contains", "value": "INVOICE"},
    {"field": TEXT, "op": "not_contains", "value": "refund"},
    {"field": TEXT, "op": "matches", "value": r"\b(charged|billed) twice\b"},
    {"field": TEXT, "op": "matches", "value": "broken(("},
    {"field": TEXT, "op": "equals", "value": "x"},
    {"field": TEXT, "op": "is_not_empty"},
    {"field": "ticket.tags", "op": "contains", "value": "vip"},
    {"field": "ticket.tags", "op": "not_in", "value": ["vip", "urgent"]},
    {"field": "ticket.impact", "op": "in", "value": ["outage"]},
    {"field": "ticket.sentiment", "op": "lt", "value": -0.3},
    {"field": "ticket.sentiment", "op": "gte", "value": "0.2"},
    {"field": "ticket.channel", "op": "in", "value": ["EMAIL", "phone"]},
    {"field": "organization.tier", "op": "equals", "value": "enterprise"},
    {"field": "organization.health_score", "op": "lt", "value": 50},
    {"field": "organization.annual_value", "op": "gt", "value": 1000},
    {"field": "organization.at_risk", "op": "equals", "value": True},
    {"field": "organization.renewal_date", "op": "lte", "value": "2027-01-01"},
    {"field": "ticket.custom_fields.order_id", "op": "is_empty"},
    {"field": "ticket.custom_fields.order_id", "op": "matches", "value": "^A-"},
    {"any": [{"field": TEXT, "op": "contains", "value": "login"},
             {"not": {"field": "ticket.priority", "op": "in", "value": ["P1", "P2"]}}]},
    {"all": [{"field": TEXT, "op": "contains", "value": "é"},
             {"field": "message.public", "op": "equals", "value": True}]},
]


def facts_of(row, number):
    org = Organization(name="Acme", tier=row.get("tier", "smb"), at_risk=number % 2 == 0,
                       health_score=number % 101, annual_value=Decimal(number * 10),
                       renewal_date=date(2026, 1 + number % 12, 1))
    ticket = Ticket(subject=row["subject"], description=row["description"],
                    channel=row.get("channel", "api"), impact=list(row.get("impact", [])),
                    tags=["vip"] if number % 3 == 0 else [], priority=f"P{1 + number % 4}",
                    custom_fields={"order_id": "A-1"} if number % 5 == 0 else {},
                    sentiment=text.sentiment(row["description"]),
                    requester=Contact(email="a@b.example"), organization=org)
    facts = ticket_facts(ticket)
    facts[TEXT] = text.rule_text(text.normalise(ticket.subject),
                                 text.normalise(ticket.description))
    return facts


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_rules")
def test_compiled_conditions_agree_with_the_engine_on_every_seeded_rule_and_ticket():
    # given: every seeded rule, hand-written edge cases, and the 400 labelled tickets
    conditions = [*TriageRule.objects.values_list("condition", flat=True),
                  *PriorityRule.objects.values_list("condition", flat=True), *HAND_WRITTEN]
    compiled = [compile_condition(condition) for condition in conditions]
    held = 0
    for number, row in enumerate(labelled_examples()):
        facts = facts_of(row, number)
        view = TicketFacts(facts)
        # when / then
        for condition, predicate in zip(conditions, compiled, strict=True):
            expected = evaluate(condition, facts=facts)
            assert predicate(view) is expected, (condition, row["subject"])
            held += expected
    assert held > 400  # the comparison is not all "no"


def test_a_malformed_condition_never_holds_instead_of_breaking_intake():
    assert compile_condition({"every": []})(TicketFacts({})) is False
    assert compile_condition({"field": TEXT})(TicketFacts({})) is False
