"""Celery tasks of escalation policies: thin, names pinned."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="escalations.sweep", acks_late=True, reject_on_worker_lost=True,
             time_limit=120, soft_time_limit=90)
def sweep() -> int:
    """
    Fire time-based policies on one batch, and run again while batches come back full.
    Idempotent: the sweep remembers what it saw and Escalation rows are unique per policy,
    so a redelivered run fires nothing twice.
    """
    from escalation.escalations.sweep import BATCH, sweep_escalations

    result = sweep_escalations(now=timezone.now(), limit=BATCH)
    if result.claimed == BATCH:
        sweep.delay()
    return len(result.fired)
