"""Outbound email: rows are written in the transaction, the SMTP send happens in a task."""

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string

from tickets.choices import EventKind, MessageKind
from tickets.events import record_event
from tickets.mail.threading import make_message_id
from tickets.models import Message, OutboundEmail, Ticket

# Mail clients thread on References; the newest ids matter, and the header must stay short.
MAX_REFERENCES = 20


def _domain() -> str:
    return settings.HELPDESK_SUPPORT_ADDRESS.rsplit("@", 1)[-1]


def _thread_headers(ticket: Ticket) -> tuple[str, str]:
    """Return (In-Reply-To, References) that keep this email in the ticket's thread."""
    received = Message.objects.filter(ticket=ticket).exclude(email_message_id="").values_list(
        "created_at", "email_message_id"
    )
    sent = OutboundEmail.objects.filter(ticket=ticket).values_list(
        "created_at", "email_message_id"
    )
    # One conversation, oldest first: In-Reply-To must name the newest mail of either side,
    # which is usually the customer's last message, not the desk's last email.
    ids = [mid for _, mid in sorted([*received, *sent])]
    bracketed = [mid if mid.startswith("<") else f"<{mid}>" for mid in ids]
    return (bracketed[-1] if bracketed else ""), " ".join(bracketed[-MAX_REFERENCES:])


@cache
def _footer_function(path: str) -> Any:
    return import_string(path)


def _with_footers(ticket: Ticket, body: str) -> str:
    """
    Append what settings.HELPDESK_EMAIL_FOOTERS add to every customer email, e.g. follow-up's
    signed link to the ticket page: `def footer(*, ticket) -> str`, "" for none.
    """
    footers = [_footer_function(path)(ticket=ticket) for path in settings.HELPDESK_EMAIL_FOOTERS]
    footers = [footer for footer in footers if footer]
    if not footers:
        return body
    return "\n\n".join([body.rstrip("\n"), *footers]) + "\n"


def queue_email(*, ticket: Ticket, kind: str, subject: str, body: str) -> OutboundEmail:
    """Write an email of another app (resolution, reminder, survey...), threaded like replies."""
    in_reply_to, references = _thread_headers(ticket)
    return OutboundEmail.objects.create(
        ticket=ticket,
        kind=kind,
        to=ticket.requester.email,
        subject=subject,
        body=_with_footers(ticket, body),
        email_message_id=make_message_id(
            ticket_id=ticket.pk, domain=_domain(), secret=settings.SECRET_KEY
        ),
        in_reply_to=in_reply_to,
        references=references,
    )


def queue_acknowledgement(*, ticket: Ticket) -> OutboundEmail:
    """Write the acknowledgement that tells the customer their reference."""
    in_reply_to, references = _thread_headers(ticket)
    return OutboundEmail.objects.create(
        ticket=ticket,
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        to=ticket.requester.email,
        subject=f"[{ticket.reference}] {ticket.subject}",
        body=_with_footers(
            ticket, render_to_string("tickets/email/acknowledgement.txt", {"ticket": ticket})
        ),
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
        kind=(OutboundEmail.Kind.CLARIFICATION if message.kind == MessageKind.SYSTEM
              else OutboundEmail.Kind.REPLY),
        to=ticket.requester.email,
        subject=f"Re: [{ticket.reference}] {ticket.subject}",
        body=_with_footers(ticket, render_to_string(
            "tickets/email/reply.txt", {"ticket": ticket, "message": message}
        )),
        email_message_id=make_message_id(
            ticket_id=ticket.pk, domain=_domain(), secret=settings.SECRET_KEY
        ),
        in_reply_to=in_reply_to,
        references=references,
    )


def deliver_outbound_email(*, outbound_id: int) -> bool:
    """
    Send one queued email over SMTP, at most once; return whether this call sent it.

    The row is claimed and committed before the SMTP conversation, so a retry, a redelivered
    task or a second worker finds it claimed and sends nothing, even when the first worker
    died after the server accepted the mail. SMTP errors release the claim and propagate, so
    the task retries. No database transaction stays open while talking to the mail server.
    """
    outbound = _claim(outbound_id)
    if outbound is None:
        return False
    try:
        _send(outbound)
    except Exception:
        _release(outbound)
        raise
    _mark_sent(outbound)
    return True


# Sends are bounded by EMAIL_TIMEOUT and the task time limit, so a claim this old belongs to
# a worker that died; a row never claimed this long lost its task (say, a broker restart).
STALLED_CLAIM = timedelta(minutes=10)
NEVER_CLAIMED = timedelta(minutes=5)
MAX_ATTEMPTS = 10
STALLED_BATCH = 500


def recover_stalled_outbound(*, now: datetime | None = None) -> list[int]:
    """
    Release the queued emails whose delivery died or was lost, and return their ids to be
    delivered again; past MAX_ATTEMPTS a row is marked failed instead, visible in admin.

    A worker killed between the SMTP server's acceptance and `_mark_sent` leaves a claim
    that looks like this too: such a mail goes out twice, with the same Message-ID, which
    mail clients fold into one. Losing a customer's mail silently is the worse failure.
    """
    now = now or timezone.now()
    stalled = Q(sent_at__lt=now - STALLED_CLAIM) | Q(
        sent_at__isnull=True, created_at__lt=now - NEVER_CLAIMED
    )
    with transaction.atomic():
        rows = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(stalled, state=OutboundEmail.State.QUEUED)
            .order_by("created_at")
            .values_list("pk", "attempts")[:STALLED_BATCH]
        )
        spent = [pk for pk, attempts in rows if attempts >= MAX_ATTEMPTS]
        retry = [pk for pk, attempts in rows if attempts < MAX_ATTEMPTS]
        OutboundEmail.objects.filter(pk__in=spent).update(state=OutboundEmail.State.FAILED)
        OutboundEmail.objects.filter(pk__in=retry).update(sent_at=None)
    return retry


def mark_outbound_failed(*, outbound_id: int) -> None:
    """Give up on an email whose retries are spent, so it is visible as failed."""
    OutboundEmail.objects.filter(pk=outbound_id, state=OutboundEmail.State.QUEUED).update(
        state=OutboundEmail.State.FAILED
    )


@transaction.atomic
def _claim(outbound_id: int) -> OutboundEmail | None:
    # A queued row with sent_at set is in flight (or its sender died mid-send): never again.
    outbound = (
        OutboundEmail.objects.select_for_update(skip_locked=True)
        .select_related("ticket")
        .filter(pk=outbound_id, state=OutboundEmail.State.QUEUED, sent_at__isnull=True)
        .first()
    )
    if outbound is None:
        return None
    outbound.attempts += 1
    outbound.sent_at = timezone.now()
    outbound.save(update_fields=["attempts", "sent_at"])
    return outbound


def _release(outbound: OutboundEmail) -> None:
    OutboundEmail.objects.filter(pk=outbound.pk, state=OutboundEmail.State.QUEUED).update(
        sent_at=None
    )


def _send(outbound: OutboundEmail) -> None:
    # RFC 3834: what the desk sends by itself is marked, so well-behaved robots do not answer.
    automated = {
        OutboundEmail.Kind.ACKNOWLEDGEMENT: "auto-replied",
        OutboundEmail.Kind.CLARIFICATION: "auto-generated",
    }
    headers = {
        "Message-ID": outbound.email_message_id,
        "Auto-Submitted": automated.get(outbound.kind, "no"),
    }
    if outbound.in_reply_to:
        headers["In-Reply-To"] = outbound.in_reply_to
        headers["References"] = outbound.references
    email = EmailMessage(
        subject=outbound.subject,
        body=outbound.body,
        from_email=settings.HELPDESK_SUPPORT_ADDRESS,
        to=[outbound.to],
        headers=headers,
    )
    for attachment in _reply_attachments(outbound):
        with attachment.file.open("rb") as stored:
            email.attach(attachment.filename, stored.read(), attachment.content_type)
    email.send(fail_silently=False)


def _reply_attachments(outbound: OutboundEmail) -> list[Any]:
    # Files an agent attached to a public reply travel with its email; notes never email.
    if outbound.message_id is None or outbound.kind != OutboundEmail.Kind.REPLY:
        return []
    return list(outbound.message.attachments.order_by("pk"))


@transaction.atomic
def _mark_sent(outbound: OutboundEmail) -> None:
    outbound.state = OutboundEmail.State.SENT
    outbound.sent_at = timezone.now()
    outbound.save(update_fields=["state", "sent_at"])
    record_event(
        ticket=outbound.ticket,
        kind=EventKind.EMAIL_SENT,
        actor=None,
        after={
            "outbound": outbound.pk,
            "kind": outbound.kind,
            "to": outbound.to,
            "message_id": outbound.email_message_id,
        },
    )
