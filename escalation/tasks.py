"""Celery tasks of the escalation app: thin, ids in, services do the work; names pinned."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="escalation.sweep_sla", acks_late=True, reject_on_worker_lost=True,
             time_limit=120, soft_time_limit=90)
def sweep_sla() -> None:
    """Breach, warn and re-tell; idempotent, so a redelivered run changes nothing twice."""
    from escalation.services.sweep import sweep_sla as sweep

    if sweep(now=timezone.now()).full:
        sweep_sla.delay()


@shared_task(name="escalation.predict_breaches", acks_late=True, reject_on_worker_lost=True,
             time_limit=120, soft_time_limit=90)
def predict_breaches() -> None:
    """
    Raise likely breaches once each, and tell again those whose telling was lost;
    idempotent (a marked clock is never raised again, a told one never retold).
    """
    from escalation.services.predictions import (
        raise_likely_breaches,
        retell_untold_predictions,
    )
    from escalation.services.sweep import batch_size

    now = timezone.now()
    retell_untold_predictions(now=now, limit=batch_size())
    if len(raise_likely_breaches(now=now, limit=batch_size())) == batch_size():
        predict_breaches.delay()


@shared_task(name="escalation.notify_sla_warnings", acks_late=True,
             reject_on_worker_lost=True, time_limit=120, soft_time_limit=90)
def notify_sla_warnings(warning_ids: list[int]) -> None:
    from escalation.services.alerts import tell_warnings

    tell_warnings(warning_ids=warning_ids)


@shared_task(name="escalation.recompute_open_tickets", acks_late=True,
             reject_on_worker_lost=True, time_limit=600, soft_time_limit=540)
def recompute_open_tickets(after_id: int = 0) -> None:
    """Apply edited policies and calendars to open tickets, a chunk per run, then continue."""
    from escalation.services.recompute import recompute_chunk

    last = recompute_chunk(after_id=after_id)
    if last is not None:
        recompute_open_tickets.delay(last)


@shared_task(name="escalation.notify_likely_breaches", acks_late=True,
             reject_on_worker_lost=True, time_limit=120, soft_time_limit=90)
def notify_likely_breaches(timer_ids: list[int]) -> None:
    from escalation.services.alerts import tell_likely_breaches

    tell_likely_breaches(timer_ids=timer_ids)


# Not redelivered after a lost worker: a handler (an escalation policy) may notify and is not
# known to be idempotent; the escalation sweep evaluates time-based conditions anyway.
@shared_task(name="escalation.run_event_handlers", acks_late=True,
             reject_on_worker_lost=False, time_limit=120, soft_time_limit=90)
def run_event_handlers(event_ids: list[int]) -> None:
    """Run the lifecycle handlers of the events the sweep wrote in bulk."""
    from escalation.services.events import run_event_handlers as run

    run(event_ids=event_ids)
