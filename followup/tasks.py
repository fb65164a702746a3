"""Thin Celery tasks of follow-up; names are pinned, callers add _task."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(name="followup.sweep", acks_late=True, time_limit=60, soft_time_limit=45)
def sweep_followups() -> int:
    """Claim one batch of due follow-ups (beat runs this every 60 s); continue while full."""
    from followup.services.sweep import sweep_due_steps

    result = sweep_due_steps()
    if result.full:
        sweep_followups.delay()
    return len(result.claimed)


@shared_task(name="followup.send_steps", acks_late=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def send_followup_steps(step_ids: list[int]) -> dict[int, str]:
    """Send claimed steps, each in its own transaction; a step already done is left alone."""
    from followup.services.sending import send_step

    return {step_id: send_step(step_id=step_id) for step_id in step_ids}
