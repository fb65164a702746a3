from django.conf import settings
from django.db import models

from routing.choices import PRIORITIES

# The column that counts each priority's open tickets.
LOAD_COLUMNS = {priority: f"open_{priority.lower()}" for priority in PRIORITIES}


class AgentLoad(models.Model):
    """
    An agent's unsolved assigned tickets, counted by priority, so that routing reads one row
    per agent instead of counting the ticket table at every decision.

    Kept in the transaction of every change that moves a ticket in or out of an agent's load
    (routing.handlers.track_load, on the spine's lifecycle events); the hourly repair
    (routing.services.loads.recount_agent_loads) recounts from the tickets and corrects rows
    that writes outside the services left behind. Never edited by hand.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
        related_name="routing_load",
    )
    # Plain integers, never a check constraint: a row that drifted below zero must not make
    # an agent's reply or a status change fail; the repair sets it right.
    open_p1 = models.IntegerField(default=0, db_default=0)
    open_p2 = models.IntegerField(default=0, db_default=0)
    open_p3 = models.IntegerField(default=0, db_default=0)
    open_p4 = models.IntegerField(default=0, db_default=0)
    recounted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the repair last had to correct this row."
    )

    class Meta:
        verbose_name = "agent load"

    def __str__(self) -> str:
        return f"{self.user}: {self.open_total} open"

    @property
    def open_total(self) -> int:
        return sum(self.counts().values())

    def counts(self) -> dict[str, int]:
        """Return the open tickets by priority, {"P1": 2, ...}."""
        return {priority: getattr(self, column) for priority, column in LOAD_COLUMNS.items()}
