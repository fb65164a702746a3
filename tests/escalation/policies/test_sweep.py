"""The escalation sweep: exactly once with two sweeps at once, a ticket once per SLA state,
and a query count that does not grow with the batch."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation.escalations.models import Escalation
from escalation.escalations.sweep import sweep_escalations
from tests.escalation.policies.conftest import leaf
from tests.tickets.factories import TicketFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import Ticket, TicketEvent

BREACHED = leaf("sla.breached", "equals", True)
QUIET = {"notify_assignee": False, "notify_team_lead": False}


def overdue(count: int, *, minutes: int = 5) -> list[Ticket]:
    due = timezone.now() - timedelta(minutes=minutes)
    return [TicketFactory(status=TicketStatus.OPEN, sla_due_at=due) for _ in range(count)]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_ticket_exactly_once(policy):
    policy(BREACHED, **QUIET)
    tickets = overdue(30)
    now = timezone.now()
    start = threading.Barrier(2)
    results, errors = [], []

    def sweep() -> None:
        try:
            start.wait()
            results.append(sweep_escalations(now=now, limit=100))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    fired = sorted(pk for result in results for pk in result.fired)
    assert fired == sorted(Escalation.objects.values_list("pk", flat=True))
    assert sorted(Escalation.objects.values_list("ticket_id", flat=True)) == sorted(
        t.pk for t in tickets)
    assert TicketEvent.objects.filter(kind=EventKind.ESCALATED).count() == 30
    assert sweep_escalations(now=now).claimed == 0  # nothing left unseen


@pytest.mark.django_db
def test_a_ticket_is_looked_at_once_per_sla_state(policy):
    policy(BREACHED, **QUIET)
    now = timezone.now()
    [ticket] = [TicketFactory(status=TicketStatus.OPEN, sla_due_at=now + timedelta(minutes=30))]

    assert sweep_escalations(now=now).claimed == 1  # near breach: seen, nothing fires
    assert sweep_escalations(now=now).claimed == 0
    later = now + timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        result = sweep_escalations(now=later)

    assert result.claimed == 1
    assert result.fired == [Escalation.objects.get(ticket=ticket).pk]
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=later + timedelta(minutes=20))
    assert sweep_escalations(now=later).claimed == 1  # a new due time is a new state


@pytest.mark.django_db
def test_solved_and_far_off_tickets_are_not_swept(policy):
    policy(BREACHED, **QUIET)
    now = timezone.now()
    TicketFactory(status=TicketStatus.SOLVED, sla_due_at=now - timedelta(hours=1))
    TicketFactory(status=TicketStatus.OPEN, sla_due_at=now + timedelta(hours=5))
    TicketFactory(status=TicketStatus.OPEN, sla_due_at=None)

    assert sweep_escalations(now=now).claimed == 0
    assert not Escalation.objects.exists()


@pytest.mark.django_db
def test_the_sweep_query_count_does_not_grow_with_the_batch(policy):
    policy(leaf("ticket.priority", "equals", "P1"), **QUIET)  # evaluated, never holds
    now = timezone.now()
    overdue(3)
    with CaptureQueriesContext(connection) as few:
        assert sweep_escalations(now=now).claimed == 3
    overdue(12, minutes=7)
    with CaptureQueriesContext(connection) as many:
        assert sweep_escalations(now=now).claimed == 12

    assert len(many) == len(few)
