"""Thin Celery tasks: load ids, call a service. Names are pinned; callers add _task."""

from smtplib import SMTPException

from celery import shared_task
from django.db import transaction

from tickets.models import Message, OutboundEmail, Ticket


@shared_task(name="tickets.send_acknowledgement", acks_late=True)
def send_acknowledgement(ticket_id: int) -> None:
    from tickets.services.outbound import queue_acknowledgement

    with transaction.atomic():
        ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
        if ticket is None or OutboundEmail.objects.filter(
            ticket=ticket, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT
        ).exists():
            return
        outbound = queue_acknowledgement(ticket=ticket)
    deliver_outbound_email.delay(outbound.pk)


@shared_task(name="tickets.send_reply", acks_late=True)
def send_reply(message_id: int) -> None:
    from tickets.services.outbound import queue_reply

    with transaction.atomic():
        message = Message.objects.select_related("ticket__requester").filter(pk=message_id).first()
        if message is None or OutboundEmail.objects.filter(message=message).exists():
            return
        outbound = queue_reply(message=message)
    deliver_outbound_email.delay(outbound.pk)


@shared_task(
    name="tickets.deliver_outbound_email",
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, OSError),
    retry_backoff=True,
    max_retries=8,
)
def deliver_outbound_email(outbound_id: int) -> None:
    from tickets.services.outbound import deliver_outbound_email as deliver

    deliver(outbound_id=outbound_id)
