"""Each condition family fires a policy at intake, on a lifecycle event or in the sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from escalation.escalations.facts import signal_facts
from escalation.escalations.sweep import sweep_escalations
from tests.escalation.policies.conftest import escalated_events, escalations, leaf
from tests.tickets.factories import OrganizationFactory
from tickets.choices import TicketStatus, Tier
from tickets.models import Ticket
from tickets.services.assignment import assign_ticket
from tickets.services.lifecycle import change_status
from tickets.services.messages import add_customer_message
from tickets.services.updates import update_ticket_fields

pytestmark = pytest.mark.django_db


def reply(ticket, body: str):
    ticket = Ticket.objects.select_related("requester").get(pk=ticket.pk)
    return add_customer_message(ticket=ticket, contact=ticket.requester, body=body)


def test_severity_and_priority_fire_when_both_hold(intake, policy):
    policy({"all": [leaf("ticket.priority", "equals", "P1"),
                    leaf("ticket.severity", "equals", "critical")]})
    critical, minor = intake("P1"), intake("P1")

    update_ticket_fields(ticket=critical, changes={"severity": "critical"}, actor=None)
    update_ticket_fields(ticket=minor, changes={"severity": "low"}, actor=None)

    assert len(escalations(critical)) == 1
    assert escalations(minor) == []


def test_tier_at_risk_and_annual_value_fire_at_intake(intake, policy):
    policy({"all": [leaf("organization.tier", "equals", Tier.ENTERPRISE),
                    leaf("organization.at_risk", "equals", True),
                    leaf("organization.annual_value", "gte", 100000)]})
    OrganizationFactory(name="Acme", tier=Tier.ENTERPRISE, at_risk=True, annual_value=250000,
                        email_domains=["acme.example"])
    OrganizationFactory(name="Small", tier=Tier.ENTERPRISE, at_risk=True, annual_value=5000,
                        email_domains=["small.example"])

    big = intake("P2", requester_email="cto@acme.example")
    small = intake("P2", requester_email="cto@small.example")

    [escalation] = escalations(big)
    assert "annual value" in escalation.reason
    assert escalations(small) == []
    assert Ticket.objects.get(pk=big.pk).escalated_at is not None


@pytest.mark.parametrize(("impact", "fires"), [
    (["outage"], True), (["security"], True), (["legal"], True), (["data_loss"], True),
    (["billing"], False), ([], False),
])
def test_impact_flags(intake, policy, impact, fires):
    policy(leaf("ticket.impact", "in", ["outage", "security", "legal", "data_loss"]))

    ticket = intake("P3", impact=impact)

    assert bool(escalations(ticket)) is fires


def test_sla_breached_fires_from_the_sweep_once_time_passes(intake, policy):
    policy(leaf("sla.breached", "equals", True))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = intake("P1")  # first response due in 15 minutes on 24x7
    assert escalations(ticket) == []

    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert sweep_escalations(now=timezone.now()).fired == []  # near, not breached
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        fired = sweep_escalations(now=timezone.now()).fired

    assert [e.pk for e in escalations(ticket)] == fired


def test_sla_near_breach_fires_from_the_sweep(intake, policy):
    policy(leaf("sla.near_breach", "equals", True))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # P3: first response due in four working hours, never within the breaching window at
        # intake (a P2's hour is exactly the window, so the policy would fire on intake
        # whenever the calendar is open)
        ticket = intake("P3")
        Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=start + timedelta(hours=3))
        sweep_escalations(now=timezone.now())
    assert escalations(ticket) == []

    with time_machine.travel(start + timedelta(hours=2, minutes=30), tick=False):
        sweep_escalations(now=timezone.now())

    assert len(escalations(ticket)) == 1


def test_reassignment_count(intake, policy, people):
    policy(leaf("ticket.reassignments", "gte", 2))
    ticket = intake("P3")

    for agent in (people["agent"], people["other"]):
        assign_ticket(ticket=ticket, agent=agent, team=people["team"], reason_code="t", actor=None)
    assert escalations(ticket) == []  # one hand-over so far
    assign_ticket(ticket=ticket, agent=people["agent"], reason_code="t", actor=None)

    assert len(escalations(ticket)) == 1


def test_customer_contacts_without_resolution(intake, policy):
    policy({"all": [leaf("ticket.customer_contacts", "gte", 3),
                    leaf("ticket.status", "not_in", ["solved", "closed"])]})
    ticket = intake("P3")

    reply(ticket, "Any news?")
    assert escalations(ticket) == []
    reply(ticket, "Hello? Still waiting.")

    assert len(escalations(ticket)) == 1


def test_reopened_within_24_hours(intake, policy):
    policy(leaf("escalation.reopened_recently", "equals", True))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = intake("P3")
        change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None)
        change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=None)
        assert escalations(ticket) == []
        change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None)  # reopened
    assert len(escalations(ticket)) == 1

    with time_machine.travel(start + timedelta(hours=25), tick=False):
        loaded = Ticket.objects.select_related("escalation_signals").get(pk=ticket.pk)
        assert signal_facts(loaded)["escalation.reopened_recently"] is False


def test_sentiment_below_a_threshold(intake, policy):
    policy(leaf("sentiment.latest", "lt", -0.5))
    ticket = intake("P3", description="Hello, a question about invoices.")
    assert escalations(ticket) == []

    reply(ticket, "This is terrible and awful. I am furious, nothing works, worst service ever.")

    assert len(escalations(ticket)) == 1


def test_sentiment_falling(intake, policy):
    policy(leaf("sentiment.falling", "equals", True))
    ticket = intake("P3")
    reply(ticket, "Thanks, that helps a lot, great work!")
    assert escalations(ticket) == []

    reply(ticket, "Actually it is broken again, this is bad and annoying.")

    [escalation] = escalations(ticket)
    assert "sentiment falling" in escalation.reason


def test_keywords_in_the_latest_message(intake, policy):
    policy(leaf("escalation.last_message", "matches", r"\b(lawyer|legal action)\b"))
    ticket = intake("P3", description="The export is slow.")
    assert escalations(ticket) == []

    reply(ticket, "If this is not fixed by Friday our lawyer will be in touch.")

    assert len(escalations(ticket)) == 1


@pytest.mark.parametrize(("words", "fires"), [
    ("Can I please talk to a human?", True),
    ("I want to speak to a person, not a bot.", True),
    ("Put me through to your manager.", True),
    ("The humane society page is down.", False),
])
def test_an_explicit_request_for_a_human(intake, policy, words, fires):
    policy(leaf("escalation.human_requested", "equals", True))
    ticket = intake("P3", description="Login fails.")

    reply(ticket, words)

    assert bool(escalations(ticket)) is fires
    assert len(escalated_events(ticket)) == int(fires)


def test_a_request_for_a_human_in_the_first_message_fires_at_intake(intake, policy):
    policy(leaf("escalation.human_requested", "equals", True))

    ticket = intake("P3", description="Please let me speak to a real person.")

    assert len(escalations(ticket)) == 1
