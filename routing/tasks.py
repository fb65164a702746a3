"""Thin Celery tasks: load ids, call a service. Names are pinned; callers add _task."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone


@shared_task(name="routing.reroute_agent_tickets", acks_late=True, time_limit=120,
             soft_time_limit=90)
def reroute_agent_tickets(agent_id: int, reason_code: str, team_id: int | None = None) -> None:
    from routing.services.reroute import REROUTE_BATCH, reroute_unanswered_tickets

    examined = reroute_unanswered_tickets(agent_id=agent_id, reason_code=reason_code,
                                          team_id=team_id)
    if examined == REROUTE_BATCH:
        reroute_agent_tickets.delay(agent_id, reason_code, team_id)


@shared_task(name="routing.sweep_presence", time_limit=60, soft_time_limit=45)
def sweep_presence() -> None:
    from routing.services.presence import (
        SWEEP_BATCH,
        enqueue_orphaned_reroutes,
        expire_idle_presence,
    )

    expired = expire_idle_presence(now=timezone.now())
    with transaction.atomic():
        enqueue_orphaned_reroutes()
    if len(expired) == SWEEP_BATCH:
        sweep_presence.delay()


@shared_task(name="routing.recount_agent_loads", acks_late=True, time_limit=600,
             soft_time_limit=540)
def recount_agent_loads() -> None:
    from routing.services.loads import recount_agent_loads as recount

    recount()
