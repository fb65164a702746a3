"""
Inbound email: turn one raw message into a new ticket, a customer reply, or nothing.

Mail gateways retry and IMAP pollers re-read after a crash, so the same message may come
several times: a Message-ID already stored from the same sender returns the stored message.
Automated mail (auto-replies, bounces, lists) never opens or updates a ticket: answering it
would start a mail loop.
"""

import logging
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import Lower

from tickets.choices import Channel, EventKind, TicketStatus
from tickets.events import record_event
from tickets.mail.parse import InboundEmail, parse_email
from tickets.mail.threading import resolve_ticket_id, ticket_id_from_subject
from tickets.models import Contact, Message, Ticket, TicketEvent
from tickets.models.tickets import REFERENCE_PREFIX
from tickets.selectors import known_message_ids
from tickets.services.accounts import upsert_contact
from tickets.services.intake import NewTicket, create_ticket
from tickets.services.messages import add_customer_message

logger = logging.getLogger(__name__)

MAX_SUBJECT = 255
NO_SUBJECT = "(no subject)"
EMPTY_BODY = "(empty message)"


@dataclass(frozen=True, kw_only=True)
class InboundResult:
    """What became of one inbound email; `ignored_reason` is set for automated mail."""

    ticket: Ticket | None
    message: Message | None
    created: bool
    ignored_reason: str | None = None
    duplicate: bool = False


def process_inbound_email(*, raw: bytes) -> InboundResult:
    """
    Store one raw RFC 822 email as a new ticket or a reply, in one transaction.

    Raise MalformedEmail (a ValueError) when the message has no usable sender.
    """
    email = parse_email(raw)
    with transaction.atomic():
        _lock_message_id(email.message_id)
        if email.is_automated:
            return _ignore(email)
        stored = _stored_copy(email)
        if stored is not None:
            return InboundResult(ticket=stored.ticket, message=stored, created=False,
                                 duplicate=True)
        ticket = _thread(email)
        if ticket is None or ticket.status == TicketStatus.CLOSED:
            return _open_ticket(email, follows_up=ticket)
        message = add_customer_message(
            ticket=ticket,
            contact=upsert_contact(email=email.from_email, name=email.from_name),
            body=email.reply_text or EMPTY_BODY,
            original_body=email.text,
            original_html=email.html,
            email_message_id=email.message_id,
            in_reply_to=next(iter(email.in_reply_to), ""),
            attachments=_attachments(email),
        )
        return InboundResult(ticket=ticket, message=message, created=False)


def _lock_message_id(message_id: str) -> None:
    # Two deliveries of one message at once: the second waits here, then finds the first.
    if message_id:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                           [f"inbound-email:{message_id}"])


def _ignore(email: InboundEmail) -> InboundResult:
    """Record an EMAIL_IGNORED event when the message threads onto a ticket; store nothing else."""
    reason = email.auto_submitted_reason or "automated"
    ticket = _thread(email)
    if ticket is not None and not _already_ignored(ticket, email.message_id):
        record_event(
            ticket=ticket,
            kind=EventKind.EMAIL_IGNORED,
            actor=None,
            after={"message_id": email.message_id, "from": email.from_email},
            reason_code="automated_email",
            note=reason,
        )
    logger.info("Ignored automated email %s from %s: %s", email.message_id, email.from_email,
                reason)
    return InboundResult(ticket=ticket, message=None, created=False, ignored_reason=reason)


def _already_ignored(ticket: Ticket, message_id: str) -> bool:
    return bool(message_id) and TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.EMAIL_IGNORED, after__message_id=message_id
    ).exists()


def _stored_copy(email: InboundEmail) -> Message | None:
    """Return the message already stored for this Message-ID and sender, if any."""
    if not email.message_id:
        return None
    # Matching the sender too means a stranger who learns an id cannot swallow someone's mail.
    return (
        Message.objects.select_related("ticket")
        .annotate(author_email=Lower("author_contact__email"))
        .filter(
            email_message_id__in=[email.message_id, f"<{email.message_id}>"],
            author_email=email.from_email.lower(),
        )
        .order_by("pk")
        .first()
    )


def _thread(email: InboundEmail) -> Ticket | None:
    """
    Return the ticket `email` answers: by its thread headers, else by the [HD-123] subject
    token, which anyone can type, so only the requester or their organisation may use it.
    """
    secret = settings.SECRET_KEY
    # With the subject blanked, resolve_ticket_id answers from the headers alone.
    headers_only = replace(email, subject="")
    ticket_id = resolve_ticket_id(headers_only, secret=secret, prefix=REFERENCE_PREFIX,
                                  known_message_ids=known_message_ids)
    ticket = _ticket(ticket_id)
    if ticket is not None:
        return ticket
    ticket = _ticket(ticket_id_from_subject(email.subject, prefix=REFERENCE_PREFIX))
    if ticket is not None and _may_write_to(ticket, email.from_email):
        return ticket
    return None


def _ticket(ticket_id: int | None) -> Ticket | None:
    if ticket_id is None:
        return None
    return Ticket.objects.select_related("requester", "organization").filter(pk=ticket_id).first()


def _may_write_to(ticket: Ticket, sender: str) -> bool:
    """Return whether `sender` is the ticket's requester or belongs to its organisation."""
    sender = sender.lower()
    if ticket.requester.email.lower() == sender:
        return True
    organization = ticket.organization
    if organization is None:
        return False
    if sender.rpartition("@")[2] in {domain.lower() for domain in organization.email_domains}:
        return True
    return (
        Contact.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower=sender, organization=organization)
        .exists()
    )


def _open_ticket(email: InboundEmail, *, follows_up: Ticket | None) -> InboundResult:
    """Create a ticket from `email`; a reply to a closed ticket links to it through follows_up."""
    ticket, _ = create_ticket(
        request=NewTicket(
            subject=(email.subject or NO_SUBJECT)[:MAX_SUBJECT],
            description=email.reply_text or email.text or EMPTY_BODY,
            requester_email=email.from_email,
            requester_name=email.from_name,
            channel=Channel.EMAIL,
            attachments=_attachments(email),
            email_message_id=email.message_id,
            original_body=email.text,
            original_html=email.html,
        )
    )
    if follows_up is not None:
        ticket.follows_up = follows_up
        ticket.save(update_fields=["follows_up", "updated_at"])
    message = ticket.messages.order_by("pk").first()
    return InboundResult(ticket=ticket, message=message, created=True)


def _attachments(email: InboundEmail) -> list[tuple[str, bytes]]:
    """Return the attachments to store; one past the size limit is dropped, not the email."""
    limit = settings.HELPDESK_MAX_ATTACHMENT_SIZE
    kept = []
    for item in email.attachments:
        if len(item.content) > limit:
            # Refusing the whole email would make the gateway or the poller retry it forever.
            logger.warning("Dropped attachment %s (%d bytes) of email %s: over %d bytes.",
                           item.filename, len(item.content), email.message_id, limit)
        else:
            kept.append((item.filename, item.content))
    return kept
