import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from tests.tickets.factories import (
    ContactFactory,
    MessageFactory,
    OrganizationFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tickets.choices import Channel, MessageKind, Priority, Severity, Tier
from tickets.conditions import CUSTOM_FIELDS_PREFIX, FIELDS, evaluate, ticket_facts
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _spine_facts_only(monkeypatch):
    """Other apps' fact providers have their own tests; these check the spine's facts."""
    monkeypatch.setattr("tickets.conditions.facts._PROVIDERS", [])


def loaded(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related(*FACT_RELATIONS).get(pk=ticket.pk)


@pytest.fixture
def full_ticket() -> Ticket:
    organization = OrganizationFactory(
        name="Acme", tier=Tier.ENTERPRISE, plan="Scale", region="EU", health_score=40,
        annual_value=Decimal("125000.50"), at_risk=True, renewal_date=date(2025, 6, 30),
    )
    ticket = TicketFactory(
        subject="Refund for invoice 42",
        description="I was charged twice.",
        channel=Channel.EMAIL,
        priority=Priority.P1,
        severity=Severity.HIGH,
        category=Category.objects.create(slug="facts-refunds", name="Refunds"),
        language="de",
        product_area="billing",
        impact=["billing"],
        tags=["vip"],
        custom_fields={"po_number": "PO-7781", "seats": 40},
        reopens=2,
        customer_contacts=3,
        requester=ContactFactory(email="Ana@Example.COM", name="Ana Lima", language="pt"),
        organization=organization,
        team=TeamFactory(name="Billing"),
        assignee=UserFactory(username="ana.agent"),
    )
    return loaded(ticket)


def test_facts_of_a_loaded_ticket_need_no_query(full_ticket, django_assert_num_queries):
    # when
    with django_assert_num_queries(0):
        facts = ticket_facts(full_ticket)

    # then
    assert facts == {
        "ticket.subject": "Refund for invoice 42",
        "ticket.description": "I was charged twice.",
        "ticket.status": "new",
        "ticket.priority": "P1",
        "ticket.severity": "high",
        "ticket.category": "facts-refunds",
        "ticket.channel": "email",
        "ticket.language": "de",
        "ticket.product_area": "billing",
        "ticket.team": "Billing",
        "ticket.assignee": "ana.agent",
        "ticket.impact": ["billing"],
        "ticket.tags": ["vip"],
        "ticket.reopens": 2,
        "ticket.customer_contacts": 3,
        "ticket.sentiment": None,
        "ticket.created_at": full_ticket.created_at,
        "ticket.custom_fields.po_number": "PO-7781",
        "ticket.custom_fields.seats": 40,
        "requester.email": "Ana@Example.COM",
        "requester.name": "Ana Lima",
        "requester.domain": "example.com",
        "requester.language": "pt",
        "organization.name": "Acme",
        "organization.tier": "enterprise",
        "organization.plan": "Scale",
        "organization.region": "EU",
        "organization.health_score": 40,
        "organization.annual_value": Decimal("125000.50"),
        "organization.at_risk": True,
        "organization.renewal_date": date(2025, 6, 30),
        "message.body": None,
        "message.public": None,
        "message.from_customer": None,
    }


def test_every_fact_is_a_field_that_conditions_may_test(full_ticket):
    facts = ticket_facts(full_ticket)

    unknown = {name for name in facts if name not in FIELDS}
    assert unknown == {"ticket.custom_fields.po_number", "ticket.custom_fields.seats"}
    assert all(name.startswith(CUSTOM_FIELDS_PREFIX) for name in unknown)


def test_facts_are_what_rules_compare_against(full_ticket):
    condition = {
        "all": [
            {"field": "organization.tier", "op": "equals", "value": "enterprise"},
            {"field": "ticket.team", "op": "equals", "value": "billing"},
            {"field": "ticket.assignee", "op": "equals", "value": "ana.agent"},
            {"field": "requester.domain", "op": "equals", "value": "example.com"},
            {"field": "ticket.custom_fields.po_number", "op": "matches", "value": r"^PO-\d+$"},
            {"field": "organization.renewal_date", "op": "lt", "value": "2025-07-01"},
        ]
    }

    assert evaluate(condition, facts=ticket_facts(full_ticket))


def test_choices_set_in_python_are_given_as_stored_values():
    # given a ticket fresh from the factory, whose choices are still enum members
    ticket = TicketFactory(priority=Priority.P2, organization=OrganizationFactory(tier=Tier.SMB))
    assert isinstance(ticket.priority, Priority)

    # when
    facts = ticket_facts(ticket)

    # then
    assert (facts["ticket.priority"], facts["organization.tier"]) == ("P2", "smb")
    assert type(facts["ticket.priority"]) is str
    assert type(facts["organization.tier"]) is str


def test_a_ticket_without_organisation_team_or_assignee_has_none_for_them(
    django_assert_num_queries,
):
    ticket = loaded(TicketFactory(custom_fields=["not", "an", "object"]))

    with django_assert_num_queries(0):
        facts = ticket_facts(ticket)

    assert {name: value for name, value in facts.items() if value is None} == {
        "ticket.category": None,
        "ticket.team": None,
        "ticket.assignee": None,
        "ticket.sentiment": None,
        **dict.fromkeys(name for name in FIELDS if name.startswith("organization.")),
        **dict.fromkeys(name for name in FIELDS if name.startswith("message.")),
    }
    assert not any(name.startswith(CUSTOM_FIELDS_PREFIX) for name in facts)


def test_sentiment_is_read_when_the_ticket_has_one():
    ticket = TicketFactory()
    ticket.sentiment = -0.6  # the attribute a later triage migration adds

    assert ticket_facts(ticket)["ticket.sentiment"] == -0.6


@pytest.mark.parametrize(
    ("kind", "from_customer", "expected"),
    [
        (MessageKind.PUBLIC, True, {"message.public": True, "message.from_customer": True}),
        (MessageKind.INTERNAL, False, {"message.public": False, "message.from_customer": False}),
    ],
)
def test_message_facts_describe_the_given_message(kind, from_customer, expected):
    ticket = TicketFactory()
    message = MessageFactory(
        ticket=ticket, kind=kind, body="Still broken",
        author_contact=ticket.requester if from_customer else None,
    )

    facts = ticket_facts(ticket, message=message)

    assert facts["message.body"] == "Still broken"
    assert {name: facts[name] for name in expected} == expected


def test_a_requester_email_without_a_domain_has_no_domain_fact():
    ticket = TicketFactory(requester=ContactFactory(email="postmaster"))

    assert ticket_facts(ticket)["requester.domain"] is None


def test_the_package_imports_no_models():
    # Models and migrations import the condition package; it must not import them back.
    script = (
        "import sys, tickets.conditions; "
        "assert not [m for m in sys.modules if m.startswith('tickets.models')], sys.modules"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, capture_output=True, text=True,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr


def test_registered_providers_add_their_facts_once(full_ticket, monkeypatch):
    from tickets.conditions import register_fact_provider
    from tickets.conditions.facts import _PROVIDERS

    def subject_length(ticket: Ticket) -> dict[str, int]:
        return {"example.length": len(ticket.subject)}

    register_fact_provider(subject_length)
    register_fact_provider(subject_length)
    facts = ticket_facts(loaded(full_ticket))
    assert facts["example.length"] == len(full_ticket.subject)
    assert list(_PROVIDERS) == [subject_length]
