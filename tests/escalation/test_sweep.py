"""The warning and breach sweep: levels, recipients, exactly once, no storm, constant queries."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation.choices import Metric, TimerState
from escalation.models import SlaWarning
from escalation.notifications.models import Notification
from escalation.services.alerts import tell_warnings
from escalation.services.sweep import sweep_sla
from escalation.tasks import sweep_sla as sweep_sla_task
from tests.tickets.factories import AgentFactory, ManagerFactory, TeamFactory, TeamLeadFactory
from tickets.choices import EventKind
from tickets.models import Ticket, TicketEvent


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


CREATED = at(2026, 3, 2, 10)  # P1 first response (24x7): 75 % 10:11:15, 90 % 10:13:30, 10:15


@pytest.fixture
def enqueued(monkeypatch):
    """The warning ids handed to the notification task, in order; nothing reaches Redis."""
    calls: list[list[int]] = []
    monkeypatch.setattr("escalation.tasks.notify_sla_warnings.delay", calls.append)
    monkeypatch.setattr("escalation.tasks.run_event_handlers.delay", handled.append)
    return calls


handled: list[list[int]] = []
seen: list[tuple[str, int, bool]] = []


def remember(event) -> None:
    """A lifecycle handler for the test: what it was given, and whether the ticket is locked."""
    from django.db import connection as conn

    seen.append((event.kind, event.ticket_id, conn.in_atomic_block))


@pytest.fixture
def people(db):
    agent, lead, manager = AgentFactory(), TeamLeadFactory(), ManagerFactory()
    team = TeamFactory(lead=lead, members=[agent])
    return {"agent": agent, "lead": lead, "manager": manager, "team": team}


@pytest.fixture
def p1_tickets(intake, people):
    def create(count: int = 1) -> list[Ticket]:
        with time_machine.travel(CREATED, tick=False):
            tickets = [intake("P1") for _ in range(count)]
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
            assignee=people["agent"], team=people["team"])
        return tickets
    return create


def sweep_at(moment: datetime, capture) -> object:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return sweep_sla(now=moment)


def told(kind: str | None = None) -> list[tuple[str, str]]:
    rows = Notification.objects.order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    return [(n.recipient.username, n.kind) for n in rows]


def test_each_level_fires_once_to_its_people(
    db, p1_tickets, people, enqueued, django_capture_on_commit_callbacks
):
    # given a P1 ticket created at 10:00 (first response due 10:15, resolution 14:00)
    [ticket] = p1_tickets()
    capture = django_capture_on_commit_callbacks
    # when the sweep runs before 75 %, then nothing fires
    assert sweep_at(at(2026, 3, 2, 10, 11), capture).warned == {90: [], 75: []}
    # at 10:12 the 75 % level fires for the assignee, once however often the sweep runs
    assert len(sweep_at(at(2026, 3, 2, 10, 12), capture).warned[75]) == 1
    assert sweep_at(at(2026, 3, 2, 10, 12, 30), capture).warned[75] == []
    tell_warnings(warning_ids=enqueued[-1])
    assert told() == [(people["agent"].username, "sla_warning")]
    # at 10:14 the 90 % level tells the team lead
    sweep_at(at(2026, 3, 2, 10, 14), capture)
    tell_warnings(warning_ids=enqueued[-1])
    assert told()[-1] == (people["lead"].username, "sla_warning")
    # at 10:16 the clock breaches at its due time and the manager hears of it
    result = sweep_at(at(2026, 3, 2, 10, 16), capture)
    tell_warnings(warning_ids=enqueued[-1])
    timer = ticket.sla_timers.get(metric=Metric.FIRST_RESPONSE)
    assert result.breached == [timer.pk]
    assert (timer.state, timer.breached_at) == (TimerState.BREACHED, at(2026, 3, 2, 10, 15))
    assert told("sla_breach") == [(people["manager"].username, "sla_breach")]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_WARNING).count() == 2
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 1
    # telling again (a redelivered task) sends nothing twice
    tell_warnings(warning_ids=[w for ids in enqueued for w in ids])
    assert len(told()) == 3


def test_a_missed_window_fires_the_highest_level_only(
    db, p1_tickets, people, enqueued, django_capture_on_commit_callbacks
):
    # given workers were down from 10:00 to 10:30
    [ticket] = p1_tickets()
    # when the first sweep after the outage runs
    result = sweep_at(at(2026, 3, 2, 10, 30), django_capture_on_commit_callbacks)
    for ids in enqueued:
        tell_warnings(warning_ids=ids)
    # then the breach fires, the passed warnings are marked superseded, one message goes out
    assert len(result.breached) == 1
    assert result.warned == {90: [], 75: []}
    warnings = SlaWarning.objects.filter(timer__ticket=ticket, timer__metric="first_response")
    assert sorted((w.level.percent, w.superseded) for w in warnings) == [
        (75, True), (90, True), (100, False)]
    assert told() == [(people["manager"].username, "sla_breach")]


def test_untold_warnings_are_enqueued_again(
    db, p1_tickets, enqueued, django_capture_on_commit_callbacks
):
    # given a warning fired but its task was lost (Redis restarted before a worker took it)
    p1_tickets()
    sweep_at(at(2026, 3, 2, 10, 12), django_capture_on_commit_callbacks)
    lost = enqueued[-1]
    # when a sweep runs more than two minutes later, then it enqueues the warning again
    assert sweep_at(at(2026, 3, 2, 10, 14, 30), django_capture_on_commit_callbacks).retold == lost


def test_one_sweep_costs_the_same_queries_for_any_number_of_clocks(db, p1_tickets, enqueued):
    def counted_sweep(moment: datetime) -> tuple[int, object]:
        with time_machine.travel(moment, tick=False), \
                CaptureQueriesContext(connection) as queries:
            result = sweep_sla(now=moment)
        return len(queries), result

    # given a warm process (calendars, rosters and handling times are cached)
    p1_tickets(2)
    counted_sweep(at(2026, 3, 2, 10, 5))
    # when one sweep fires 2 clocks, and a later one 18
    few, first = counted_sweep(at(2026, 3, 2, 10, 14))
    p1_tickets(18)
    many, second = counted_sweep(at(2026, 3, 2, 10, 14, 10))
    # then both cost the same number of queries
    assert (len(first.warned[90]), len(second.warned[90])) == (2, 18)
    assert few == many


def test_the_task_name_is_pinned():
    assert sweep_sla_task.name == "escalation.sweep_sla"


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_level_once(p1_tickets, enqueued, settings):
    # given 15 clocks past 90 % and sweeps that take 5 rows a batch
    settings.HELPDESK_SLA_SWEEP_BATCH = 5
    tickets = p1_tickets(15)
    moment = at(2026, 3, 2, 10, 14)
    barrier, results, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                results.append(sweep_sla(now=moment))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    # when two sweeps run at the same time, each until nothing is left
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then each first-response clock past 90 % fired once, and its 75 % never spoke
    assert errors == []
    fired = [w for result in results for w in result.warned[90]]
    assert len(fired) == len(set(fired)) == len(tickets)
    events = TicketEvent.objects.filter(kind=EventKind.SLA_WARNING)
    assert events.count() == len(tickets)


def test_the_sweeps_events_reach_their_lifecycle_handlers_after_commit(
    db, p1_tickets, enqueued, settings, django_capture_on_commit_callbacks
):
    from escalation.services.events import run_event_handlers

    # given a handler listed for breaches, as escalation policies are
    settings.HELPDESK_EVENT_HANDLERS = {"sla_breached": ["tests.escalation.test_sweep.remember"]}
    handled.clear()
    seen.clear()
    [ticket] = p1_tickets()
    # when the sweep breaches the clock and the task it enqueued runs
    sweep_at(at(2026, 3, 2, 10, 16), django_capture_on_commit_callbacks)
    event_ids = handled[-1]
    run_event_handlers(event_ids=event_ids)
    # then the handler saw the breach of that ticket, inside a transaction
    assert seen == [("sla_breached", ticket.pk, True)]


def test_every_event_of_a_batch_reaches_the_handlers_once(
    db, p1_tickets, enqueued, django_capture_on_commit_callbacks
):
    # given three clocks past their first-response target
    handled.clear()
    tickets = p1_tickets(3)
    # when one sweep breaches them
    result = sweep_at(at(2026, 3, 2, 10, 16), django_capture_on_commit_callbacks)
    # then each breach has its event, and the handler task gets every event id once
    breaches = TicketEvent.objects.filter(kind=EventKind.SLA_BREACHED)
    assert sorted(breaches.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)
    assert len(result.breached) == 3
    assert handled == [sorted(breaches.values_list("pk", flat=True))]
