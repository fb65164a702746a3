from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tickets.choices import Channel, EventKind, MessageKind
from tickets.events import record_event
from tickets.models import ApiKey, Category, Message, Ticket
from tickets.pipeline import IntakeContext, run_intake_pipeline
from tickets.services.accounts import match_organization, upsert_contact
from tickets.services.attachments import save_attachment


@dataclass
class NewTicket:
    """A validated request for help, whatever channel it came through."""

    subject: str
    description: str
    requester_email: str
    requester_name: str = ""
    requester_phone: str = ""
    organization_external_id: str = ""
    organization_name: str = ""
    channel: str = Channel.API
    product_area: str = ""
    impact: list[str] = field(default_factory=list)
    language: str = ""
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    external_id: str = ""
    category: str = ""
    priority: str = ""
    attachments: list[tuple[str, Any]] = field(default_factory=list)
    email_message_id: str = ""
    original_body: str = ""
    original_html: str = ""


@transaction.atomic
def create_ticket(
    *,
    request: NewTicket,
    actor: AbstractBaseUser | None = None,
    api_key: ApiKey | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[Ticket, IntakeContext]:
    """Create the ticket, its first message and event, run the intake pipeline, acknowledge."""
    from tickets.tasks import send_acknowledgement as send_acknowledgement_task

    contact = upsert_contact(
        email=request.requester_email, name=request.requester_name, phone=request.requester_phone
    )
    organization = match_organization(
        contact=contact,
        external_id=request.organization_external_id,
        name=request.organization_name,
    )
    ticket = Ticket.objects.create(
        subject=request.subject,
        description=request.description,
        channel=request.channel,
        requester=contact,
        organization=organization,
        product_area=request.product_area,
        impact=sorted(set(request.impact)),
        language=request.language,
        tags=_unique(request.tags),
        custom_fields=request.custom_fields,
        external_id=request.external_id,
        category=_known_category(request.category),
        created_by_key=api_key,
        status_changed_at=timezone.now(),
        **({"priority": request.priority} if request.priority else {}),
    )
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.PUBLIC,
        author_contact=contact,
        body=request.description,
        original_body=request.original_body,
        original_html=request.original_html,
        email_message_id=request.email_message_id,
        created_at=ticket.created_at,
    )
    for filename, content in request.attachments:
        save_attachment(ticket=ticket, message=message, filename=filename, content=content)
    record_event(
        ticket=ticket,
        kind=EventKind.CREATED,
        actor=actor,
        after={"channel": ticket.channel, "status": ticket.status, "priority": ticket.priority},
    )
    ctx = IntakeContext(payload=payload or {}, actor=actor, api_key=api_key)
    run_intake_pipeline(ticket, ctx)
    transaction.on_commit(partial(send_acknowledgement_task.delay, ticket.pk))
    return ticket, ctx


def _known_category(slug: str) -> Category | None:
    if not slug:
        return None
    return Category.objects.filter(slug=slug, active=True).first()


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = value.strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)
