"""Once per ticket until de-escalated, re-fire after, de-escalation triggers, by hand."""

import pytest
from django.db import IntegrityError

from escalation.escalations.choices import DeEscalateWhen, EscalationTrigger
from escalation.escalations.models import Escalation
from escalation.escalations.services.records import acknowledge_escalation, de_escalate
from tests.escalation.policies.conftest import escalated_events, escalations, events, leaf
from tickets.choices import EventKind, TicketStatus
from tickets.models import Ticket
from tickets.services.lifecycle import change_status, escalate_ticket
from tickets.services.messages import add_agent_message
from tickets.services.updates import update_ticket_fields

pytestmark = pytest.mark.django_db

P1 = leaf("ticket.priority", "equals", "P1")


def test_a_policy_fires_once_per_ticket_however_often_it_holds(intake, policy):
    fired = policy(P1)
    ticket = intake("P1")

    for tag in ("a", "b", "c"):  # each change is an event that evaluates the policies again
        update_ticket_fields(ticket=ticket, changes={"tags": [tag]}, actor=None)

    [escalation] = escalations(ticket)
    assert escalation.policy == fired
    assert escalation.trigger == EscalationTrigger.POLICY
    [event] = escalated_events(ticket)
    assert event.reason_code == "policy"
    assert event.after["escalation"] == escalation.pk
    assert event.after["policy"] == fired.name


def test_the_database_refuses_a_second_open_escalation_of_one_policy(intake, policy):
    fired = policy(P1)
    ticket = intake("P1")

    with pytest.raises(IntegrityError):
        Escalation.objects.create(ticket=ticket, policy=fired, trigger="policy", reason="again",
                                  priority="P1")


def test_it_fires_again_after_de_escalation(intake, policy, people):
    policy(P1, de_escalate_on=[DeEscalateWhen.MANUAL])
    ticket = intake("P1")
    [first] = escalations(ticket)

    de_escalate(escalation=first, actor=people["lead"], reason="Customer calmed down")
    assert Ticket.objects.get(pk=ticket.pk).escalated_at is None
    update_ticket_fields(ticket=ticket, changes={"tags": ["again"]}, actor=None)

    first.refresh_from_db()
    assert first.de_escalated_by == people["lead"]
    assert first.de_escalation_reason == "Customer calmed down"
    second = escalations(ticket)[1]
    assert second.is_open
    assert second.pk != first.pk
    assert len(escalated_events(ticket)) == 2
    assert len(events(ticket, EventKind.DE_ESCALATED)) == 1


def test_solving_ends_escalations_that_end_when_resolved(intake, policy):
    policy(P1, de_escalate_on=[DeEscalateWhen.RESOLVED])
    ticket = intake("P1")

    change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=None)

    [escalation] = escalations(ticket)
    assert escalation.de_escalated_at is not None
    [event] = events(ticket, EventKind.DE_ESCALATED)
    assert event.reason_code == DeEscalateWhen.RESOLVED
    assert Ticket.objects.get(pk=ticket.pk).escalated_at is None


def test_lowering_the_priority_ends_it_and_raising_does_not(intake, policy):
    policy(leaf("ticket.priority", "in", ["P1", "P2"]), set_priority="P2",
           de_escalate_on=[DeEscalateWhen.PRIORITY_LOWERED])
    ticket = intake("P2")
    [escalation] = escalations(ticket)

    update_ticket_fields(ticket=ticket, changes={"priority": "P1"}, actor=None)
    escalation.refresh_from_db()
    assert escalation.is_open

    update_ticket_fields(ticket=ticket, changes={"priority": "P3"}, actor=None, reason="calm")
    escalation.refresh_from_db()
    assert not escalation.is_open
    assert escalation.de_escalation_reason == "Priority lowered to P3."


def test_a_public_reply_ends_escalations_waiting_for_an_update(intake, policy, people):
    policy(P1, de_escalate_on=[DeEscalateWhen.UPDATE_SENT])
    ticket = intake("P1")
    Ticket.objects.filter(pk=ticket.pk).update(team=people["team"])

    add_agent_message(ticket=Ticket.objects.get(pk=ticket.pk), author=people["agent"],
                      body="Internal thought", public=False)
    assert escalations(ticket)[0].is_open
    add_agent_message(ticket=Ticket.objects.get(pk=ticket.pk), author=people["agent"],
                      body="We are on it.", public=True)

    [escalation] = escalations(ticket)  # ended, and the same reply does not fire it again
    assert not escalation.is_open


def test_manual_only_escalations_survive_every_automatic_trigger(intake, policy):
    policy(P1, de_escalate_on=[DeEscalateWhen.MANUAL])
    ticket = intake("P1")

    change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=None)

    assert escalations(ticket)[0].is_open


def test_an_escalation_by_hand_is_recorded_and_the_lead_told(intake, people):
    from escalation.notifications.models import Notification

    ticket = intake("P3")
    Ticket.objects.filter(pk=ticket.pk).update(team=people["team"])

    escalate_ticket(ticket=ticket, actor=people["agent"], reason="VIP customer is upset")

    [escalation] = escalations(ticket)
    assert escalation.trigger == EscalationTrigger.MANUAL
    assert escalation.policy is None
    assert escalation.reason == "VIP customer is upset"
    assert escalation.created_by == people["agent"]
    assert escalation.notified == [{"id": people["lead"].pk,
                                    "name": people["lead"].get_full_name()
                                    or people["lead"].get_username()}]
    assert Notification.objects.filter(recipient=people["lead"], ticket=ticket).count() == 1


def test_a_policy_escalation_is_not_recorded_twice_as_a_manual_one(intake, policy):
    policy(P1)

    ticket = intake("P1")

    assert [e.trigger for e in escalations(ticket)] == [EscalationTrigger.POLICY]


def test_acknowledging_records_who_and_when_once(intake, policy, people):
    policy(P1)
    ticket = intake("P1")
    [escalation] = escalations(ticket)

    acknowledge_escalation(escalation=escalation, actor=people["agent"])
    acknowledge_escalation(escalation=escalation, actor=people["other"])

    escalation.refresh_from_db()
    assert escalation.acknowledged_by == people["agent"]
    assert escalation.acknowledged_at is not None
    [event] = events(ticket, EventKind.ESCALATION_ACKNOWLEDGED)
    assert event.actor == people["agent"]
