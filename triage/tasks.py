"""Thin Celery tasks for triage; names are pinned, callers add _task."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from celery import shared_task
from django.utils import timezone

from tickets.models import Ticket

STALE_BATCH: Final = 200


@shared_task(name="triage.after_triage", acks_late=True)
def after_triage(ticket_id: int, first_run: bool) -> int:
    """Work that need not hold up intake: first-message sentiment and similar tickets."""
    from triage.selectors import triage_settings
    from triage.services import score_first_message
    from triage.similar import find_similar_tickets as find

    ticket = Ticket.objects.filter(pk=ticket_id).defer("search_vector").first()
    if ticket is None:
        return 0
    if first_run:
        score_first_message(ticket=ticket)
    return len(find(ticket=ticket, days=triage_settings().similar_days))


@shared_task(name="triage.retrain_classifier", acks_late=True, time_limit=900,
             soft_time_limit=840)
def retrain_classifier() -> int | None:
    from triage.learning import retrain_classifier as retrain

    model = retrain()
    return model.pk if model else None


@shared_task(name="triage.release_stale_awaiting_info", acks_late=True, time_limit=60,
             soft_time_limit=45)
def release_stale_awaiting_info() -> int:
    from triage.selectors import stale_awaiting_info, triage_settings
    from triage.services import release_awaiting_info

    hours = triage_settings().awaiting_info_timeout_hours
    ids = stale_awaiting_info(before=timezone.now() - timedelta(hours=hours), limit=STALE_BATCH)
    for ticket_id in ids:
        release_awaiting_info(ticket_id=ticket_id, hours=hours)
    if len(ids) == STALE_BATCH:
        release_stale_awaiting_info.delay()
    return len(ids)


@shared_task(name="triage.enrich_account", acks_late=True, time_limit=60, soft_time_limit=45)
def enrich_account(hook_id: int, ticket_id: int) -> int | None:
    """Ask the account-enrichment hook about the ticket's organisation; return the call's id."""
    from triage.enrichment import enrich_account as enrich

    call = enrich(hook_id=hook_id, ticket_id=ticket_id)
    return call.pk if call else None
