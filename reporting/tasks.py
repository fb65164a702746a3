"""Reporting's Celery tasks: thin, idempotent, ids and ranges in."""

from celery import shared_task


@shared_task(name="reporting.backfill_ticket_metrics", acks_late=True)
def backfill_ticket_metrics(first_id: int | None = None, last_id: int | None = None) -> int:
    """Rebuild the metrics rows of a ticket id range (every ticket without one)."""
    from reporting.backfill import backfill_all, backfill_range

    if first_id is None or last_id is None:
        return backfill_all()
    return backfill_range(first_id=first_id, last_id=last_id)


@shared_task(name="reporting.refresh_rollups", acks_late=True)
def refresh_rollups() -> dict[str, int]:
    """Bring the daily rollups up to yesterday and recompute the days whose rows changed."""
    from reporting.rollups import refresh_recent_rollups

    return refresh_recent_rollups()
