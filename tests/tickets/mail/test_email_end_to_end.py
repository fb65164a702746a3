"""
A ticket's email conversation through real parts: the API in this process, a Celery worker
process on the same database and broker, and an SMTP server that collects what it sends.
"""

import re

import pytest
from django.conf import settings

from tests.conftest import key_client
from tests.tickets.mail.emails import compose
from tests.tickets.mail.worker import celery_worker, smtp_server, wait_until
from tickets.choices import EventKind
from tickets.mail.threading import ticket_id_from_message_id
from tickets.models import OutboundEmail, TicketEvent

__all__ = ["celery_worker", "smtp_server"]  # fixtures, imported for pytest to find

CUSTOMER = "ana@acme.example"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_acknowledgement_customer_reply_and_agent_reply_thread_by_email(
    celery_worker, smtp_server, agent_client
):
    inbox, _ = smtp_server

    # given: a ticket created through the API
    intake = key_client("intake")[0]
    created = intake.post("/api/v1/tickets/", {
        "subject": "Charged twice", "description": "My card was charged twice.",
        "requester": {"email": CUSTOMER, "name": "Ana Silva"},
    }, format="json")
    assert created.status_code == 201, created.content
    ticket_id, reference = created.json()["id"], created.json()["reference"]

    # then: the worker emails the acknowledgement, with the reference and a signed id
    ack = inbox.wait_for(lambda m: m["To"] == CUSTOMER, "the acknowledgement")
    assert re.search(rf"\[{reference}\]", ack["Subject"])
    assert ack["Auto-Submitted"] == "auto-replied"
    ack_id = ack["Message-ID"]
    assert ticket_id_from_message_id(ack_id, secret=settings.SECRET_KEY) == ticket_id

    # when: the customer answers it through the mail gateway
    gateway = key_client("inbound")[0]
    answer = compose(
        sender=f"Ana Silva <{CUSTOMER}>", subject=f"Re: {ack['Subject']}",
        message_id="answer.7@mail.acme.example",
        headers=f"In-Reply-To: {ack_id}\nReferences: {ack_id}",
        body=f"It happened again today.\n\nOn Monday, support wrote:\n> {reference}\n",
    )
    posted = gateway.generic("POST", "/api/v1/inbound/email/", answer,
                             content_type="message/rfc822")

    # then: it threads onto the same ticket
    assert posted.status_code == 200, posted.content
    assert (posted.json()["ticket"], posted.json()["created"]) == (ticket_id, False)

    # when: an agent replies publicly
    replied = agent_client.post(f"/api/v1/tickets/{ticket_id}/messages/",
                                {"body": "Refund is on its way.", "public": True}, format="json")
    assert replied.status_code == 201, replied.content

    # then: the reply is emailed, answering the customer's message in the same thread
    reply = inbox.wait_for(lambda m: "Refund is on its way." in m.get_content(), "the reply")
    assert reply["Subject"] == f"Re: [{reference}] Charged twice"
    assert reply["In-Reply-To"] == "<answer.7@mail.acme.example>"
    assert reply["References"].split() == [ack_id, "<answer.7@mail.acme.example>"]
    assert ticket_id_from_message_id(reply["Message-ID"], secret=settings.SECRET_KEY) == ticket_id
    assert len(inbox.messages) == 2

    # and both emails are on the ticket's timeline
    wait_until(lambda: TicketEvent.objects.filter(ticket_id=ticket_id,
                                                  kind=EventKind.EMAIL_SENT).count() == 2,
               "two EMAIL_SENT events")
    assert set(OutboundEmail.objects.filter(ticket_id=ticket_id).values_list("state", flat=True)) \
        == {OutboundEmail.State.SENT}
