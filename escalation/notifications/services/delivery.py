"""
Sending one delivery at most once, and picking up deliveries whose worker died.

A delivery is claimed by a conditional UPDATE (queued -> sending) that commits before the
receiver is contacted: a duplicate task, a redelivered message or a second worker finds the
row already claimed and sends nothing. A failure puts the row back to queued (the task
retries with backoff) or marks it failed when retries are spent or retrying cannot help.
"""

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F

from escalation.notifications.channels import channel_for
from escalation.notifications.choices import DeliveryState
from escalation.notifications.exceptions import DeliveryFailed, PermanentDeliveryError
from escalation.notifications.models import Delivery
from escalation.notifications.services.notify import enqueue_deliveries

# Longer than a task's time limit and the longest retry backoff, so a row this old in
# queued or sending has lost its task (worker killed, broker restarted).
STUCK_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 7
SWEEP_BATCH = 500  # bounds the lock time; the task continues while batches come back full
UNFINISHED = (DeliveryState.QUEUED, DeliveryState.SENDING)


def deliver(*, delivery_id: int, now: datetime, final_attempt: bool) -> bool:
    """Send one queued delivery; return whether this call sent it. Raise DeliveryFailed."""
    delivery = _claim(delivery_id, now=now)
    if delivery is None:
        return False
    try:
        if not delivery.channel.enabled:
            raise PermanentDeliveryError("The channel was disabled before it could be sent.")
        channel_for(delivery.channel.kind).send(delivery)
    except PermanentDeliveryError as error:
        _record_failure(delivery, error, now=now, final=True)
        return False
    except Exception as error:
        _record_failure(delivery, error, now=now, final=final_attempt)
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
        state=DeliveryState.SENT, sent_at=now, updated_at=now
    )
    return True


def _claim(delivery_id: int, *, now: datetime) -> Delivery | None:
    claimed = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.QUEUED).update(
        state=DeliveryState.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("notification", "channel").get(pk=delivery_id)


def _record_failure(delivery: Delivery, error: Exception, *, now: datetime, final: bool) -> None:
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
        state=DeliveryState.FAILED if final else DeliveryState.QUEUED,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        updated_at=now,
    )


@transaction.atomic
def requeue_stuck_deliveries(*, now: datetime) -> int:
    """
    Put deliveries stuck in queued or sending past STUCK_AFTER back on the queue; return
    how many rows were examined. Rows out of attempts are marked failed instead.

    A row stuck in sending may have reached its receiver before the worker died: that one
    may be sent twice, the price of not losing it.
    """
    rows = list(
        Delivery.objects.select_for_update(skip_locked=True)
        .filter(state__in=UNFINISHED, updated_at__lt=now - STUCK_AFTER)
        .order_by("updated_at")
        .values_list("pk", "attempts")[:SWEEP_BATCH]
    )
    spent = [pk for pk, attempts in rows if attempts >= MAX_ATTEMPTS]
    again = [pk for pk, attempts in rows if attempts < MAX_ATTEMPTS]
    if spent:
        Delivery.objects.filter(pk__in=spent).update(
            state=DeliveryState.FAILED, updated_at=now,
            last_error="Gave up: no attempt finished within the retry window.",
        )
    if again:
        Delivery.objects.filter(pk__in=again).update(state=DeliveryState.QUEUED, updated_at=now)
        transaction.on_commit(partial(enqueue_deliveries, again), robust=True)
    return len(rows)


def retry_deliveries(*, delivery_ids: list[int], now: datetime) -> int:
    """Queue failed deliveries again (an admin's retry); return how many were queued."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=delivery_ids, state=DeliveryState.FAILED)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.QUEUED, attempts=0, updated_at=now
        )
        transaction.on_commit(partial(enqueue_deliveries, ids), robust=True)
    return len(ids)
