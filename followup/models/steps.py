from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from followup.choices import CheckInState, Step, StepState
from followup.models.rules import FollowupRule
from tickets.models import Contact, OutboundEmail, Ticket


class ScheduledStep(models.Model):
    """
    One follow-up email (or auto-close) due for a ticket. A row is unique per ticket, rule,
    step and the moment its clock started, so a ticket that goes pending twice is chased twice,
    but no sweep, retry or restart can make one step happen twice. Surveys have no rule.
    """

    # Every index costs each state change of a step; lookups by ticket use the unique
    # constraint's index (ticket first), and the other foreign keys are only read row by row.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followup_steps",
                               db_index=False)
    rule = models.ForeignKey(
        FollowupRule, null=True, blank=True, on_delete=models.PROTECT, related_name="steps",
        db_index=False,
    )
    step = models.CharField(max_length=16, choices=Step.choices)
    # The ticket must still be in this status, entered at status_since, when the step is due.
    scheduled_status = models.CharField(max_length=16)
    status_since = models.DateTimeField(null=True, blank=True)
    clock_start = models.DateTimeField()
    due_at = models.DateTimeField()
    # The requester at scheduling time, so the daily cap is counted without joining tickets.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+",
                                db_index=False)
    state = models.CharField(max_length=16, choices=StepState.choices, default=StepState.PENDING)
    reason = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=500, blank=True)
    outbound = models.ForeignKey(
        OutboundEmail, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state=StepState.PENDING),
                         name="followup_step_due"),
            models.Index(fields=["claimed_at"], condition=Q(state=StepState.CLAIMED),
                         name="followup_step_claimed"),
            # The daily cap: what a contact was sent in the last 24 hours.
            models.Index(fields=["contact", "processed_at"],
                         condition=Q(state__in=[StepState.CLAIMED, StepState.SENT]),
                         name="followup_step_contact_sent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "rule", "step", "clock_start"], nulls_distinct=False,
                name="followup_step_once",
            ),
            models.CheckConstraint(condition=Q(state__in=StepState.values),
                                   name="followup_step_state_known"),
            models.CheckConstraint(condition=Q(step=Step.SURVEY) | Q(rule__isnull=False),
                                   name="followup_step_rule_unless_survey"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} for {self.ticket_id} at {self.due_at:%Y-%m-%d %H:%M}"


class CheckIn(models.Model):
    """A task for a ticket's owner to check on a risky customer some days after solve."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checkins")
    rule = models.ForeignKey(FollowupRule, on_delete=models.PROTECT, related_name="checkins")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="followup_checkins",
    )
    due_at = models.DateTimeField()
    state = models.CharField(
        max_length=16, choices=CheckInState.choices, default=CheckInState.OPEN
    )
    instructions = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "due_at"], condition=Q(state=CheckInState.OPEN),
                         name="followup_checkin_owner_due"),
        ]
        constraints = [
            # Solving a reopened ticket again does not stack a second task on an open one.
            models.UniqueConstraint(fields=["ticket", "rule"], condition=Q(state="open"),
                                    name="followup_checkin_open_once"),
        ]

    def __str__(self) -> str:
        return f"Check-in on {self.ticket_id} due {self.due_at:%Y-%m-%d}"
