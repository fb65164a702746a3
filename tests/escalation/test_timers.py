"""SLA clocks through the real lifecycle services, with time travel."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from escalation.calendars import always_open_calendar
from escalation.choices import HistoryKind, Metric, TimerState
from escalation.models import SlaHistory, SlaPolicy, SlaTarget, SlaTimer
from tests.tickets.factories import AgentFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import Ticket, TicketEvent
from tickets.services.lifecycle import change_status
from tickets.services.messages import add_agent_message, add_customer_message
from tickets.services.updates import update_ticket_fields

pytestmark = pytest.mark.django_db
MINUTE, HOUR = 60, 3600


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def clocks(ticket: Ticket) -> dict[str, SlaTimer]:
    return {timer.metric: timer for timer in SlaTimer.objects.filter(ticket=ticket)}


def due(ticket: Ticket) -> datetime | None:
    return Ticket.objects.values_list("sla_due_at", flat=True).get(pk=ticket.pk)


@pytest.fixture
def p1_all_metrics(db):
    """The seeded P1 policy (24x7) with next response 30 min and periodic update 2 h too."""
    policy = SlaPolicy.objects.get(name="P1 default")
    for metric, minutes in ((Metric.NEXT_RESPONSE, 30), (Metric.PERIODIC_UPDATE, 120)):
        SlaTarget.objects.create(policy=policy, metric=metric, minutes=minutes,
                                 calendar=always_open_calendar(), pause_statuses=["pending"])
    return policy


def test_intake_applies_the_first_matching_policy(intake):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P1")
    timers = clocks(ticket)
    assert timers[Metric.FIRST_RESPONSE].due_at == at(2026, 3, 2, 10, 15)
    assert timers[Metric.RESOLUTION].due_at == at(2026, 3, 2, 14)
    assert due(ticket) == at(2026, 3, 2, 10, 15)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.SLA_APPLIED)
    assert event.after["name"] == "P1 default"
    assert event.after["targets"] == {"first_response": 15 * MINUTE, "resolution": 4 * HOUR}


def test_created_outside_hours_starts_on_the_next_opening(intake):
    # Saturday noon; P3 is 4 h / 24 h on London business hours (GMT in early March)
    with time_machine.travel(at(2026, 3, 7, 12), tick=False):
        ticket = intake("P3")
    timers = clocks(ticket)
    assert timers[Metric.FIRST_RESPONSE].due_at == at(2026, 3, 9, 13)  # Monday 09:00 + 4 h
    assert timers[Metric.RESOLUTION].due_at == at(2026, 3, 11, 17)  # three 8-hour days


def test_bank_holidays_stop_the_clock(intake):
    # Thursday 2 April 2026 16:30 BST; Good Friday and Easter Monday are closed
    with time_machine.travel(at(2026, 4, 2, 15, 30), tick=False):
        ticket = intake("P2")
    assert clocks(ticket)[Metric.FIRST_RESPONSE].due_at == at(2026, 4, 7, 8, 30)


def test_a_dst_weekend_inside_the_target(intake):
    # Friday 27 March 15:00 GMT, clocks go forward on Sunday: two hours left on Monday
    with time_machine.travel(at(2026, 3, 27, 15), tick=False):
        ticket = intake("P3")
    assert clocks(ticket)[Metric.FIRST_RESPONSE].due_at == at(2026, 3, 30, 10)  # 11:00 BST


def test_a_public_reply_fulfils_first_response_and_a_note_does_not(intake, p1_all_metrics):
    agent = AgentFactory()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P1")
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        add_agent_message(ticket=ticket, author=agent, body="Looking", public=False)
    assert clocks(ticket)[Metric.FIRST_RESPONSE].state == TimerState.ACTIVE
    with time_machine.travel(at(2026, 3, 2, 10, 10), tick=False):
        add_agent_message(ticket=ticket, author=agent, body="On it", public=True)
    timers = clocks(ticket)
    first = timers[Metric.FIRST_RESPONSE]
    assert (first.state, first.fulfilled_at) == (TimerState.FULFILLED, at(2026, 3, 2, 10, 10))
    assert first.remaining_seconds(now=at(2026, 3, 2, 11)) == 5 * MINUTE  # frozen when done
    # the reply starts the periodic update clock; the nearest due is now resolution's or it
    assert timers[Metric.PERIODIC_UPDATE].due_at == at(2026, 3, 2, 12, 10)
    assert due(ticket) == at(2026, 3, 2, 12, 10)


def test_next_response_runs_from_the_oldest_unanswered_message(intake, p1_all_metrics):
    agent = AgentFactory()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P1")
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        add_agent_message(ticket=ticket, author=agent, body="Hi", public=True)
    # while the first response ran, customer messages armed nothing; now they do
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        add_customer_message(ticket=ticket, contact=ticket.requester, body="Any news?")
    with time_machine.travel(at(2026, 3, 2, 11, 10), tick=False):
        add_customer_message(ticket=ticket, contact=ticket.requester, body="Hello??")
    nxt = clocks(ticket)[Metric.NEXT_RESPONSE]
    assert (nxt.started_at, nxt.due_at) == (at(2026, 3, 2, 11), at(2026, 3, 2, 11, 30))
    with time_machine.travel(at(2026, 3, 2, 11, 20), tick=False):
        add_agent_message(ticket=ticket, author=agent, body="Fixed", public=True)
    assert clocks(ticket)[Metric.NEXT_RESPONSE].state == TimerState.FULFILLED


def test_pending_pauses_every_clock_and_a_customer_reply_resumes(intake):
    agent = AgentFactory()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P1")
        ticket = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=agent)
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        ticket = change_status(ticket=ticket, status=TicketStatus.PENDING, actor=agent)
    timers = clocks(ticket)
    assert {t.state for t in timers.values()} == {TimerState.PAUSED}
    assert due(ticket) is None
    # frozen while paused: 10 of 15 minutes left, whenever asked
    assert timers[Metric.FIRST_RESPONSE].remaining_seconds(now=at(2026, 3, 2, 18)) == 10 * MINUTE
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        add_customer_message(ticket=ticket, contact=ticket.requester, body="Here you go")
    ticket.refresh_from_db()
    timers = clocks(ticket)
    assert ticket.status == TicketStatus.OPEN
    assert timers[Metric.FIRST_RESPONSE].due_at == at(2026, 3, 2, 11, 10)
    assert timers[Metric.RESOLUTION].due_at == at(2026, 3, 2, 14, 55)
    kinds = list(SlaHistory.objects.filter(ticket=ticket, metric=Metric.FIRST_RESPONSE)
                 .values_list("kind", flat=True))
    assert kinds == [HistoryKind.APPLIED, HistoryKind.PAUSED, HistoryKind.RESUMED]


def test_on_hold_pauses_resolution_only(intake):
    agent = AgentFactory()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P1")
        ticket = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=agent)
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        change_status(ticket=ticket, status=TicketStatus.ON_HOLD, actor=agent)
    timers = clocks(ticket)
    assert timers[Metric.FIRST_RESPONSE].state == TimerState.ACTIVE
    assert timers[Metric.RESOLUTION].state == TimerState.PAUSED


def test_reopen_resumes_resolution_and_rearms_next_response(intake, p1_all_metrics):
    agent = AgentFactory()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P1")
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        add_agent_message(ticket=ticket, author=agent, body="Try this", public=True)
    with time_machine.travel(at(2026, 3, 2, 11), tick=False):
        ticket = change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=agent)
    assert {t.state for t in clocks(ticket).values()} == {TimerState.FULFILLED}
    with time_machine.travel(at(2026, 3, 2, 15), tick=False):
        add_customer_message(ticket=ticket, contact=ticket.requester, body="Still broken")
    ticket.refresh_from_db()
    timers = clocks(ticket)
    assert ticket.status == TicketStatus.OPEN
    # one hour of four used before the solve; the four hours solved count nothing
    assert timers[Metric.RESOLUTION].due_at == at(2026, 3, 2, 18)
    assert timers[Metric.NEXT_RESPONSE].due_at == at(2026, 3, 2, 15, 30)
    assert timers[Metric.FIRST_RESPONSE].state == TimerState.FULFILLED


def test_a_tightened_priority_breaches_at_once_with_one_event(intake):
    agent = AgentFactory()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P3")  # 4 h on business hours
    with time_machine.travel(at(2026, 3, 2, 10, 30), tick=False):
        update_ticket_fields(ticket=ticket, changes={"priority": "P1"}, actor=agent)
    timers = clocks(ticket)
    first, resolution = timers[Metric.FIRST_RESPONSE], timers[Metric.RESOLUTION]
    # P1: 15 min first response on 24x7, 30 minutes already used: breached on the spot
    assert (first.state, first.breached_at) == (TimerState.BREACHED, at(2026, 3, 2, 10, 30))
    assert first.remaining_seconds(now=at(2026, 3, 2, 10, 40)) == -25 * MINUTE
    # resolution: 4 h from creation, 30 min used, nothing reset
    assert resolution.due_at == at(2026, 3, 2, 14)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACHED).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_APPLIED).count() == 2


def test_a_breach_while_paused_is_kept(intake):
    agent = AgentFactory()
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P3")
        ticket = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=agent)
    with time_machine.travel(at(2026, 3, 2, 10, 30), tick=False):
        ticket = change_status(ticket=ticket, status=TicketStatus.PENDING, actor=agent)
        update_ticket_fields(ticket=ticket, changes={"priority": "P1"}, actor=agent)
    first = clocks(ticket)[Metric.FIRST_RESPONSE]
    assert first.state == TimerState.BREACHED
    assert first.paused_at is not None
    with time_machine.travel(at(2026, 3, 2, 12), tick=False):
        change_status(ticket=ticket, status=TicketStatus.OPEN, actor=agent)
    first = clocks(ticket)[Metric.FIRST_RESPONSE]
    assert (first.state, first.breached_at) == (TimerState.BREACHED, at(2026, 3, 2, 10, 30))
    assert first.remaining_seconds(now=at(2026, 3, 2, 12, 10)) == -25 * MINUTE


def test_tickets_without_an_sla_row_are_left_alone(db):
    from tests.tickets.factories import TicketFactory

    ticket = TicketFactory(status=TicketStatus.OPEN)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=None)
    assert not SlaTimer.objects.filter(ticket=ticket).exists()


def test_api_reports_every_clock(intake, manager_client):
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        ticket = intake("P1")
    with time_machine.travel(at(2026, 3, 2, 10, 5), tick=False):
        body = manager_client.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert [(c["metric"], c["state"], c["remaining_seconds"]) for c in body["sla"]] == [
        ("first_response", "active", 10 * MINUTE), ("resolution", "active", 235 * MINUTE)]
    assert body["sla"][0]["due_at"] == "2026-03-02T10:15:00Z"
    assert timedelta(0) < timedelta(seconds=body["sla"][1]["target_seconds"])


@pytest.mark.parametrize("count", [2, 6])
def test_the_ticket_list_reads_every_clock_in_constant_queries(
    intake, manager_client, settings, django_assert_num_queries, count
):
    for _ in range(count):
        intake("P1")
    manager_client.get("/api/v1/tickets/")  # warms permissions and the calendars
    with django_assert_num_queries(1 + len(settings.HELPDESK_TICKET_PREFETCH)):
        body = manager_client.get("/api/v1/tickets/?page_size=100").json()
    assert [len(ticket["sla"]) for ticket in body["results"]] == [2] * count
