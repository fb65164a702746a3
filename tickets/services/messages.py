from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tickets.choices import EventKind, MessageKind, TicketStatus
from tickets.events import record_event
from tickets.models import Contact, Message, Ticket
from tickets.services.attachments import save_attachment
from tickets.services.lifecycle import lock_ticket


@transaction.atomic
def add_agent_message(
    *,
    ticket: Ticket,
    author: AbstractBaseUser,
    body: str,
    public: bool,
    attachments: list[tuple[str, Any]] | None = None,
) -> Message:
    """Reply to the customer (emailed on commit) or add an internal note."""
    from tickets.tasks import send_reply as send_reply_task

    ticket = lock_ticket(ticket)
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.PUBLIC if public else MessageKind.INTERNAL,
        author_user=author,
        body=body,
    )
    for filename, content in attachments or []:
        save_attachment(ticket=ticket, message=message, filename=filename, content=content)
    if not public:
        record_event(ticket=ticket, kind=EventKind.NOTE_ADDED, actor=author,
                     after={"message": message.pk})
        return message
    fields = {"public_replies": F("public_replies") + 1, "updated_at": timezone.now()}
    if ticket.first_response_at is None:
        fields["first_response_at"] = message.created_at
    if ticket.status == TicketStatus.NEW:
        fields["status"], fields["status_changed_at"] = TicketStatus.OPEN, fields["updated_at"]
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    ticket.refresh_from_db()
    record_event(ticket=ticket, kind=EventKind.AGENT_REPLIED, actor=author,
                 after={"message": message.pk})
    transaction.on_commit(partial(send_reply_task.delay, message.pk))
    return message


@transaction.atomic
def add_customer_message(
    *,
    ticket: Ticket,
    contact: Contact,
    body: str,
    original_body: str = "",
    original_html: str = "",
    email_message_id: str = "",
    in_reply_to: str = "",
    attachments: list[tuple[str, Any]] | None = None,
) -> Message:
    """
    Record the customer's message; the CUSTOMER_REPLIED event is what reopens, resumes
    clocks and cancels reminders, through the handlers in settings.
    """
    ticket = lock_ticket(ticket)
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.PUBLIC,
        author_contact=contact,
        body=body,
        original_body=original_body,
        original_html=original_html,
        email_message_id=email_message_id,
        in_reply_to=in_reply_to,
    )
    for filename, content in attachments or []:
        save_attachment(ticket=ticket, message=message, filename=filename, content=content)
    Ticket.objects.filter(pk=ticket.pk).update(
        customer_contacts=F("customer_contacts") + 1, updated_at=timezone.now()
    )
    ticket.refresh_from_db()
    record_event(ticket=ticket, kind=EventKind.CUSTOMER_REPLIED, actor=None,
                 after={"message": message.pk, "status": ticket.status})
    return message
