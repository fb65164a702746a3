from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from routing.choices import HandoffState
from tickets.models import Team, Ticket


class Handoff(models.Model):
    """A transfer of a ticket from one team to another, pending until accepted or rejected."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="handoffs")
    from_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="incoming_handoffs")
    # The owner when the transfer was asked for: a rejection comes back to them.
    from_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        max_length=16, choices=HandoffState.choices, default=HandoffState.PENDING
    )
    note = models.TextField(blank=True)
    customer_message = models.TextField(blank=True)
    rejection_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["to_team", "state"], name="handoff_team_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(state=HandoffState.PENDING),
                name="handoff_one_pending_per_ticket",
            ),
            models.CheckConstraint(
                condition=Q(state__in=HandoffState.values), name="handoff_state_known"
            ),
            models.CheckConstraint(
                condition=Q(state=HandoffState.PENDING) | Q(decided_at__isnull=False),
                name="handoff_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Ticket {self.ticket_id} to {self.to_team_id} ({self.state})"

    @property
    def wait_seconds(self) -> float | None:
        """Return how long the receiving team took to decide, for reporting."""
        if self.decided_at is None:
            return None
        return (self.decided_at - self.created_at).total_seconds()
