"""Thin Celery tasks: ids in, a service called. Names are pinned; callers add _task."""

from celery import Task, shared_task
from celery.signals import worker_init
from django.utils import timezone

from escalation.notifications.exceptions import DeliveryFailed

DELIVERY_MAX_RETRIES = 6  # with backoff 1, 2, 4 ... 64 s (jittered), about two minutes in all


@worker_init.connect
def load_links(**_signal: object) -> None:
    # In the parent, before the pool forks: every child starts with the patterns loaded.
    from escalation.notifications.services.notify import load_links as load

    load()


@shared_task(
    bind=True, name="notifications.deliver", acks_late=True, time_limit=60, soft_time_limit=45,
    autoretry_for=(DeliveryFailed,), retry_backoff=True,
    retry_backoff_max=600, retry_jitter=True, max_retries=DELIVERY_MAX_RETRIES,
)
def deliver(self: Task, delivery_id: int) -> None:
    from escalation.notifications.services.delivery import deliver as deliver_service

    deliver_service(delivery_id=delivery_id, now=timezone.now(),
                    final_attempt=self.request.retries >= self.max_retries)


@shared_task(name="notifications.requeue_stuck_deliveries", time_limit=60, soft_time_limit=45)
def requeue_stuck_deliveries() -> None:
    from escalation.notifications.services.delivery import SWEEP_BATCH
    from escalation.notifications.services.delivery import requeue_stuck_deliveries as requeue

    if requeue(now=timezone.now()) == SWEEP_BATCH:
        requeue_stuck_deliveries.delay()


@shared_task(name="notifications.send_manager_digest", acks_late=True, time_limit=120,
             soft_time_limit=90)
def send_manager_digest() -> None:
    from escalation.notifications.services.summaries import send_manager_digest as send

    send(now=timezone.now())


@shared_task(name="notifications.check_escalation_rate", acks_late=True, time_limit=60,
             soft_time_limit=45)
def check_escalation_rate() -> None:
    from escalation.notifications.services.summaries import check_escalation_rate as check

    check(now=timezone.now())
