"""Business minutes come from the calendar of the ticket's SLA clock for that metric."""

from datetime import UTC, datetime

import pytest
import time_machine

from escalation.models import BusinessCalendar, SlaTimer
from reporting.models import TicketMetrics
from tests.tickets.factories import AgentFactory, TeamFactory, TicketFactory
from tickets.choices import EventKind
from tickets.events import record_event
from tickets.services.assignment import assign_ticket
from tickets.services.lifecycle import change_status
from tickets.services.messages import add_agent_message

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
FRIDAY_4PM = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
MONDAY_10AM = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
MONDAY_NOON = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_first_response_and_resolution_in_business_and_calendar_minutes():
    # given a ticket on Friday 16:00 with clocks on a weekday 9-17 calendar
    calendar = BusinessCalendar.objects.create(name="Office", slug="office",
                                               hours=WEEKDAYS_9_TO_5)
    agent = AgentFactory()
    team = TeamFactory(members=[agent])
    with time_machine.travel(FRIDAY_4PM, tick=False):
        ticket = TicketFactory(team=team)
        record_event(ticket=ticket, kind=EventKind.CREATED, actor=None)
        for metric in ("first_response", "resolution"):
            SlaTimer.objects.create(ticket=ticket, metric=metric, calendar=calendar,
                                    target_seconds=8 * 3600, started_at=FRIDAY_4PM)
        assign_ticket(ticket=ticket, agent=agent, reason_code="manual", actor=None)
    # when the agent answers on Monday 10:00 and solves at noon
    with time_machine.travel(MONDAY_10AM, tick=False):
        add_agent_message(ticket=ticket, author=agent, body="Fixed", public=True)
    with time_machine.travel(MONDAY_NOON, tick=False):
        change_status(ticket=ticket, status="solved", actor=agent)
    # then
    row = TicketMetrics.objects.get(ticket=ticket)
    assert row.first_response_seconds == 66 * 3600  # Fri 16:00 -> Mon 10:00
    assert row.first_response_business_seconds == 2 * 3600  # Fri 16-17 + Mon 9-10
    assert row.resolution_seconds == 68 * 3600
    assert row.resolution_business_seconds == 4 * 3600  # Fri 16-17 + Mon 9-12
