"""Reads of SLA clocks for pages, the API and other apps; each a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from escalation.choices import RUNNING_STATES, TimerState
from escalation.models import SlaHistory, SlaTimer
from escalation.models.timers import METRIC_ORDER
from tickets.models import Ticket


def ticket_clocks(*, ticket: Ticket) -> list[SlaTimer]:
    """Return every clock of the ticket, in the order of the metrics, with its calendar."""
    timers = SlaTimer.objects.filter(ticket_id=ticket.pk).select_related("calendar")
    return sorted(timers, key=lambda timer: METRIC_ORDER[timer.metric])


def ticket_sla_history(*, ticket: Ticket, limit: int = 100) -> list[SlaHistory]:
    """Return the newest entries of the ticket's SLA history, oldest first."""
    newest = SlaHistory.objects.filter(ticket=ticket).order_by("-created_at", "-pk")[:limit]
    return list(reversed(newest))


def running_timers() -> QuerySet[SlaTimer]:
    """Clocks that run now: active, or breached and not yet fulfilled, and not paused."""
    return SlaTimer.objects.filter(state__in=RUNNING_STATES, running_since__isnull=False)


def timers_due_before(*, before: datetime) -> QuerySet[SlaTimer]:
    """Active clocks due before an instant, on the sweep's partial index."""
    return SlaTimer.objects.filter(state=TimerState.ACTIVE, due_at__lte=before)
