"""
Notifications through real parts: notify() in this process, a Celery worker process that
delivers, a local HTTP receiver for the chat webhook and a local SMTP server for email.
"""

import time

import pytest

from escalation.notifications import tasks
from escalation.notifications.choices import ChannelKind, DeliveryState
from escalation.notifications.models import Delivery, NotificationChannel
from escalation.notifications.services import escalation_line, notify
from tests.tickets.factories import AgentFactory, OrganizationFactory, TicketFactory
from tests.tickets.mail.worker import celery_worker, smtp_server, wait_until
from tickets.choices import Tier

__all__ = ["celery_worker", "smtp_server"]  # fixtures, imported for pytest to find


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_webhook_and_email_once_despite_a_failure_and_a_duplicate(
    celery_worker, smtp_server, receiver
):
    # given: a chat room whose receiver fails once, and email on by default
    inbox, _ = smtp_server
    receiver.fail_first = 1
    room = NotificationChannel.objects.create(
        name="Ops room", kind=ChannelKind.WEBHOOK, url=receiver.url, allow_private_address=True,
    )
    email, _ = NotificationChannel.objects.update_or_create(
        name="Email", defaults={"kind": ChannelKind.EMAIL, "default_on": True, "enabled": True})
    lead = AgentFactory()
    ticket = TicketFactory(
        subject="Production API down", priority="P1",
        organization=OrganizationFactory(name="Acme Corp", tier=Tier.ENTERPRISE),
    )
    line = escalation_line(ticket=ticket)

    # when: the escalation is notified (enqueued on commit), then its webhook task duplicated
    notify(recipients=[lead], subject="P1 ESCALATION: Production API down", body=line,
           ticket=ticket, kind="escalation", dedupe_key=f"escalation:{ticket.pk}:1")
    post = Delivery.objects.get(channel=room)
    tasks.deliver.delay(post.pk)

    # then: the room gets the post exactly once, after the failed first attempt was retried
    wait_until(lambda: receiver.received, "the webhook post")
    assert receiver.received[0].payload == {"text": f"P1 ESCALATION: Production API down\n{line}"}
    wait_until(lambda: Delivery.objects.filter(pk=post.pk, state=DeliveryState.SENT).exists(),
               "the delivery to be marked sent")
    # and the person gets the email
    message = inbox.wait_for(lambda m: m["To"] == lead.email, "the escalation email")
    assert line in message.get_content()
    wait_until(lambda: Delivery.objects.filter(channel=email, state=DeliveryState.SENT).exists(),
               "the email delivery to be marked sent")
    time.sleep(2)  # longer than the first retry's backoff: a second post would have arrived
    assert (receiver.calls, len(receiver.received)) == (2, 1)
    post.refresh_from_db()
    assert "HTTP 503" in post.last_error
