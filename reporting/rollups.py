"""
Daily rollups of the metrics rows: what each rollup column counts, and the set-based refresh.

Grain: day of creation x team x priority x channel x tier x category, the filters of every
dashboard plus the one extra group-by (category) that volume needs. Every column is a count
or a sum, so any range of days, any filter and any of those group-bys add up exactly, and a
metric built from them equals the same metric over the raw rows (tests/reporting prove it).

Percentiles (median and p90 times, median time to acknowledge) do not add up. We keep them on
the raw rows: a 30-day range is about 100,000 rows, and the covering index on created_at lets
PostgreSQL read them from the index alone, exact to the second (bucketed histograms would be
exact only to the bucket).

A refresh recomputes the days whose metrics rows changed (updated_at) or were deleted with
their ticket: a database trigger notes each deleted row in reporting_deletedmetrics, whatever
deleted it, and the refresh consumes those notes.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from reporting.filters import start_of
from reporting.models import RollupCoverage, TicketMetrics
from reporting.selectors.parts import GRAIN, PARTS, alias

# The beat task's look-back for rows changed while a previous refresh was committing.
CHANGE_MARGIN = timedelta(minutes=10)


def _day_sums(first: date, last: date) -> tuple[str, list]:
    """SELECT of one rollup row per cell of the given days, in the table's column order."""
    rows = (TicketMetrics.objects
            .filter(created_at__gte=start_of(first), created_at__lt=start_of(last + timedelta(1)))
            .annotate(day=TruncDate("created_at")).values("day", *GRAIN)
            .annotate(**{alias(name): _zero_if_none(expr) for name, expr in PARTS.items()})
            .order_by())
    return rows.query.sql_with_params()


def _zero_if_none(expression: object) -> object:
    from django.db.models.functions import Coalesce

    return Coalesce(expression, 0)


def refresh_days(first: date, last: date) -> int:
    """
    Recompute the rollup rows of days first..last from the metrics rows (upsert every cell,
    then drop the cells no ticket is in any more); idempotent. Return the cells written.
    """
    columns = ", ".join(["day", *GRAIN, *PARTS])
    selected = ", ".join(["day", *GRAIN, *map(alias, PARTS)])
    select, params = _day_sums(first, last)
    stamp = timezone.now()
    keys = ", ".join(["day", *GRAIN])
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in [*PARTS, "refreshed_at"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO reporting_dailyrollup ({columns}, refreshed_at) "
            f"SELECT {selected}, %s FROM ({select}) AS cells "
            f"ON CONFLICT ({keys}) DO UPDATE SET {updates}", [stamp, *params])
        written = cursor.rowcount
        # Every cell the upsert wrote carries this run's stamp; older ones hold no ticket now.
        cursor.execute("DELETE FROM reporting_dailyrollup WHERE day BETWEEN %s AND %s"
                       " AND refreshed_at < %s", [first, last, stamp])
    return written


def _changed_days(since: object) -> list[date]:
    return list(TicketMetrics.objects.filter(updated_at__gte=since)
                .annotate(day=TruncDate("created_at")).values_list("day", flat=True)
                .distinct().order_by("day"))


def _take_deleted_days() -> set[date]:
    """
    Consume the tombstones the deletion trigger wrote (migration 0005); return the days of
    creation of their tickets. Within the caller's transaction: a failed refresh puts them back.
    """
    with connection.cursor() as cursor:
        # Same day boundaries as TruncDate, which the rollup's day column comes from.
        cursor.execute("WITH gone AS (DELETE FROM reporting_deletedmetrics RETURNING created_at)"
                       " SELECT DISTINCT (created_at AT TIME ZONE %s)::date FROM gone",
                       [timezone.get_current_timezone_name()])
        return {day for (day,) in cursor.fetchall()}


def _ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) ranges, so each range is one statement."""
    ranges: list[tuple[date, date]] = []
    for day in days:
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def backfill_rollups(*, chunk_days: int = 31) -> int:
    """Build the rollup of every whole past day, a month per statement; set its coverage."""
    began = timezone.now()
    yesterday = timezone.localdate(began) - timedelta(days=1)
    oldest = TicketMetrics.objects.order_by("created_at").values_list("created_at", flat=True)
    first_created = oldest.first()
    first = timezone.localdate(first_created) if first_created else yesterday
    written, day = 0, first
    while day <= yesterday:
        last = min(day + timedelta(days=chunk_days - 1), yesterday)
        written += refresh_days(day, last)
        day = last + timedelta(days=1)
    RollupCoverage.objects.update_or_create(
        pk=1, defaults={"first_day": first, "last_day": yesterday, "refreshed_at": began})
    return written


def refresh_recent_rollups() -> dict[str, int]:
    """
    The beat task's work: roll up the whole days since the last run, and recompute the days
    whose metrics rows changed or were deleted since then (a ticket solved today changes the
    day it was created). Builds everything the first time. Idempotent; concurrent runs queue
    on the lock.
    """
    began = timezone.now()
    yesterday = timezone.localdate(began) - timedelta(days=1)
    with transaction.atomic():
        coverage = RollupCoverage.objects.select_for_update().filter(pk=1).first()
        # Read before the recompute, so a deletion noted here is already gone from its rows.
        deleted = _take_deleted_days()
        if coverage is None:
            return {"cells": backfill_rollups(), "ranges": -1}
        changed = _changed_days(coverage.refreshed_at - CHANGE_MARGIN)
        days = {d for d in {*changed, *deleted} if coverage.first_day <= d <= yesterday}
        day = coverage.last_day + timedelta(days=1)
        while day <= yesterday:
            days.add(day)
            day += timedelta(days=1)
        ranges = _ranges(sorted(days))
        cells = sum(refresh_days(first, last) for first, last in ranges)
        coverage.last_day = max(coverage.last_day, yesterday)
        coverage.refreshed_at = began
        coverage.save(update_fields=["last_day", "refreshed_at"])
    return {"cells": cells, "ranges": len(ranges)}
