from django.conf import settings
from django.db import models
from django.utils import timezone

from tickets.models import Ticket


class Follower(models.Model):
    """
    A user who follows a ticket and is told about its updates: the owner a transfer took it
    from follows it automatically; any agent who can see the ticket may follow or stop.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_tickets"
    )
    # Why the user follows (followed by hand, or handed the ticket to another team).
    reason = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="follower_once"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="follower_user_recent")]

    def __str__(self) -> str:
        return f"{self.user} follows ticket {self.ticket_id}"
