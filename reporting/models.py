"""
The per-ticket metrics row that every dashboard aggregates, and the daily rollup of it.

Reporting only reads the system of record: these rows are derived data, rebuilt at will by
`manage.py backfill_ticket_metrics`, and kept current by reporting.handlers in between.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from tickets.choices import UNSOLVED, Channel, Priority, TicketStatus, Tier
from tickets.models import Ticket


class TicketMetrics(models.Model):
    """
    One row per ticket: its filter dimensions copied from the ticket (so a dashboard is a
    single-table aggregate) and its measures, updated by lifecycle events as they happen.
    Durations are whole seconds; business durations stay NULL until a business calendar
    (escalation's SLA timers) is there to measure them.
    """

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="metrics"
    )
    # Dimensions (filters and group-bys).
    created_at = models.DateTimeField()
    team_id = models.BigIntegerField(null=True, blank=True)
    assignee_id = models.BigIntegerField(null=True, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.API)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    category = models.CharField(max_length=50, blank=True)
    # The customer came back on a closed ticket's issue (Ticket.follows_up).
    is_follow_up = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=TicketStatus.choices)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    # First response.
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    # Next responses: agent replies that answer a customer message after the first response.
    awaiting_reply_since = models.DateTimeField(null=True, blank=True)
    next_responses = models.PositiveIntegerField(default=0)
    next_response_seconds_total = models.PositiveBigIntegerField(default=0)
    # Resolution (of the last solve; a reopen clears it until the ticket is solved again).
    solved_at = models.DateTimeField(null=True, blank=True)
    last_solved_at = models.DateTimeField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_business_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_breached = models.BooleanField(default=False)
    # Conversation.
    agent_replies = models.PositiveIntegerField(default=0)
    customer_messages = models.PositiveIntegerField(default=1)
    agent_replies_at_solve = models.PositiveIntegerField(null=True, blank=True)
    # Follow-up.
    reopens = models.PositiveIntegerField(default=0)
    reopened_within_7d = models.BooleanField(default=False)
    csat_score = models.PositiveSmallIntegerField(null=True, blank=True)
    nps_score = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    # Ownership.
    assignee_hops = models.PositiveIntegerField(default=0)
    team_hops = models.PositiveIntegerField(default=0)
    owner_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    handoffs_requested = models.PositiveIntegerField(default=0)
    handoffs_rejected = models.PositiveIntegerField(default=0)
    handoff_pending_seconds = models.PositiveBigIntegerField(default=0)
    handoff_requested_at = models.DateTimeField(null=True, blank=True)
    # Escalation.
    escalations = models.PositiveIntegerField(default=0)
    de_escalations = models.PositiveIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_trigger = models.CharField(max_length=64, blank=True)
    escalation_policy = models.CharField(max_length=200, blank=True)
    acknowledge_seconds = models.PositiveIntegerField(null=True, blank=True)
    sla_breaches = models.PositiveIntegerField(default=0)
    # Triage: what the machine decided first, against the final category above.
    triage_category = models.CharField(max_length=50, blank=True)
    triage_source = models.CharField(max_length=16, blank=True)
    triage_review = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "ticket metrics"
        indexes = [
            # Every dashboard filters on a created-at range first, then on one dimension.
            models.Index(fields=["created_at"], name="metrics_created"),
            models.Index(fields=["team_id", "created_at"], name="metrics_team_created"),
            models.Index(fields=["assignee_id", "created_at"], name="metrics_agent_created"),
            models.Index(fields=["priority", "created_at"], name="metrics_priority_created"),
            models.Index(fields=["channel", "created_at"], name="metrics_channel_created"),
            models.Index(fields=["tier", "created_at"], name="metrics_tier_created"),
            models.Index(fields=["solved_at"], name="metrics_solved",
                         condition=models.Q(solved_at__isnull=False)),
            # "Breaches now" and the backlog read only the open rows, whatever their age.
            # Covering, so "now" figures count open rows from the index alone.
            models.Index(fields=["team_id", "status", "sla_due_at"], name="metrics_open_now",
                         include=["assignee_id", "created_at", "priority", "channel", "tier"],
                         condition=models.Q(status__in=sorted(UNSOLVED))),
        ]

    def __str__(self) -> str:
        return f"metrics of ticket {self.ticket_id}"

    @property
    def owners(self) -> int:
        return len(self.owner_ids)
