from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tickets.choices import EventKind, TicketStatus
from tickets.events import record_event
from tickets.models import Ticket
from tickets.transitions import ensure_transition


def lock_ticket(ticket: Ticket) -> Ticket:
    """Return the ticket re-read under a row lock, so concurrent changes queue up."""
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


@transaction.atomic
def change_status(
    *,
    ticket: Ticket,
    status: str,
    actor: AbstractBaseUser | None,
    reason: str = "",
    reason_code: str = "",
) -> Ticket:
    """Move the ticket along the lifecycle; reopening a solved ticket is counted."""
    ticket = lock_ticket(ticket)
    before = ticket.status
    if before == status:
        return ticket
    ensure_transition(before, status)
    reopening = before == TicketStatus.SOLVED and status == TicketStatus.OPEN
    now = timezone.now()
    ticket.status = status
    ticket.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if status == TicketStatus.SOLVED:
        ticket.solved_at = now
        fields.append("solved_at")
    elif status == TicketStatus.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    if reopening:
        ticket.reopens += 1
        ticket.solved_at = None
        fields += ["reopens", "solved_at"]
    ticket.save(update_fields=fields)
    record_event(
        ticket=ticket,
        kind=EventKind.REOPENED if reopening else EventKind.STATUS_CHANGED,
        actor=actor,
        before={"status": before},
        after={"status": status},
        reason_code=reason_code,
        note=reason,
    )
    return ticket


@transaction.atomic
def escalate_ticket(*, ticket: Ticket, actor: AbstractBaseUser | None, reason: str) -> Ticket:
    """Flag the ticket as escalated by hand; escalation policies react to the event."""
    ticket = lock_ticket(ticket)
    before = ticket.escalated_at
    ticket.escalated_at = timezone.now()
    ticket.save(update_fields=["escalated_at", "updated_at"])
    record_event(
        ticket=ticket,
        kind=EventKind.ESCALATED,
        actor=actor,
        before={"escalated_at": before},
        after={"escalated_at": ticket.escalated_at},
        reason_code="manual",
        note=reason,
    )
    return ticket
