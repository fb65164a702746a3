from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from escalation.choices import BREACH_PERCENT, Metric, Recipient
from escalation.models.calendars import BusinessCalendar
from tickets.choices import TicketStatus
from tickets.models.rules import Rule


class SlaPolicy(Rule):
    """Targets for the tickets its condition matches; the first enabled match in order wins."""

    history = HistoricalRecords()

    class Meta(Rule.Meta):
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"


class SlaTarget(models.Model):
    """How long one metric may take under a policy, on which calendar, paused by what."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    pause_statuses = ArrayField(
        models.CharField(max_length=16, choices=TicketStatus.choices),
        default=list, blank=True,
        help_text="Statuses that stop this clock; empty uses the default "
        "(pending pauses every clock, on hold pauses resolution only).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["policy", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric"], name="sla_target_once"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values),
                                   name="sla_target_metric_known"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="sla_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.minutes} min"


class SlaWarningLevel(models.Model):
    """At this share of a target, tell these people; 100 % is the breach."""

    percent = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(BREACH_PERCENT)]
    )
    recipients = ArrayField(models.CharField(max_length=16, choices=Recipient.choices))
    enabled = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["percent"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=BREACH_PERCENT),
                name="sla_level_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return "breach" if self.is_breach else f"{self.percent} %"

    @property
    def is_breach(self) -> bool:
        return self.percent >= BREACH_PERCENT
