"""A reply within the window reopens the ticket; after closure it opens a linked ticket."""

import pytest

from escalation.notifications.models import Notification
from followup.choices import Step, StepState
from followup.models import ScheduledStep
from tests.followup.conftest import make_ticket, sweep_and_send
from tests.tickets.mail.emails import compose
from tickets.choices import EventKind, TicketStatus
from tickets.models import OutboundEmail, Ticket
from tickets.services.inbound import process_inbound_email
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db


def _customer_email(ticket, message_id):
    last = OutboundEmail.objects.filter(ticket=ticket).order_by("-pk").first()
    return compose(
        sender=ticket.requester.email, subject=f"Re: [{ticket.reference}] {ticket.subject}",
        message_id=message_id,
        headers=f"In-Reply-To: {last.email_message_id}\nReferences: {last.email_message_id}",
        body="It broke again.",
    )


def test_reply_to_solved_ticket_within_window_reopens_it(clock, owner):
    # given: a solved ticket (auto-close in 4 days)
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)

    # when: the customer answers the resolution email three days later
    clock.after(days=3)
    result = process_inbound_email(raw=_customer_email(ticket, "again.1@c.example"))

    # then: the same ticket is open again, the reopen counted and recorded
    assert (result.ticket.pk, result.created) == (ticket.pk, False)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopens) == (TicketStatus.OPEN, 1)
    reopened = ticket.events.get(kind=EventKind.REOPENED)
    assert reopened.reason_code == "customer_replied"
    # and: the auto-close is off, and the owner is told
    close = ScheduledStep.objects.get(ticket=ticket, step=Step.CLOSE)
    assert close.state == StepState.CANCELLED
    (note,) = Notification.objects.filter(ticket=ticket, kind="ticket_reopened")
    assert note.recipient == owner


def test_reply_after_auto_close_opens_a_new_linked_ticket(clock, owner, settings):
    # given: a solved ticket closed by the sweep after four days
    settings.HELPDESK_INTAKE_PIPELINE = []
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    clock.after(days=4, minutes=1)
    sweep_and_send()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED

    # when: the customer answers the closing note
    clock.after(days=5)
    result = process_inbound_email(raw=_customer_email(ticket, "later.1@c.example"))

    # then: a new ticket, linked to the closed one, which stays closed
    assert result.created
    assert result.ticket.follows_up_id == ticket.pk
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopens) == (TicketStatus.CLOSED, 0)
    assert Ticket.objects.filter(follows_up=ticket).count() == 1
