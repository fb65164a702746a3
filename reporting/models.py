"""
The per-ticket metrics row that every dashboard aggregates, and the daily rollup of it.

Reporting only reads the system of record: these rows are derived data, rebuilt at will by
`manage.py backfill_ticket_metrics`, and kept current by reporting.handlers in between.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from tickets.choices import UNSOLVED, Channel, Priority, TicketStatus, Tier
from tickets.models import Ticket

# What every dashboard filters on besides the dates: covering indexes include them.
FILTERED = ["ticket_id", "team_id", "assignee_id", "priority", "channel", "tier"]


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
            # Covering: percentiles, hour of day and per-agent figures read only the index.
            models.Index(fields=["created_at"], name="metrics_created_covering",
                         include=["ticket_id", "team_id", "assignee_id", "priority", "channel",
                                  "tier", "solved_at", "first_response_seconds",
                                  "first_response_business_seconds", "resolution_seconds",
                                  "resolution_business_seconds", "agent_replies_at_solve",
                                  "csat_score"]),
            # The few rows the escalation, triage and comment tables read, from the index alone.
            models.Index(fields=["created_at"], name="metrics_escalated",
                         include=[*FILTERED, "escalation_policy", "escalation_trigger",
                                  "acknowledge_seconds"],
                         condition=models.Q(escalations__gt=0)),
            models.Index(fields=["created_at"], name="metrics_auto_triaged",
                         include=[*FILTERED, "triage_category", "category"],
                         condition=models.Q(triage_source__in=["rules", "classifier"])),
            models.Index(fields=["rated_at"], name="metrics_commented",
                         include=[*FILTERED, "created_at"],
                         condition=~models.Q(csat_comment="")),
            # The rollup refresh finds the days whose rows changed since its last run.
            models.Index(fields=["updated_at"], name="metrics_updated"),
            models.Index(fields=["team_id", "created_at"], name="metrics_team_created"),
            models.Index(fields=["assignee_id", "created_at"], name="metrics_agent_created"),
            models.Index(fields=["priority", "created_at"], name="metrics_priority_created"),
            models.Index(fields=["channel", "created_at"], name="metrics_channel_created"),
            models.Index(fields=["tier", "created_at"], name="metrics_tier_created"),
            models.Index(fields=["solved_at"], name="metrics_solved_covering",
                         include=["ticket_id", "team_id", "priority", "channel", "tier"],
                         condition=models.Q(solved_at__isnull=False)),
            # "Breaches now" and the backlog read only the open rows, whatever their age.
            # Covering, so "now" figures count open rows from the index alone.
            models.Index(fields=["team_id", "status", "sla_due_at"], name="metrics_open_now_ids",
                         include=["ticket_id", "assignee_id", "created_at", "priority",
                                  "channel", "tier"],
                         condition=models.Q(status__in=sorted(UNSOLVED))),
        ]

    def __str__(self) -> str:
        return f"metrics of ticket {self.ticket_id}"

    @property
    def owners(self) -> int:
        return len(self.owner_ids)


class DailyRollup(models.Model):
    """
    Additive sums of the metrics rows of one day of creation and one combination of the
    filter dimensions (plus category, which the volume dashboard groups by). Dashboards read
    these for whole covered days and the raw rows for the rest (today); every column is a
    count or a sum, so any date range, filter and group-by adds them up exactly. Percentiles
    do not add up: they stay on the raw rows (reporting.rollups says why).
    """

    day = models.DateField()
    team_id = models.BigIntegerField(null=True, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    category = models.CharField(max_length=50, blank=True)
    # Parts (reporting.rollups.PARTS defines each over the metrics rows).
    tickets = models.BigIntegerField(default=0)
    solved = models.BigIntegerField(default=0)
    answered = models.BigIntegerField(default=0)
    first_response_met = models.BigIntegerField(default=0)
    resolution_met = models.BigIntegerField(default=0)
    next_responses = models.BigIntegerField(default=0)
    next_response_seconds = models.BigIntegerField(default=0)
    escalated = models.BigIntegerField(default=0)
    de_escalated = models.BigIntegerField(default=0)
    assignee_hops = models.BigIntegerField(default=0)
    team_hops = models.BigIntegerField(default=0)
    many_owners = models.BigIntegerField(default=0)
    handoffs_requested = models.BigIntegerField(default=0)
    handoffs_rejected = models.BigIntegerField(default=0)
    handoff_pending_seconds = models.BigIntegerField(default=0)
    ever_solved = models.BigIntegerField(default=0)
    reopened_within_7d = models.BigIntegerField(default=0)
    follow_ups = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    csat_total = models.BigIntegerField(default=0)
    satisfied = models.BigIntegerField(default=0)
    nps_rated = models.BigIntegerField(default=0)
    promoters = models.BigIntegerField(default=0)
    detractors = models.BigIntegerField(default=0)
    first_contact_resolved = models.BigIntegerField(default=0)
    auto_classified = models.BigIntegerField(default=0)
    auto_kept = models.BigIntegerField(default=0)
    triage_review = models.BigIntegerField(default=0)
    solved_with_replies = models.BigIntegerField(default=0)
    replies_at_solve_total = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "priority", "channel", "tier", "category"],
                name="rollup_one_row_per_cell", nulls_distinct=False),
        ]
        # The unique index starts with the day; a team filter over 90 days starts here.
        indexes = [models.Index(fields=["team_id", "day"], name="rollup_team_day")]

    def __str__(self) -> str:
        return f"rollup of {self.day} team {self.team_id} {self.priority}/{self.channel}"


class RollupCoverage(models.Model):
    """The days the rollup holds (one row): dashboards read raw rows outside them."""

    first_day = models.DateField()
    last_day = models.DateField()
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "rollup coverage"

    def __str__(self) -> str:
        return f"rollup {self.first_day} to {self.last_day}"


class DeletedMetrics(models.Model):
    """
    A metrics row deleted with its ticket (a shell session, a retention job, any cascade), kept
    until the next rollup refresh recomputes the day the ticket was created and consumes it. A
    database trigger (migration 0005) writes these rows: every deletion path runs it, the
    tickets app need not know reporting exists, and no signal is involved.
    """

    ticket_id = models.BigIntegerField()
    created_at = models.DateTimeField(help_text="When the deleted ticket was created.")
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deleted metrics"

    def __str__(self) -> str:
        return f"metrics of deleted ticket {self.ticket_id}"
