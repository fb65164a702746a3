"""
The beat task `reporting.refresh_rollups` in a real Celery worker process: the cells it
writes equal the raw rows, its coverage is recorded, and a second run changes nothing.
"""

from collections.abc import Iterator
from datetime import date, timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from escalation.seeds import seed_sla_defaults
from helpdesk.celery import app
from reporting.models import DailyRollup, RollupCoverage, TicketMetrics
from reporting.tasks import refresh_rollups
from tests.escalation.worker import Worker
from tests.reporting.cells import raw_cells, rolled_cells
from tests.tickets.factories import TicketFactory
from tests.tickets.mail.worker import wait_until, worker_env
from tickets.choices import EventKind
from tickets.events import record_event
from tickets.roles import seed_roles_and_categories

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True),
              pytest.mark.timeout(300)]
DAY_ONE = date(2026, 3, 2)  # the hand-built desk's first day (tests/reporting/conftest.py)


@pytest.fixture
def worker(transactional_db, tmp_path) -> Iterator[Worker]:
    """A worker on this test's database and broker, started once the data is in."""
    started = Worker(tmp_path / "worker.log", worker_env())
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def seeded_defaults(transactional_db) -> None:
    """Put back what migrations seeded and an earlier transactional test's flush removed."""
    seed_roles_and_categories(apps)
    seed_sla_defaults(apps)
    import_module("followup.migrations.0002_seed_defaults").seed(apps, None)


def created_ago(days: int, **fields: object) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        ticket = TicketFactory(**fields)
        record_event(ticket=ticket, kind=EventKind.CREATED, actor=None,
                     after={"status": ticket.status})


@pytest.fixture
def past_days(seeded_defaults, desk) -> date:
    """The desk's two days in March, three tickets of recent days and one of today."""
    created_ago(3, priority="P1", channel="email", team=desk.billing)
    created_ago(1, priority="P1", channel="email", team=desk.billing)
    created_ago(1, priority="P4", channel="chat", team=desk.platform)
    created_ago(0, priority="P2", channel="api", team=desk.platform)
    return timezone.localdate() - timedelta(days=1)


def refreshed_after(since: object) -> object:
    coverage = RollupCoverage.objects.first()
    return coverage if coverage and (since is None or coverage.refreshed_at > since) else None


def test_the_worker_rolls_up_past_days_as_the_raw_rows_say_and_twice_is_once(worker,
                                                                             past_days):
    # given metrics rows of past days and of today, and no rollup yet
    assert TicketMetrics.objects.count() == 9
    assert not DailyRollup.objects.exists()
    app.control.purge()  # the desk's own on-commit tasks are not this test's business
    worker.start()
    # when beat sends the task to the worker
    refresh_rollups.delay()
    first = wait_until(lambda: refreshed_after(None), "the first refresh to finish")
    # then every whole past day is covered and every cell equals the raw rows
    assert (first.first_day, first.last_day) == (DAY_ONE, past_days)
    today = timezone.localdate()
    assert rolled_cells() == [cell for cell in raw_cells() if cell[0] != today]
    assert sum(DailyRollup.objects.values_list("tickets", flat=True)) == 8
    assert not DailyRollup.objects.filter(day=today).exists()  # today stays on the raw rows
    cells = list(DailyRollup.objects.order_by("pk").values())

    # when beat sends it again with nothing changed
    refresh_rollups.delay()
    wait_until(lambda: refreshed_after(first.refreshed_at), "the second refresh to finish")
    # then not one cell was rewritten, and the coverage is the same
    assert list(DailyRollup.objects.order_by("pk").values()) == cells
    again = RollupCoverage.objects.get()
    assert (again.first_day, again.last_day) == (DAY_ONE, past_days)
    assert b"reporting.refresh_rollups" in (worker.log.read_bytes())
