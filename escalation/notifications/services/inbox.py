"""The in-app side: marking a person's notifications read."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser

from escalation.notifications.models import Notification


def mark_read(*, notification: Notification, now: datetime) -> Notification:
    """Mark one notification read; reading it again keeps the first time."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(*, recipient: AbstractBaseUser, now: datetime) -> int:
    """Mark every unread notification of the person read; return how many changed."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=now
    )
