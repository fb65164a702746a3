"""Outbound email: queued on commit, threaded, sent at most once, recorded on the timeline."""

import pytest
from django.conf import settings
from django.core import mail

from tests.tickets.factories import AgentFactory, TicketFactory
from tests.tickets.mail.emails import compose, sample
from tickets.choices import EventKind
from tickets.mail.threading import ticket_id_from_message_id
from tickets.models import OutboundEmail
from tickets.services.inbound import process_inbound_email
from tickets.services.messages import add_agent_message
from tickets.services.outbound import deliver_outbound_email as deliver
from tickets.tasks import (
    DELIVERY_MAX_RETRIES,
    deliver_outbound_email,
    send_acknowledgement,
    send_reply,
)

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: connecting fails at once, like a mail server that is down.
DEAD_SMTP = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
             "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": 1, "EMAIL_TIMEOUT": 2}


def acknowledge(ticket, capture) -> OutboundEmail:
    """Run the acknowledgement task, and the delivery it enqueues on commit."""
    with capture(execute=False) as callbacks:
        send_acknowledgement(ticket.pk)
    assert [(cb.func, cb.args) for cb in callbacks] == [
        (deliver_outbound_email.delay, (OutboundEmail.objects.get(ticket=ticket).pk,))
    ]
    outbound = OutboundEmail.objects.get(ticket=ticket)
    deliver_outbound_email(outbound.pk)
    return outbound


def test_acknowledgement_is_sent_with_a_signed_id_and_recorded(
    django_capture_on_commit_callbacks,
):
    # given
    ticket = TicketFactory(subject="Printer jams")

    # when
    outbound = acknowledge(ticket, django_capture_on_commit_callbacks)

    # then
    sent = mail.outbox[-1]
    assert sent.subject == f"[{ticket.reference}] Printer jams"
    assert sent.to == [ticket.requester.email]
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    message_id = sent.message()["Message-ID"]
    assert ticket_id_from_message_id(message_id, secret=settings.SECRET_KEY) == ticket.pk
    outbound.refresh_from_db()
    assert (outbound.state, outbound.attempts) == (OutboundEmail.State.SENT, 1)
    event = ticket.events.get(kind=EventKind.EMAIL_SENT)
    assert event.after["message_id"] == message_id


def test_acknowledgement_task_run_twice_writes_and_sends_one_email(
    django_capture_on_commit_callbacks,
):
    ticket = TicketFactory()
    acknowledge(ticket, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_acknowledgement(ticket.pk)  # a redelivered task

    assert callbacks == []
    assert OutboundEmail.objects.filter(ticket=ticket).count() == 1
    assert len(mail.outbox) == 1


def test_acknowledgement_task_redelivered_before_delivery_enqueues_it_again(
    django_capture_on_commit_callbacks,
):
    # given: the worker wrote the row, then died before delivery was enqueued
    ticket = TicketFactory()
    with django_capture_on_commit_callbacks(execute=False):
        send_acknowledgement(ticket.pk)

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_acknowledgement(ticket.pk)

    # then
    outbound = OutboundEmail.objects.get(ticket=ticket)
    assert [(cb.func, cb.args) for cb in callbacks] == [
        (deliver_outbound_email.delay, (outbound.pk,))
    ]


def test_delivery_sends_each_email_at_most_once(django_capture_on_commit_callbacks):
    ticket = TicketFactory()
    outbound = acknowledge(ticket, django_capture_on_commit_callbacks)

    assert deliver(outbound_id=outbound.pk) is False
    assert len(mail.outbox) == 1
    assert ticket.events.filter(kind=EventKind.EMAIL_SENT).count() == 1


def test_email_claimed_by_a_worker_that_died_is_not_sent_again(
    django_capture_on_commit_callbacks,
):
    # given: a worker claimed the email and died after the server may have taken it
    ticket = TicketFactory()
    with django_capture_on_commit_callbacks(execute=False):
        send_acknowledgement(ticket.pk)
    outbound = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=outbound.pk).update(sent_at=outbound.created_at, attempts=1)

    # when
    sent = deliver(outbound_id=outbound.pk)

    # then
    assert sent is False
    assert mail.outbox == []


def test_smtp_failure_releases_the_email_for_the_retry(
    settings, django_capture_on_commit_callbacks
):
    # given
    ticket = TicketFactory()
    with django_capture_on_commit_callbacks(execute=False):
        send_acknowledgement(ticket.pk)
    outbound = OutboundEmail.objects.get()

    # when: the mail server is down, then back
    for name, value in DEAD_SMTP.items():
        setattr(settings, name, value)
    with pytest.raises(OSError):  # noqa: PT011 - any socket error must reach the retry
        deliver(outbound_id=outbound.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = deliver(outbound_id=outbound.pk)

    # then
    outbound.refresh_from_db()
    assert sent is True
    assert (outbound.state, outbound.attempts) == (OutboundEmail.State.SENT, 2)
    assert len(mail.outbox) == 1


def test_email_is_marked_failed_when_retries_are_spent(
    settings, django_capture_on_commit_callbacks
):
    ticket = TicketFactory()
    with django_capture_on_commit_callbacks(execute=False):
        send_acknowledgement(ticket.pk)
    outbound = OutboundEmail.objects.get()
    for name, value in DEAD_SMTP.items():
        setattr(settings, name, value)

    result = deliver_outbound_email.apply(args=(outbound.pk,), retries=DELIVERY_MAX_RETRIES)

    assert isinstance(result.result, OSError)
    outbound.refresh_from_db()
    assert (outbound.state, outbound.attempts) == (OutboundEmail.State.FAILED, 1)


def test_agent_reply_answers_the_customers_latest_email(django_capture_on_commit_callbacks):
    # given: a ticket by email, its acknowledgement, and the customer's emailed answer
    first = process_inbound_email(raw=sample("new_request.eml"))
    ticket = first.ticket
    ack = acknowledge(ticket, django_capture_on_commit_callbacks)
    answer = process_inbound_email(raw=compose(
        sender="alice.martin@acme.example", subject=f"Re: [{ticket.reference}] Printer",
        message_id="answer.1@mail.acme.example", headers=f"In-Reply-To: {ack.email_message_id}",
    ))
    assert answer.ticket == ticket

    agent = AgentFactory()  # creating a user schedules callbacks of its own (rule caches)

    # when: an agent replies publicly
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = add_agent_message(ticket=ticket, author=agent, body="On our way.", public=True)
    assert [(cb.func, cb.args) for cb in callbacks] == [(send_reply.delay, (reply.pk,))]
    with django_capture_on_commit_callbacks(execute=False):
        send_reply(reply.pk)
    deliver_outbound_email(OutboundEmail.objects.get(message=reply).pk)

    # then
    sent = mail.outbox[-1].message()
    assert sent["Subject"] == f"Re: [{ticket.reference}] {ticket.subject}"
    assert sent["In-Reply-To"] == "<answer.1@mail.acme.example>"
    assert sent["References"].split() == [
        "<CAK7n3mQ2x9Y@mail.acme.example>", ack.email_message_id, "<answer.1@mail.acme.example>"
    ]
    assert sent["Auto-Submitted"] == "no"
    assert "On our way." in mail.outbox[-1].body
    assert ticket.events.filter(kind=EventKind.EMAIL_SENT).count() == 2
