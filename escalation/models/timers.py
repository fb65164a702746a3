from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from escalation.choices import HistoryKind, Metric, TimerState
from escalation.models.calendars import BusinessCalendar
from escalation.models.policies import SlaPolicy, SlaWarningLevel
from tickets.models import Ticket

if TYPE_CHECKING:
    from escalation.calendars import Schedule


class TicketSla(models.Model):
    """The SLA policy a ticket runs under; its clocks hang off it (the API's `sla` array)."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="sla_decision"
    )
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "ticket SLA"

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.policy or 'no policy'}"

    def as_api(self) -> list[dict[str, Any]]:
        """
        Return the ticket's clocks for the API. A list prefetches `sla_decision` and
        `sla_timers` (HELPDESK_TICKET_PREFETCH), and the prefetch links this row back to its
        ticket, so a page reads no row twice.
        """
        from escalation.calendars import calendar_schedules

        now, schedules = timezone.now(), calendar_schedules()
        timers = sorted(self.ticket.sla_timers.all(), key=lambda t: METRIC_ORDER[t.metric])
        return [timer.as_api(now=now, schedule=schedules.get(timer.calendar_id))
                for timer in timers]


METRIC_ORDER = {metric: index for index, metric in enumerate(Metric.values)}


class SlaTimer(models.Model):
    """
    One clock of a ticket. Business seconds used are `elapsed_seconds` plus, while it runs,
    the business time since `running_since`; `due_at` is when the target is reached if it
    keeps running. A breached clock keeps running until fulfilled.
    """

    # Indexed by sla_timer_once (ticket, metric); a second index would only slow each update.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_timers",
                               db_index=False)
    metric = models.CharField(max_length=20, choices=Metric.choices)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    target_seconds = models.PositiveIntegerField()
    pause_statuses = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    state = models.CharField(max_length=10, choices=TimerState.choices,
                             default=TimerState.ACTIVE)
    started_at = models.DateTimeField(help_text="Start of this cycle of the metric.")
    running_since = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.IntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    predicted_breach_at = models.DateTimeField(null=True, blank=True)
    # When the lead was told of the likely breach: until then the forecast tells again.
    predicted_told_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ticket", "metric"]
        indexes = [
            # The breach sweep's query: active clocks past due, oldest first.
            models.Index(fields=["due_at"], condition=Q(state=TimerState.ACTIVE),
                         name="sla_timer_active_due"),
            # The likely breaches nobody was told of (the task was lost): a handful of rows.
            models.Index(fields=["predicted_breach_at"], name="sla_timer_predicted_untold",
                         condition=Q(state=TimerState.ACTIVE, predicted_breach_at__isnull=False,
                                     predicted_told_at__isnull=True)),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_timer_once"),
            models.CheckConstraint(condition=Q(state__in=TimerState.values),
                                   name="sla_timer_state_known"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values),
                                   name="sla_timer_metric_known"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.state}"

    @property
    def is_running(self) -> bool:
        return self.running_since is not None

    def used_seconds(self, *, now: datetime, schedule: Schedule | None = None) -> int:
        """Return business seconds used by `now`; pass the schedule to spare a calendar read."""
        from escalation.calendars import business_seconds_between

        if self.running_since is None:
            return self.elapsed_seconds
        calendar = schedule if schedule is not None else self.calendar
        return self.elapsed_seconds + max(
            business_seconds_between(calendar, self.running_since, now), 0)

    def remaining_seconds(self, *, now: datetime, schedule: Schedule | None = None) -> int:
        """Return business seconds left: negative once breached, frozen unless running."""
        return self.target_seconds - self.used_seconds(now=now, schedule=schedule)

    def as_api(self, *, now: datetime, schedule: Schedule | None = None) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "due_at": self.due_at,
            "state": self.state,
            "target_seconds": self.target_seconds,
            "remaining_seconds": self.remaining_seconds(now=now, schedule=schedule),
            "paused": self.paused_at is not None,
            "breached_at": self.breached_at,
            "fulfilled_at": self.fulfilled_at,
        }


class SlaWarning(models.Model):
    """
    One warning level of one clock: when it falls due and when it fired. The row is unique
    per (timer, level) and fires under a row lock, so it fires once whatever runs at once.
    """

    # Indexed by sla_warning_once (timer, level): the sweep rewrites these rows in batches.
    timer = models.ForeignKey(SlaTimer, on_delete=models.CASCADE, related_name="warnings",
                              db_index=False)
    level = models.ForeignKey(SlaWarningLevel, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    # Fired silently: a higher level of the same clock was due at the same time.
    superseded = models.BooleanField(default=False)
    # Set once the recipients were told; a fired row without it is told again (outbox).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["timer", "level"], name="sla_warning_once"),
        ]
        indexes = [
            models.Index(fields=["level", "due_at"],
                         condition=Q(fired_at__isnull=True, due_at__isnull=False),
                         name="sla_warning_due"),
            models.Index(fields=["fired_at"],
                         condition=Q(fired_at__isnull=False, notified_at__isnull=True),
                         name="sla_warning_untold"),
        ]

    def __str__(self) -> str:
        return f"{self.timer_id} at {self.level}"


class SlaHistory(models.Model):
    """What happened to a ticket's clocks and why: the story of a breach."""

    # Indexed by sla_history_ticket (ticket, created_at).
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+",
                               db_index=False)
    metric = models.CharField(max_length=20, choices=Metric.choices, blank=True)
    kind = models.CharField(max_length=12, choices=HistoryKind.choices)
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "SLA history"
        indexes = [models.Index(fields=["ticket", "created_at"], name="sla_history_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} {self.kind}"
