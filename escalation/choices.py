"""Enumerations of SLA clocks; the values are what the API and the database speak."""

from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.choices import TicketStatus


class Metric(models.TextChoices):
    """Zendesk's meanings: see escalation.services.timers for when each starts and stops."""

    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    PERIODIC_UPDATE = "periodic_update", _("Periodic update")
    RESOLUTION = "resolution", _("Resolution")


class TimerState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    FULFILLED = "fulfilled", _("Fulfilled")
    BREACHED = "breached", _("Breached")


class Recipient(models.TextChoices):
    ASSIGNEE = "assignee", _("Assignee")
    TEAM_LEAD = "team_lead", _("Team lead")
    MANAGER = "manager", _("Managers")


class HistoryKind(models.TextChoices):
    APPLIED = "applied", _("Applied")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    FULFILLED = "fulfilled", _("Fulfilled")
    REARMED = "rearmed", _("Re-armed")
    RECOMPUTED = "recomputed", _("Target recomputed")
    WARNED = "warned", _("Warning sent")
    PREDICTED = "predicted", _("Likely to breach")
    BREACHED = "breached", _("Breached")


# A breached clock still runs (its remaining time grows more negative) until fulfilled.
RUNNING_STATES: Final = frozenset({TimerState.ACTIVE, TimerState.BREACHED})

S = TicketStatus
# By default waiting on the customer pauses every clock, on hold only resolution.
DEFAULT_PAUSE_STATUSES: Final = {
    Metric.FIRST_RESPONSE: [S.PENDING],
    Metric.NEXT_RESPONSE: [S.PENDING],
    Metric.PERIODIC_UPDATE: [S.PENDING],
    Metric.RESOLUTION: [S.PENDING, S.ON_HOLD],
}
BREACH_PERCENT: Final = 100
