"""Enumerations of notifications; the values are stored, the labels shown in admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Chat webhook (Slack-style incoming webhook)")
    SMS = "sms", _("SMS provider webhook")


# Channels addressed to a room rather than a person: one post per notify() call, not per user.
BROADCAST_KINDS = frozenset({ChannelKind.WEBHOOK})
# Channels that need a URL of their own and go through the address checks.
HTTP_KINDS = frozenset({ChannelKind.WEBHOOK, ChannelKind.SMS})


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationKind(models.TextChoices):
    """Kinds this app sends itself; callers may use any short slug of their own."""

    DIGEST = "digest", _("Manager digest")
    ANOMALY = "anomaly", _("Escalation rate alert")
