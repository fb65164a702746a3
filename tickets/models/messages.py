from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from tickets.choices import EventKind, MessageKind
from tickets.models.accounts import Contact
from tickets.models.tickets import Ticket


class Message(models.Model):
    """A public reply, internal note or system message; customer bodies are kept verbatim."""

    # message_ticket_time leads with the ticket, so a second index on it only slows writes.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    body = models.TextField()
    # The whole email as received, before quoted history and signatures were stripped.
    original_body = models.TextField(blank=True)
    # The HTML part of an email as received; shown only after nh3 has sanitised it.
    original_html = models.TextField(blank=True, default="", db_default="")
    email_message_id = models.CharField(max_length=998, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_time"),
            models.Index(
                fields=["email_message_id"],
                name="message_email_id",
                condition=~models.Q(email_message_id=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MessageKind.values), name="message_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def from_customer(self) -> bool:
        return self.author_contact_id is not None


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.ticket_id}/{instance.sha256[:16]}/{filename}"


class Attachment(models.Model):
    """A file on a ticket; the content type is sniffed from the bytes, never trusted."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=400)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket"], name="attachment_ticket")]

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """Append-only history of a ticket: one row per state change, message or email."""

    # event_ticket_time leads with the ticket, so a second index on it only slows every write.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason_code = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_time"),
            models.Index(fields=["kind", "created_at"], name="event_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class OutboundEmail(models.Model):
    """An email the desk sends; its Message-ID threads the customer's replies back."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
        REPLY = "reply", "Agent reply"
        CLARIFICATION = "clarification", "Clarification request"
        RESOLUTION = "resolution", "Resolution summary"
        REMINDER = "reminder", "Reminder"
        SURVEY = "survey", "Satisfaction survey"
        NOTICE = "notice", "Notice"
        ESCALATION_UPDATE = "escalation_update", "Escalation update"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outbound_emails")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    email_message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="outbound_ticket_time"),
            # The stalled-mail sweep reads only rows still queued.
            models.Index(fields=["created_at"], name="outbound_queued",
                         condition=models.Q(state="queued")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"

