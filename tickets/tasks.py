"""Thin Celery tasks: load ids, call a service. Names are pinned; callers add _task."""

from functools import partial
from smtplib import SMTPException

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction

from tickets.models import Message, OutboundEmail, Ticket

DELIVERY_MAX_RETRIES = 8
# SMTPException and ConnectionError are OSErrors; listed for the reader.
DELIVERY_ERRORS = (SMTPException, ConnectionError, OSError)


@shared_task(name="tickets.send_acknowledgement", acks_late=True)
def send_acknowledgement(ticket_id: int) -> None:
    from tickets.services.lifecycle import lock_ticket
    from tickets.services.outbound import queue_acknowledgement

    with transaction.atomic():
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:
            return
        # The lock makes a redelivered task wait for the first one, so one row is written.
        ticket = lock_ticket(ticket)
        outbound = OutboundEmail.objects.filter(
            ticket=ticket, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT
        ).first() or queue_acknowledgement(ticket=ticket)
        _deliver_on_commit(outbound)


@shared_task(name="tickets.send_reply", acks_late=True)
def send_reply(message_id: int) -> None:
    from tickets.services.lifecycle import lock_ticket
    from tickets.services.outbound import queue_reply

    with transaction.atomic():
        message = Message.objects.select_related("ticket").filter(pk=message_id).first()
        if message is None:
            return
        lock_ticket(message.ticket)
        outbound = OutboundEmail.objects.filter(message=message).first() or queue_reply(
            message=message
        )
        _deliver_on_commit(outbound)


def _deliver_on_commit(outbound: OutboundEmail) -> None:
    # A row that exists but was never sent (the worker died before enqueueing delivery) is
    # enqueued again; delivery itself sends each row at most once.
    if outbound.state == OutboundEmail.State.QUEUED and outbound.sent_at is None:
        transaction.on_commit(partial(deliver_outbound_email.delay, outbound.pk))


@shared_task(name="tickets.deliver_outbound_email", acks_late=True, bind=True)
def deliver_outbound_email(self: Task, outbound_id: int) -> None:
    from tickets.services.outbound import deliver_outbound_email as deliver
    from tickets.services.outbound import mark_outbound_failed

    try:
        deliver(outbound_id=outbound_id)
    except DELIVERY_ERRORS as error:
        if self.request.retries >= DELIVERY_MAX_RETRIES:
            mark_outbound_failed(outbound_id=outbound_id)
            raise
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task(name="tickets.recover_stalled_outbound", acks_late=True)
def recover_stalled_outbound() -> int:
    """Deliver again the emails whose worker died or whose task was lost; return how many."""
    from tickets.services.outbound import recover_stalled_outbound as recover

    released = recover()
    for outbound_id in released:
        deliver_outbound_email.delay(outbound_id)
    return len(released)


@shared_task(name="tickets.poll_imap_mailbox", acks_late=True)
def poll_imap_mailbox() -> int:
    """Turn the unseen mail of settings.HELPDESK_IMAP_URL into tickets; return how many."""
    from tickets.mail.imap import poll_imap_url
    from tickets.services.inbound import process_inbound_email

    if not settings.HELPDESK_IMAP_URL:
        return 0
    report = poll_imap_url(
        settings.HELPDESK_IMAP_URL, handle=lambda raw: process_inbound_email(raw=raw)
    )
    if report.more_waiting:
        poll_imap_mailbox.delay()
    return report.processed


@shared_task(name="tickets.flush_rule_counters", acks_late=True)
def flush_rule_counters() -> None:
    from tickets.rule_counters import flush_fired_counts

    flush_fired_counts()
