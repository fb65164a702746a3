from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from escalation.notifications.choices import HTTP_KINDS, ChannelKind, DeliveryState
from tickets.models import Team, Ticket
from tickets.models.base import TimeStampedModel


class NotificationChannel(TimeStampedModel):
    """
    A way out of the desk, configured in admin: email, a chat webhook or an SMS provider.

    Email and SMS go to each recipient who has the channel on (default_on, or a preference);
    a webhook posts once per notification to its room. `teams` narrows a channel to members
    of those teams, `kinds` to those notification kinds; empty means no narrowing.
    """

    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    name = models.CharField(max_length=100, unique=True)
    enabled = models.BooleanField(default=True)
    default_on = models.BooleanField(
        default=False,
        help_text="Recipients get it unless they opt out (email). Otherwise they opt in.",
    )
    url = models.URLField(
        max_length=500, blank=True, help_text="Webhook or SMS provider endpoint (http or https)."
    )
    secret = models.CharField(
        max_length=200, blank=True, help_text="Sent as 'Authorization: Bearer <secret>'."
    )
    allow_private_address = models.BooleanField(
        default=False,
        help_text="Allow a URL on a private, loopback or link-local address. Only for a "
        "receiver you run inside your own network.",
    )
    kinds = ArrayField(
        models.CharField(max_length=32), default=list, blank=True,
        help_text="Notification kinds this channel carries, e.g. escalation, digest; "
        "empty for every kind.",
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="notification_channels",
        help_text="Only members of these teams; empty for everyone.",
    )
    # The history keeps who changed what, not the token: a reader of the history page or of
    # a database dump must not learn it.
    history = HistoricalRecords(m2m_fields=[teams], excluded_fields=["secret"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ChannelKind.values), name="notification_channel_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(kind=ChannelKind.EMAIL) | ~Q(url=""),
                name="notification_channel_http_has_url",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        from tickets.safe_http import UnsafeUrl, check_url

        if self.kind not in HTTP_KINDS:
            return
        if not self.url:
            raise ValidationError({"url": "A webhook or SMS channel needs a URL."})
        try:
            check_url(self.url, allow_private=self.allow_private_address)
        except UnsafeUrl as error:
            raise ValidationError({"url": str(error)}) from error


class ChannelPreference(TimeStampedModel):
    """One person's choice for one channel, and their address on it (a phone number for SMS)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences"
    )
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.CASCADE, related_name="preferences"
    )
    enabled = models.BooleanField(default=True)
    address = models.CharField(
        max_length=254, blank=True,
        help_text="Phone number for SMS; for email, an address other than the account's.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="channel_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.channel}: {'on' if self.enabled else 'off'}"


class Notification(models.Model):
    """
    One message to one person; the row is also its in-app delivery (the bell reads it).

    `dedupe_key` names the occurrence ("sla:42:90", "digest:2026-11-22"): the same key for the
    same person is stored once, so a repeated notify() changes nothing.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["kind", "created_at"], name="notification_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} -> {self.recipient}"


class Delivery(models.Model):
    """
    One notification through one channel; the row is the claim that makes it go out once.

    queued -> sending (claimed by a conditional UPDATE) -> sent, or back to queued for a
    retry, or failed when retries are spent or the failure is permanent.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Email address or phone number; a webhook posts to its channel's URL.
    address = models.CharField(max_length=254, blank=True)
    # The notify() call's dedupe_key on room channels: one post per occurrence, whoever reads it.
    broadcast_key = models.CharField(max_length=200, null=True, blank=True)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            ),
            models.UniqueConstraint(
                fields=["channel", "broadcast_key"], name="delivery_broadcast_once"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="delivery_state_known"
            ),
        ]
        indexes = [
            # The stuck-delivery sweep reads only unfinished rows.
            models.Index(
                fields=["updated_at"],
                condition=Q(state__in=[DeliveryState.QUEUED, DeliveryState.SENDING]),
                name="delivery_unfinished",
            ),
            models.Index(fields=["state", "-created_at"], name="delivery_state_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} for notification {self.notification_id}: {self.state}"
