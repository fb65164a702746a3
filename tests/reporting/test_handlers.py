"""
The metrics row of each ticket is kept by ONE statement per event (reporting.handlers), with
the same figures the per-event fold in Python kept before it.
"""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation.calendars import calendar_schedules
from escalation.models import BusinessCalendar, SlaTimer
from reporting.handlers import record_metrics
from reporting.models import TicketMetrics
from tests.reporting.conftest import T0
from tests.tickets.factories import AgentFactory, TeamFactory, TicketFactory
from tickets.choices import EventKind
from tickets.events import record_event

pytestmark = pytest.mark.django_db

# Every row of the hand-built desk (conftest) as the Python fold recorded it, column by column,
# before the fold became one SQL statement. Columns left out hold the model's default; times
# are minutes after T0, people and teams are named.
RECORDED: dict[str, dict[str, Any]] = {
    "T1": {"agent_replies": 2, "agent_replies_at_solve": 2, "assignee_id": "ana",
           "category": "billing", "channel": "email", "created_at": 0,
           "csat_comment": "Quick and kind", "csat_score": 5, "customer_messages": 2,
           "first_response_at": 30, "first_response_seconds": 1800, "last_solved_at": 240,
           "next_response_seconds_total": 3600, "next_responses": 1, "nps_score": 10,
           "owner_ids": ["ana"], "priority": "P1", "rated_at": 300, "resolution_seconds": 14400,
           "sla_due_at": 480, "solved_at": 240, "status": "solved", "team_id": "billing",
           "tier": "enterprise", "triage_category": "billing", "triage_source": "rules"},
    "T2": {"agent_replies": 1, "agent_replies_at_solve": 1, "assignee_hops": 2,
           "assignee_id": "dee", "category": "billing", "channel": "web_form", "created_at": 60,
           "csat_comment": "Took two tries", "csat_score": 2, "first_response_at": 180,
           "first_response_seconds": 7200, "last_solved_at": 1500, "nps_score": 3,
           "owner_ids": ["ana", "bob", "dee"], "priority": "P2", "rated_at": 1510,
           "reopened_within_7d": True, "reopens": 1, "resolution_breached": True,
           "resolution_seconds": 86400, "sla_due_at": 180, "solved_at": 1500,
           "status": "solved", "team_id": "billing", "tier": "smb",
           "triage_category": "billing", "triage_source": "classifier"},
    "T3": {"agent_replies": 1, "agent_replies_at_solve": 1, "assignee_id": "cy",
           "category": "account_access", "channel": "email", "created_at": 120,
           "de_escalations": 1, "escalated_at": 125, "escalation_trigger": "manual",
           "escalations": 1, "first_response_at": 130, "first_response_seconds": 600,
           "last_solved_at": 180, "owner_ids": ["cy"], "priority": "P3",
           "resolution_seconds": 3600, "sla_due_at": 600, "solved_at": 180, "status": "solved",
           "team_id": "platform", "tier": "smb", "triage_category": "bug_report",
           "triage_source": "rules"},
    "T4": {"assignee_id": "cy", "channel": "chat", "created_at": 180,
           "handoff_pending_seconds": 3600, "handoffs_rejected": 1, "handoffs_requested": 1,
           "owner_ids": ["cy"], "priority": "P3", "sla_due_at": 240, "status": "open",
           "team_id": "platform", "tier": "enterprise", "triage_review": True,
           "triage_source": "review"},
    "T5": {"channel": "api", "created_at": 240, "is_follow_up": True, "priority": "P2",
           "sla_due_at": 1590, "status": "new", "team_id": "billing", "triage_source": "caller"},
}
TIMES = {f.attname for f in TicketMetrics._meta.concrete_fields
         if f.get_internal_type() == "DateTimeField"}


def _expected(recorded: dict[str, Any], desk: Any) -> dict[str, Any]:
    row = {f.attname: f.get_default() for f in TicketMetrics._meta.concrete_fields}
    del row["ticket_id"], row["updated_at"]
    ids = {name: person.pk for name, person in desk.people.items()}
    ids.update(billing=desk.billing.pk, platform=desk.platform.pk)
    for column, value in recorded.items():
        if column in TIMES:
            value = T0 + timedelta(minutes=value)
        elif column in ("assignee_id", "team_id"):
            value = ids[value]
        elif column == "owner_ids":
            value = [ids[name] for name in value]
        row[column] = value
    return row


def test_every_column_of_every_row_is_what_the_python_fold_recorded(desk):
    # given the desk, built through the real services (their events fill the rows)
    for name, ticket in desk.tickets.items():
        # when its row is read
        row = TicketMetrics.objects.filter(ticket=ticket).values().get()
        del row["ticket_id"], row["updated_at"]
        # then every column holds what the per-event fold in Python held
        assert row == _expected(RECORDED[name], desk), name


def _event(ticket: Any, kind: str, **fields: Any) -> Any:
    # Written without handlers, so the test calls the metrics handler alone.
    with time_machine.travel(fields.pop("at", T0), tick=False):
        return record_event(ticket=ticket, kind=kind, actor=None, **fields)


def _history(ticket: Any, replies: int) -> None:
    for n in range(replies):
        at = T0 + timedelta(minutes=10 + 2 * n)
        record_metrics(_event(ticket, EventKind.CUSTOMER_REPLIED, at=at))
        record_metrics(_event(ticket, EventKind.AGENT_REPLIED, at=at + timedelta(minutes=1)))


def _statements(event: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        record_metrics(event)
    return len(queries.captured_queries)


@pytest.mark.parametrize("history", [0, 15])
@pytest.mark.parametrize(("kind", "fields"), [
    (EventKind.CREATED, {}),
    (EventKind.CUSTOMER_REPLIED, {}),
    (EventKind.AGENT_REPLIED, {}),
    (EventKind.ASSIGNED, {"before": {"assignee": None}, "after": {"assignee": 7}}),
    (EventKind.STATUS_CHANGED, {"after": {"status": "solved"}}),
    (EventKind.SATISFACTION_RATED, {"after": {"score": 4, "nps": 9}}),
    (EventKind.ESCALATED, {"after": {"trigger": "vip"}}),
])
def test_each_event_is_one_statement_whatever_the_ticket_history(settings, kind, fields,
                                                                  history):
    # given a ticket with or without a row and a history of replies (handlers off: the test
    # calls the metrics handler itself)
    settings.HELPDESK_EVENT_HANDLERS = {}
    ticket = TicketFactory(created_at=T0)
    _history(ticket, history)
    # when one more event is folded in, then it costs one statement
    at = T0 + timedelta(hours=2)
    assert _statements(_event(ticket, kind, at=at, **fields)) == 1
    assert TicketMetrics.objects.filter(ticket=ticket).count() == 1


def test_a_first_response_measured_on_a_calendar_adds_one_statement_for_business_time(settings):
    # given a ticket whose first-response clock runs on an always-open calendar
    settings.HELPDESK_EVENT_HANDLERS = {}
    ticket = TicketFactory(created_at=T0)
    calendar = BusinessCalendar.objects.create(name="Always", slug="always", hours={
        day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
    SlaTimer.objects.create(ticket=ticket, metric="first_response", calendar=calendar,
                            target_seconds=3600, started_at=T0)
    calendar_schedules()  # held in memory, as a running process holds them
    # when the first reply comes 30 minutes in, then a second statement stores business time
    first = _event(ticket, EventKind.AGENT_REPLIED, at=T0 + timedelta(minutes=30))
    assert _statements(first) == 2
    # and a later reply, the first response already measured, is one statement again
    assert _statements(_event(ticket, EventKind.AGENT_REPLIED, at=T0 + timedelta(hours=1))) == 1
    row = TicketMetrics.objects.get(ticket=ticket)
    assert (row.first_response_seconds, row.first_response_business_seconds) == (1800, 1800)
    assert row.agent_replies == 2


def test_kinds_the_desk_does_not_reach_fold_as_worked_out_by_hand(settings):
    # given an agent's ticket in one team, escalated, acknowledged, breached, moved
    settings.HELPDESK_EVENT_HANDLERS = {}
    one, other = TeamFactory(), TeamFactory()
    agent = AgentFactory()
    ticket = TicketFactory(created_at=T0, team=one)
    minutes = iter(range(1, 100))

    def fold(kind: str, **fields: Any) -> None:
        record_metrics(_event(ticket, kind, at=T0 + timedelta(minutes=next(minutes) * 5),
                              **fields))

    fold(EventKind.ESCALATED, after={"trigger": "vip", "policy": "Big customers"})  # +5
    fold(EventKind.ESCALATION_ACKNOWLEDGED)  # +10
    fold(EventKind.ESCALATED, after={"trigger": "again"})  # +15: the first one stays
    fold(EventKind.SLA_BREACHED, after={"metric": "first_response"})
    fold(EventKind.SLA_BREACHED, after={"metric": "resolution"})
    fold(EventKind.ASSIGNED, before={"assignee": None, "team": one.pk},
         after={"assignee": agent.pk, "team": other.pk})
    fold(EventKind.ASSIGNED, before={"assignee": agent.pk, "team": other.pk},
         after={"assignee": agent.pk, "team": one.pk})
    fold(EventKind.HANDOFF_REQUESTED)  # +40
    fold(EventKind.HANDOFF_ACCEPTED)  # +45
    fold(EventKind.SATISFACTION_RATED, after={"rating": 3}, note="Fine")
    # then
    row = TicketMetrics.objects.get(ticket=ticket)
    assert (row.escalations, row.escalated_at, row.escalation_trigger,
            row.escalation_policy) == (2, T0 + timedelta(minutes=5), "vip", "Big customers")
    assert row.acknowledge_seconds == 300
    assert (row.sla_breaches, row.first_response_breached, row.resolution_breached) == (
        2, True, True)
    assert (row.team_hops, row.assignee_hops, row.owner_ids) == (2, 0, [agent.pk])
    assert (row.handoffs_requested, row.handoff_pending_seconds,
            row.handoff_requested_at) == (1, 300, None)
    assert (row.csat_score, row.nps_score, row.csat_comment) == (3, None, "Fine")
