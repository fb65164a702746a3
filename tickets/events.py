"""One event row per change, then the handlers that settings list for its kind."""

from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.module_loading import import_string

from tickets.models import Ticket, TicketEvent


@cache
def _handler(path: str) -> Any:
    return import_string(path)


def record_event(
    *,
    ticket: Ticket,
    kind: str,
    actor: AbstractBaseUser | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason_code: str = "",
    note: str = "",
) -> TicketEvent:
    """Write the event row, then run HELPDESK_EVENT_HANDLERS for its kind in this transaction."""
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        before=before or {},
        after=after or {},
        reason_code=reason_code,
        note=note,
    )
    for path in settings.HELPDESK_EVENT_HANDLERS.get(kind, ()):
        _handler(path)(event)
    return event
