"""
Business time for the metrics row: measured on the calendar of the ticket's SLA clock for
that metric (escalation's SlaTimer), else unknown (NULL), never guessed from calendar time.
"""

from __future__ import annotations

from datetime import datetime

from escalation.calendars import business_seconds_between, calendar_schedules
from escalation.models import SlaTimer
from tickets.models import Ticket


def business_seconds(ticket: Ticket, metric: str, start: datetime, end: datetime) -> int | None:
    """Return the business seconds from start to end on the metric's SLA calendar, or None."""
    calendar_id = (SlaTimer.objects.filter(ticket_id=ticket.pk, metric=metric)
                   .order_by("-started_at").values_list("calendar_id", flat=True).first())
    if calendar_id is None:
        return None
    schedule = calendar_schedules().get(calendar_id)
    if schedule is None:
        return None
    return max(0, business_seconds_between(schedule, start, end))
