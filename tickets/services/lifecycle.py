from functools import cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from tickets.choices import EventKind, TicketStatus
from tickets.events import record_event
from tickets.models import Ticket
from tickets.prepared import execute_prepared
from tickets.transitions import ensure_transition


@cache
def _locking_read() -> tuple[str, list[str], list[tuple[int, Any, Any]]]:
    """The locking read of a ticket by id: its SQL, attribute names and value converters."""
    fields = Ticket._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = (f"SELECT {', '.join(quote(f.column) for f in fields)} "
           f"FROM {quote(Ticket._meta.db_table)} WHERE {quote(Ticket._meta.pk.column)} = %s "
           "FOR UPDATE")
    converters = [(index, convert, field.cached_col) for index, field in enumerate(fields)
                  for convert in field.get_db_converters(connection)]
    return sql, [f.attname for f in fields], converters


def lock_ticket(ticket: Ticket) -> Ticket:
    """
    Return the ticket re-read under a row lock, so concurrent changes queue up.

    Every change of a ticket starts here, so the read is written once and prepared on the
    server instead of compiled by the ORM each time: it is what
    `Ticket.objects.select_for_update().get(pk=...)` runs, row for row.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("lock_ticket needs a transaction.")
    sql, names, converters = _locking_read()
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, [ticket.pk])
        row = cursor.fetchone()
    if row is None:
        raise Ticket.DoesNotExist(f"Ticket {ticket.pk} does not exist.")
    values = list(row)
    for index, convert, column in converters:
        values[index] = convert(values[index], column, connection)
    return Ticket.from_db(connection.alias, names, values)


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
