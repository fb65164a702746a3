"""What a policy does when it fires: who is told, priority, owner, the customer update."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from escalation.escalations.choices import DeEscalateWhen
from escalation.notifications.models import Notification
from routing.models import OnCallShift
from tests.escalation.policies.conftest import escalations, events, leaf
from tests.tickets.factories import AgentFactory, TeamFactory
from tickets.choices import EventKind
from tickets.models import OutboundEmail, Ticket
from tickets.services.outbound import deliver_outbound_email
from tickets.services.updates import update_ticket_fields

pytestmark = pytest.mark.django_db

OUTAGE = leaf("ticket.impact", "contains", "outage")


def told(ticket) -> set[int]:
    return set(Notification.objects.filter(ticket=ticket).values_list("recipient_id", flat=True))


def owned_ticket(intake, people, **fields):
    """A ticket of the team, owned by the agent, whose change then fires the policy."""
    ticket = intake("P2", **fields)
    Ticket.objects.filter(pk=ticket.pk).update(team=people["team"], assignee=people["agent"])
    return Ticket.objects.get(pk=ticket.pk)


def test_it_tells_assignee_lead_on_call_managers_and_named_people_once(intake, policy, people):
    named = AgentFactory()
    policy(leaf("ticket.tags", "contains", "vip"), notify_assignee=True, notify_team_lead=True,
           notify_on_call=True, notify_managers=True, notify_users=[named, people["agent"]])
    now = timezone.now()
    OnCallShift.objects.create(team=people["team"], agent=people["other"],
                               starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    ticket = owned_ticket(intake, people)

    update_ticket_fields(ticket=ticket, changes={"tags": ["vip"]}, actor=None)

    expected = {people[name].pk for name in ("agent", "lead", "other", "manager")} | {named.pk}
    assert told(ticket) == expected  # the agent is both assignee and named: told once
    [escalation] = escalations(ticket)
    assert {p["id"] for p in escalation.notified} == expected
    note = Notification.objects.filter(ticket=ticket, recipient=people["lead"]).get()
    assert note.kind == "escalation"
    assert note.body.startswith(f"P2 ESCALATION: {ticket.subject}")
    assert f"/agent/tickets/{ticket.pk}/" in note.body


def test_nobody_off_shift_or_unnamed_is_told(intake, policy, people):
    policy(leaf("ticket.tags", "contains", "vip"), notify_assignee=False, notify_team_lead=True,
           notify_on_call=True)
    now = timezone.now()
    OnCallShift.objects.create(team=people["team"], agent=people["other"],
                               starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=9))
    ticket = owned_ticket(intake, people)

    update_ticket_fields(ticket=ticket, changes={"tags": ["vip"]}, actor=None)

    assert told(ticket) == {people["lead"].pk}


def test_priority_changes_through_the_spine_with_the_reason(intake, policy):
    policy(OUTAGE, name="Outage", set_priority="P1", explanation="Outages are P1.")

    ticket = intake("P3", impact=["outage"])

    assert Ticket.objects.get(pk=ticket.pk).priority == "P1"
    assert ticket.priority == "P1"  # the intake's own instance is refreshed too
    [change] = events(ticket, EventKind.PRIORITY_CHANGED)
    assert (change.before, change.after) == ({"priority": "P3"}, {"priority": "P1"})
    assert change.note.startswith("Escalation policy Outage: Outages are P1.")
    assert escalations(ticket)[0].priority == "P1"


def test_the_accountable_owner_gets_the_ticket_with_a_reason(intake, policy, people):
    senior = AgentFactory()
    escalation_team = TeamFactory(name="Escalations", members=[senior])
    policy(OUTAGE, name="Outage", owner_team=escalation_team, owner_user=senior)
    ticket = owned_ticket(intake, people)

    update_ticket_fields(ticket=ticket, changes={"tags": ["x"]}, actor=None)  # not yet
    assert escalations(ticket) == []
    Ticket.objects.filter(pk=ticket.pk).update(impact=["outage"])
    update_ticket_fields(ticket=ticket, changes={"tags": ["y"]}, actor=None)

    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (escalation_team, senior)
    [assigned] = events(ticket, EventKind.ASSIGNED)
    assert assigned.reason_code == "escalation"
    assert assigned.note.startswith("Escalation policy Outage")


def test_an_owner_outside_the_owner_team_leaves_the_escalation_standing(intake, policy, people):
    outsider = AgentFactory()
    fired = policy(OUTAGE, owner_user=outsider)
    fired.owner_team = TeamFactory(name="Escalations")
    fired.save()  # saved without clean(): an admin would have been refused

    ticket = intake("P3", impact=["outage"])

    assert len(escalations(ticket)) == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    [note] = events(ticket, EventKind.NOTE_ADDED)
    assert note.reason_code == "escalation_owner_refused"


def test_the_customer_update_says_who_and_when_and_is_mailed_on_commit(
    intake, policy, monkeypatch, django_capture_on_commit_callbacks
):
    escalation_team = TeamFactory(name="Senior Support")
    policy(OUTAGE, owner_team=escalation_team, customer_update=True,
           promised_response_minutes=90, de_escalate_on=[DeEscalateWhen.RESOLVED])
    enqueued: list[int] = []
    monkeypatch.setattr("tickets.tasks.deliver_outbound_email.delay", enqueued.append)
    monkeypatch.setattr("tickets.tasks.send_acknowledgement.delay", lambda *_: None)

    with django_capture_on_commit_callbacks(execute=True):
        ticket = intake("P2", subject="API down", impact=["outage"],
                        requester_email="ops@customer.example")

    [update] = OutboundEmail.objects.filter(ticket=ticket,
                                            kind=OutboundEmail.Kind.ESCALATION_UPDATE)
    assert update.to == "ops@customer.example"
    assert update.subject == f"[{ticket.reference}] Your request has been escalated"
    assert ("We've escalated your issue to Senior Support. You can expect a response within "
            "1 hour 30 minutes.") in update.body
    assert f"Your reference is {ticket.reference} (API down)." in update.body
    assert escalations(ticket)[0].customer_update == update
    assert update.pk in enqueued

    deliver_outbound_email(outbound_id=update.pk)
    [sent] = [m for m in mail.outbox if m.subject == update.subject]
    assert sent.to == ["ops@customer.example"]
    assert "Senior Support" in sent.body


def test_the_customer_template_cannot_reach_into_objects(intake, policy):
    policy(OUTAGE, customer_update=True,
           customer_template="To $owner in ${within}. {owner.__class__} $ticket.requester")

    ticket = intake("P2", impact=["outage"])

    update = OutboundEmail.objects.get(ticket=ticket, kind=OutboundEmail.Kind.ESCALATION_UPDATE)
    assert update.body.startswith("To our escalation team in ")
    assert "{owner.__class__} $ticket.requester" in update.body
