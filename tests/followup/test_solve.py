"""Solving: the resolution summary goes out in the thread and on the timeline; check-ins."""

from datetime import timedelta

import pytest

from followup.choices import CheckInState
from followup.models import CheckIn
from followup.services.solving import close_checkin, save_resolution_summary
from tests.followup.conftest import T0, make_ticket
from tests.tickets.factories import OrganizationFactory
from tickets.choices import EventKind, Priority, TicketStatus, Tier
from tickets.models import Message, OutboundEmail
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db


def test_solving_emails_the_saved_summary_in_the_thread(clock, owner):
    # given: a ticket with the customer's email and an agent's summary
    ticket = make_ticket(assignee=owner, subject="Invoice <b>wrong</b>")
    save_resolution_summary(ticket=ticket, actor=owner, problem="VAT rate was outdated.",
                            actions="Reissued invoice 42.", next_steps="Nothing to do.")

    # when: the agent solves it
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)

    # then: one resolution email, answering the customer's message, with the three parts
    email = OutboundEmail.objects.get(ticket=ticket, kind=OutboundEmail.Kind.RESOLUTION)
    assert email.subject == f"Re: [{ticket.reference}] Invoice <b>wrong</b>"
    assert email.in_reply_to == f"<first.{ticket.pk}@c>"
    for part in ("VAT rate was outdated.", "Reissued invoice 42.", "Nothing to do."):
        assert part in email.body
    assert "/support/tickets/" in email.body  # the signed link to the ticket page
    # and: a system message on the timeline (the customer sees it; not counted as a reply)
    message = Message.objects.get(pk=email.message_id)
    assert (message.kind, message.author_user) == ("system", owner)
    event = ticket.events.get(kind=EventKind.FOLLOWUP_SENT, reason_code="resolution")
    assert (event.actor, event.after["outbound"]) == (owner, email.pk)


def test_solving_without_a_summary_sends_the_default_note(owner):
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    body = OutboundEmail.objects.get(ticket=ticket, kind="resolution").body
    assert "We have solved your request" in body
    assert "What was wrong" not in body


@pytest.mark.parametrize(("fields", "expected"), [
    ({"priority": Priority.P1}, True),
    ({"organization_tier": Tier.ENTERPRISE}, True),
    ({"at_risk": True}, True),
    ({}, False),
])
def test_checkin_is_created_for_risky_cases_only(clock, owner, fields, expected):
    # given: a ticket of a P1, an enterprise or an at-risk account, or a plain one
    organization = OrganizationFactory(tier=fields.pop("organization_tier", Tier.SMB),
                                       at_risk=fields.pop("at_risk", False))
    ticket = make_ticket(assignee=owner, organization=organization, priority=fields.get(
        "priority", Priority.P3))

    # when
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)

    # then: the owner gets a check-in a week later (the seeded rule)
    checkins = list(CheckIn.objects.filter(ticket=ticket))
    assert bool(checkins) is expected
    if expected:
        assert (checkins[0].owner, checkins[0].due_at) == (owner, T0 + timedelta(days=7))
        assert ticket.events.filter(kind=EventKind.CHECKIN_CREATED).count() == 1


def test_checkin_done_with_a_note_is_on_the_timeline(owner):
    ticket = make_ticket(assignee=owner, priority=Priority.P1)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    checkin = CheckIn.objects.get(ticket=ticket)

    close_checkin(checkin=checkin, actor=owner, state=CheckInState.DONE, note="All good.")

    checkin.refresh_from_db()
    assert (checkin.state, checkin.note, checkin.closed_by) == ("done", "All good.", owner)
    event = ticket.events.get(kind=EventKind.CHECKIN_DONE)
    assert (event.note, event.reason_code) == ("All good.", "done")


def test_solving_again_after_reopen_adds_no_second_open_checkin(owner):
    ticket = make_ticket(assignee=owner, priority=Priority.P1)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    change_status(ticket=ticket, status=TicketStatus.OPEN, actor=owner)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    assert CheckIn.objects.filter(ticket=ticket).count() == 1
    assert OutboundEmail.objects.filter(ticket=ticket, kind="resolution").count() == 2
