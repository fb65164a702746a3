"""notify(): one Notification per person, one Delivery per channel they get, sent after commit."""

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from escalation.notifications.choices import BROADCAST_KINDS, ChannelKind
from escalation.notifications.models import (
    ChannelPreference,
    Delivery,
    Notification,
    NotificationChannel,
)
from tickets.choices import Tier
from tickets.models import Ticket


def ticket_url(ticket: Ticket) -> str:
    """Return the absolute link to the ticket's page in the agent workspace."""
    return settings.SITE_URL.rstrip("/") + reverse("tickets:ticket", args=[ticket.pk])


def load_links() -> None:
    """
    Load the URL patterns that ticket_url() reverses. The first reverse() in a process imports
    every view module (a second or more): a worker does it at start-up, not in its first
    message.
    """
    reverse("tickets:ticket", args=[1])


def _clock(moment: datetime, now: datetime) -> str:
    moment = moment.astimezone(UTC)
    if moment.date() == now.astimezone(UTC).date():
        return moment.strftime("%H:%M UTC")
    return moment.strftime("%d %b %H:%M UTC")


def _customer(ticket: Ticket) -> str:
    organization = ticket.organization
    if organization is not None:
        return f"{Tier(organization.tier).label} customer {organization.name}"
    requester = ticket.requester
    return f"customer {requester.name or requester.email}"


def escalation_line(
    *, ticket: Ticket, headline: str = "ESCALATION", since: datetime | None = None
) -> str:
    """
    Return the one line a person needs to act, e.g. "P1 ESCALATION: Production API down for
    Enterprise customer Acme Corp since 14:15 UTC. View ticket: https://desk/agent/tickets/7/".

    `since` defaults to the ticket's creation; times are UTC, since one line goes to people
    in several zones. Load the ticket with organization and requester to spare two queries.
    """
    since = since or ticket.created_at
    return (
        f"{ticket.priority} {headline}: {ticket.subject} for {_customer(ticket)} "
        f"since {_clock(since, timezone.now())}. View ticket: {ticket_url(ticket)}"
    )


def _distinct_active(recipients: Iterable[AbstractBaseUser]) -> list[AbstractBaseUser]:
    people = {user.pk: user for user in recipients if user.is_active}
    return list(people.values())


def _lock(dedupe_key: str) -> None:
    # Concurrent calls with one key wait for each other, so each sees what the other wrote
    # and the unique constraints are never raced into an IntegrityError.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"notify|{dedupe_key}"]
        )


def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    subject: str,
    body: str,
    ticket: Ticket | None = None,
    kind: str,
    dedupe_key: str,
) -> None:
    """
    Tell each recipient once per `dedupe_key`: in-app, and on every channel they get.

    A recipient who already has a notification with this key is skipped, so calling again
    (a retried task, a second sweep) sends nothing twice. Deliveries are enqueued only when
    the caller's transaction commits. `body` should carry the essentials (escalation_line).
    """
    people = _distinct_active(recipients)
    if not people:
        return
    one_line = " ".join(subject.split())  # a line break in a mail subject is refused
    with transaction.atomic():
        _lock(dedupe_key)
        told = set(
            Notification.objects.filter(
                dedupe_key=dedupe_key, recipient_id__in=[p.pk for p in people]
            ).values_list("recipient_id", flat=True)
        )
        now = timezone.now()
        notifications = Notification.objects.bulk_create([
            Notification(recipient=person, kind=kind, subject=one_line[:255], body=body,
                         ticket=ticket, dedupe_key=dedupe_key, created_at=now)
            for person in people if person.pk not in told
        ])
        if not notifications:
            return
        deliveries = Delivery.objects.bulk_create(
            _plan_deliveries(notifications, kind=kind, dedupe_key=dedupe_key, now=now)
        )
        if deliveries:
            # robust: a broker outage must not fail the caller's committed work; the rows stay
            # queued and requeue_stuck_deliveries sends them later.
            transaction.on_commit(partial(enqueue_deliveries, [d.pk for d in deliveries]),
                                  robust=True)


def enqueue_deliveries(delivery_ids: list[int]) -> None:
    from escalation.notifications.tasks import deliver as deliver_task

    for delivery_id in delivery_ids:
        deliver_task.delay(delivery_id)


def _plan_deliveries(
    notifications: list[Notification], *, kind: str, dedupe_key: str, now: datetime
) -> list[Delivery]:
    channels = [
        channel for channel in NotificationChannel.objects.filter(enabled=True).order_by("pk")
        if not channel.kinds or kind in channel.kinds
    ]
    if not channels:
        return []
    channel_ids = [c.pk for c in channels]
    recipient_ids = [n.recipient_id for n in notifications]
    narrowed = set(
        NotificationChannel.teams.through.objects.filter(
            notificationchannel_id__in=channel_ids
        ).values_list("notificationchannel_id", flat=True)
    )
    members = set(
        NotificationChannel.objects.filter(
            pk__in=narrowed, teams__members__in=recipient_ids
        ).values_list("pk", "teams__members")
    ) if narrowed else set()
    preferences = {
        (p.user_id, p.channel_id): p
        for p in ChannelPreference.objects.filter(
            user_id__in=recipient_ids, channel_id__in=channel_ids
        )
    }
    posted = set(
        Delivery.objects.filter(broadcast_key=dedupe_key, channel_id__in=channel_ids)
        .values_list("channel_id", flat=True)
    )
    planned: list[Delivery] = []
    for channel in channels:
        reached = [
            n for n in notifications
            if channel.pk not in narrowed or (channel.pk, n.recipient_id) in members
        ]
        if channel.kind in BROADCAST_KINDS:
            if reached and channel.pk not in posted:
                planned.append(Delivery(notification=reached[0], channel=channel,
                                        broadcast_key=dedupe_key, created_at=now,
                                        updated_at=now))
            continue
        for notification in reached:
            address = _personal_address(channel, notification, preferences)
            if address:
                planned.append(Delivery(notification=notification, channel=channel,
                                        address=address, created_at=now, updated_at=now))
    return planned


def _personal_address(
    channel: NotificationChannel,
    notification: Notification,
    preferences: dict[tuple[int, int], ChannelPreference],
) -> str:
    """Return where this person gets this channel, or "" when they do not get it."""
    preference = preferences.get((notification.recipient_id, channel.pk))
    wanted = preference.enabled if preference is not None else channel.default_on
    if not wanted:
        return ""
    if preference is not None and preference.address:
        return preference.address
    if channel.kind == ChannelKind.EMAIL:
        return notification.recipient.email
    return ""  # SMS needs a number the person gave
