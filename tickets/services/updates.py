from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tickets.choices import EventKind
from tickets.events import record_event
from tickets.exceptions import StaleWrite
from tickets.models import Category, Ticket
from tickets.services.lifecycle import lock_ticket

EDITABLE_FIELDS = ("priority", "severity", "category", "tags", "product_area", "custom_fields")


@transaction.atomic
def update_ticket_fields(
    *,
    ticket: Ticket,
    changes: dict[str, Any],
    actor: AbstractBaseUser | None,
    reason: str = "",
    expected_etag: str | None = None,
) -> Ticket:
    """
    Change classification fields; a priority change is its own event because SLAs react to it.
    With expected_etag, a write based on a stale read raises StaleWrite.
    """
    ticket = lock_ticket(ticket)
    if expected_etag is not None and expected_etag != ticket.etag:
        raise StaleWrite("The ticket changed since you read it; reload and try again.")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        if name not in changes:
            continue
        old, new = _current(ticket, name), _normalised(name, changes[name])
        if old != new:
            before[name], after[name] = old, new
            _apply(ticket, name, new)
    if not after:
        return ticket
    ticket.save(update_fields=[*_columns(after), "updated_at"])
    if "priority" in after:
        record_event(ticket=ticket, kind=EventKind.PRIORITY_CHANGED, actor=actor,
                     before={"priority": before.pop("priority")},
                     after={"priority": after.pop("priority")}, note=reason)
    if after:
        record_event(ticket=ticket, kind=EventKind.FIELDS_CHANGED, actor=actor,
                     before=before, after=after, note=reason)
    return ticket


def _current(ticket: Ticket, name: str) -> Any:
    return ticket.category_id if name == "category" else getattr(ticket, name)


def _normalised(name: str, value: Any) -> Any:
    if name == "tags":
        return list(dict.fromkeys(tag.strip().lower() for tag in value if tag.strip()))
    if name == "category":
        return value or None
    return value


def _apply(ticket: Ticket, name: str, value: Any) -> None:
    if name == "category":
        ticket.category = Category.objects.get(slug=value) if value else None
    else:
        setattr(ticket, name, value)


def _columns(after: dict[str, Any]) -> list[str]:
    return list(after)
