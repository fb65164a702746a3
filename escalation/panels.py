"""The SLA panel of the ticket page (listed in settings.HELPDESK_TICKET_PANELS)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from escalation.models import SlaTimer
from escalation.selectors import ticket_clocks, ticket_sla_history
from tickets.models import Ticket
from tickets.panels import Panel


def sla_panel(*, ticket: Ticket, user: AbstractBaseUser) -> Panel:
    """Every clock of the ticket, running or not, and the history that explains them."""
    now = timezone.now()
    return Panel("escalation/sla_panel.html", {
        "clocks": [_clock(timer, now=now) for timer in ticket_clocks(ticket=ticket)],
        "history": ticket_sla_history(ticket=ticket),
        "first_response_at": ticket.first_response_at,
    })


def _clock(timer: SlaTimer, *, now) -> dict[str, Any]:
    remaining = timer.remaining_seconds(now=now)
    return {
        "metric": timer.get_metric_display(),
        "state": timer.state,
        "state_label": timer.get_state_display(),
        "running": timer.is_running,
        "paused": timer.paused_at is not None,
        "due_at": timer.due_at,
        "target_minutes": timer.target_seconds // 60,
        "remaining": _span(remaining),
        "overdue": remaining < 0,
        "calendar": timer.calendar.name,
        "breached_at": timer.breached_at,
        "fulfilled_at": timer.fulfilled_at,
    }


def _span(seconds: int) -> str:
    """Return business time left as "2h 05m", or "-1h 10m" once over."""
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    hours, minutes = seconds // 3600, seconds % 3600 // 60
    return f"{sign}{hours}h {minutes:02d}m"
