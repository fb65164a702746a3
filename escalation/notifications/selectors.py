"""Reads of the in-app inbox; every lookup is scoped to its recipient."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from escalation.notifications.models import Notification


def inbox(*, recipient: AbstractBaseUser) -> QuerySet[Notification]:
    """Return the person's notifications, newest first, with their tickets along."""
    return (
        Notification.objects.filter(recipient=recipient)
        .select_related("ticket")
        .order_by("-created_at", "-pk")
    )


# The bell says "99+" past this: counting further costs time and tells the person nothing.
UNREAD_CAP = 100


def unread_count(*, recipient: AbstractBaseUser) -> int:
    """Count the person's unread notifications, up to UNREAD_CAP (the cost stays bounded)."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True)[
        :UNREAD_CAP
    ].count()
