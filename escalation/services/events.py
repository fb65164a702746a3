"""Lifecycle handlers for the timeline events the sweep writes in bulk."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from tickets.models import TicketEvent
from tickets.services.lifecycle import lock_ticket


@cache
def _handler(path: str) -> Any:
    return import_string(path)


def run_event_handlers(*, event_ids: list[int]) -> None:
    """
    Run settings.HELPDESK_EVENT_HANDLERS for each event, one transaction per event with its
    ticket locked, as record_event would have inside the service that wrote it.
    """
    for event in TicketEvent.objects.filter(pk__in=event_ids).order_by("pk"):
        paths = settings.HELPDESK_EVENT_HANDLERS.get(event.kind, ())
        if not paths:
            continue
        with transaction.atomic():
            event.ticket = lock_ticket(event.ticket)
            for path in paths:
                _handler(path)(event)
