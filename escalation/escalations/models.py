"""Escalation policies (admin rules), one record per escalation, and per-ticket signals."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from escalation.escalations.choices import (
    DEFAULT_CUSTOMER_TEMPLATE,
    DEFAULT_NOTIFICATION_KIND,
    DeEscalateWhen,
    EscalationQuality,
    EscalationTrigger,
)
from tickets.choices import Priority
from tickets.models import OutboundEmail, Team, Ticket
from tickets.models.rules import Rule


def _default_de_escalation() -> list[str]:
    return [DeEscalateWhen.RESOLVED]


class EscalationPolicy(Rule):
    """When the condition holds for an unsolved ticket, escalate it once until de-escalated."""

    level = models.PositiveSmallIntegerField(
        default=1, help_text="1 is the first line of escalation; higher levels are more serious."
    )
    notify_assignee = models.BooleanField(default=True)
    notify_team_lead = models.BooleanField(default=True)
    notify_managers = models.BooleanField(default=False)
    notify_on_call = models.BooleanField(
        default=False, help_text="Whoever is on call for the ticket's team right now."
    )
    notify_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="Named people."
    )
    notification_kind = models.SlugField(
        max_length=32, default=DEFAULT_NOTIFICATION_KIND,
        help_text="Notification channels that carry this kind (email, chat, SMS) deliver it; "
        "give a kind of its own (e.g. escalation_p1) to reach an SMS channel only for this.",
    )
    set_priority = models.CharField(
        max_length=2, choices=Priority.choices, blank=True,
        help_text="Change the ticket's priority to this; empty leaves it.",
    )
    owner_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The accountable escalation team; the ticket moves to it.",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="The accountable person; an agent of the owner team.",
    )
    customer_update = models.BooleanField(
        default=False, help_text="Email the customer that the issue was escalated."
    )
    customer_template = models.TextField(
        default=DEFAULT_CUSTOMER_TEMPLATE,
        help_text="Placeholders: $owner, $within, $reference, $subject.",
    )
    promised_response_minutes = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="The $within of the customer update; empty uses the ticket's SLA due time.",
    )
    de_escalate_on = ArrayField(
        models.CharField(max_length=32, choices=DeEscalateWhen.choices),
        default=_default_de_escalation, blank=True,
        help_text="What ends the escalation; a lead or manager can always end it by hand.",
    )
    history = HistoricalRecords(m2m_fields=[notify_users])

    class Meta(Rule.Meta):
        verbose_name_plural = "escalation policies"

    def clean(self) -> None:
        super().clean()
        unknown = set(self.de_escalate_on) - set(DeEscalateWhen.values)
        if unknown:
            raise ValidationError({"de_escalate_on": f"Unknown: {', '.join(sorted(unknown))}"})
        if self.owner_user_id and self.owner_team_id and not self.owner_team.members.filter(
            pk=self.owner_user_id
        ).exists():
            raise ValidationError({"owner_user": "The owner must be a member of the owner team."})


class Escalation(models.Model):
    """One occurrence of an escalation: a policy firing on a ticket, or an agent's by hand."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    policy = models.ForeignKey(
        EscalationPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=16, choices=EscalationTrigger.choices)
    level = models.PositiveSmallIntegerField(default=1)
    reason = models.TextField()
    # The priority the escalation stands for: "priority lowered" compares against it.
    priority = models.CharField(max_length=2, choices=Priority.choices)
    de_escalate_on = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    notified = models.JSONField(
        default=list, blank=True, help_text="Who was told: [{id, name}]."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    de_escalated_at = models.DateTimeField(null=True, blank=True)
    de_escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    de_escalation_reason = models.TextField(blank=True)
    customer_update = models.ForeignKey(
        OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A policy fires once per ticket until that escalation ends; a second sweep or a
            # retried handler hits this row instead of escalating twice.
            models.UniqueConstraint(
                fields=["ticket", "policy"], condition=Q(de_escalated_at__isnull=True),
                name="escalation_once_per_policy",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(de_escalated_at__isnull=True),
                         name="escalation_open_recent"),
            models.Index(fields=["de_escalated_at"], condition=Q(de_escalated_at__isnull=False),
                         name="escalation_ended_recent"),
            models.Index(fields=["ticket", "created_at"], name="escalation_ticket_time"),
        ]

    def __str__(self) -> str:
        return f"L{self.level} escalation of ticket {self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.de_escalated_at is None


class EscalationLabel(models.Model):
    """
    A lead's or manager's judgement of one escalation: necessary, premature or late. One per
    escalation, changeable; every version (who, when, what) stays in its history.
    """

    escalation = models.OneToOneField(
        Escalation, primary_key=True, on_delete=models.CASCADE, related_name="label"
    )
    quality = models.CharField(max_length=16, choices=EscalationQuality.choices)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    labelled_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["quality"], name="escalation_label_quality")]

    def __str__(self) -> str:
        return f"{self.get_quality_display()} escalation {self.escalation_id}"


class TicketSignals(models.Model):
    """
    What escalation facts need beyond the ticket row, kept up to date by the intake stage and
    lifecycle handlers, so evaluating a policy costs no query: the customer's latest message
    (words, sentiment, a request for a human), the previous sentiment, the last reopening.
    """

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="escalation_signals"
    )
    last_customer_words = models.TextField(blank=True)
    human_requested = models.BooleanField(default=False)
    sentiment_latest = models.FloatField(null=True, blank=True)
    sentiment_previous = models.FloatField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "ticket signals"

    def __str__(self) -> str:
        return f"signals of ticket {self.ticket_id}"


class SweepMark(models.Model):
    """What the sweep last saw of a ticket's SLA, so it evaluates a ticket once per state."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="escalation_sweep_mark"
    )
    sla_state = models.CharField(max_length=16)
    sla_due_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.sla_state} at {self.sla_due_at} for ticket {self.ticket_id}"
