"""
How a delivery leaves the desk: one small class per channel kind behind one interface.

`send(delivery)` returns when the receiver accepted the message and raises otherwise;
PermanentDeliveryError means retrying cannot help. In-app needs no class: the Notification
row is what the bell reads.
"""

from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from escalation.notifications.choices import ChannelKind
from escalation.notifications.exceptions import PermanentDeliveryError
from escalation.notifications.models import Delivery
from tickets.safe_http import HttpStatusError, UnsafeUrl, post_json

# Providers cut longer SMS into several billed parts; the link matters more than the tail.
SMS_MAX_CHARS = 320


class Channel(Protocol):
    def send(self, delivery: Delivery) -> None: ...


class EmailChannel:
    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers={"Auto-Submitted": "auto-generated"},
        ).send(fail_silently=False)


def _post(delivery: Delivery, payload: dict[str, str]) -> None:
    channel = delivery.channel
    try:
        post_json(channel.url, payload, allow_private=channel.allow_private_address,
                  secret=channel.secret)
    except UnsafeUrl as error:
        raise PermanentDeliveryError(str(error)) from error
    except HttpStatusError as error:
        if error.permanent:
            raise PermanentDeliveryError(str(error)) from error
        raise


class WebhookChannel:
    """A Slack-style incoming webhook: POST {"text": ...}."""

    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        _post(delivery, {"text": f"{notification.subject}\n{notification.body}"})


class SmsChannel:
    """An SMS provider's HTTP API: POST {"to": phone, "message": text}."""

    def send(self, delivery: Delivery) -> None:
        message = delivery.notification.body
        if len(message) > SMS_MAX_CHARS:
            message = message[: SMS_MAX_CHARS - 1] + "…"
        _post(delivery, {"to": delivery.address, "message": message})


CHANNELS: dict[str, Channel] = {
    ChannelKind.EMAIL: EmailChannel(),
    ChannelKind.WEBHOOK: WebhookChannel(),
    ChannelKind.SMS: SmsChannel(),
}


def channel_for(kind: str) -> Channel:
    return CHANNELS[kind]
