"""Outbound email: rows are written in the transaction, the SMTP send happens in a task."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tickets.choices import EventKind
from tickets.events import record_event
from tickets.mail.threading import make_message_id
from tickets.models import Message, OutboundEmail, Ticket


def _domain() -> str:
    return settings.HELPDESK_SUPPORT_ADDRESS.rsplit("@", 1)[-1]


def _thread_headers(ticket: Ticket) -> tuple[str, str]:
    """Return (In-Reply-To, References) that keep this email in the ticket's thread."""
    ids = list(Message.objects.filter(ticket=ticket).exclude(email_message_id="")
        .order_by("created_at").values_list("email_message_id", flat=True))
    ids += list(
        OutboundEmail.objects.filter(ticket=ticket).order_by("created_at")
        .values_list("email_message_id", flat=True)
    )
    bracketed = [mid if mid.startswith("<") else f"<{mid}>" for mid in ids]
    return (bracketed[-1] if bracketed else ""), " ".join(bracketed[-20:])


def queue_acknowledgement(*, ticket: Ticket) -> OutboundEmail:
    """Write the acknowledgement that tells the customer their reference."""
    in_reply_to, references = _thread_headers(ticket)
    return OutboundEmail.objects.create(
        ticket=ticket,
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        to=ticket.requester.email,
        subject=f"[{ticket.reference}] {ticket.subject}",
        body=render_to_string("tickets/email/acknowledgement.txt", {"ticket": ticket}),
        email_message_id=make_message_id(
            ticket_id=ticket.pk, domain=_domain(), secret=settings.SECRET_KEY
        ),
        in_reply_to=in_reply_to,
        references=references,
    )


def queue_reply(*, message: Message) -> OutboundEmail:
    """Write the email that carries an agent's public reply, threaded on the conversation."""
    ticket = message.ticket
    in_reply_to, references = _thread_headers(ticket)
    return OutboundEmail.objects.create(
        ticket=ticket,
        message=message,
        kind=OutboundEmail.Kind.REPLY,
        to=ticket.requester.email,
        subject=f"Re: [{ticket.reference}] {ticket.subject}",
        body=render_to_string("tickets/email/reply.txt", {"ticket": ticket, "message": message}),
        email_message_id=make_message_id(
            ticket_id=ticket.pk, domain=_domain(), secret=settings.SECRET_KEY
        ),
        in_reply_to=in_reply_to,
        references=references,
    )


def deliver_outbound_email(*, outbound_id: int) -> bool:
    """
    Send one queued email over SMTP, at most once: the row is locked and marked sent in the
    same transaction, so a retry or a second worker finds it sent and does nothing.
    Return whether this call sent it. SMTP errors propagate so the task retries.
    """
    with transaction.atomic():
        outbound = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .select_related("ticket")
            .filter(pk=outbound_id, state=OutboundEmail.State.QUEUED)
            .first()
        )
        if outbound is None:
            return False
        outbound.attempts += 1
        headers = {"Message-ID": outbound.email_message_id, "Auto-Submitted": "auto-replied"
                   if outbound.kind == OutboundEmail.Kind.ACKNOWLEDGEMENT else "no"}
        if outbound.in_reply_to:
            headers["In-Reply-To"] = outbound.in_reply_to
            headers["References"] = outbound.references
        EmailMessage(
            subject=outbound.subject,
            body=outbound.body,
            from_email=settings.HELPDESK_SUPPORT_ADDRESS,
            to=[outbound.to],
            headers=headers,
        ).send(fail_silently=False)
        outbound.state = OutboundEmail.State.SENT
        outbound.sent_at = timezone.now()
        outbound.save(update_fields=["state", "sent_at", "attempts"])
        record_event(
            ticket=outbound.ticket,
            kind=EventKind.EMAIL_SENT,
            actor=None,
            after={"outbound": outbound.pk, "kind": outbound.kind, "to": outbound.to},
        )
        return True
