"""Unanswered tickets go back to routing when their agent goes away or leaves the team."""

from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from routing.choices import Presence, ReasonCode
from routing.models import AgentProfile
from routing.services.presence import expire_idle_presence, set_presence, touch_presence
from routing.services.reroute import orphaned_assignments, remove_team_member
from routing.tasks import reroute_agent_tickets, sweep_presence
from tests.routing.factories import RoutingRuleFactory, agent_in, team_name
from tests.tickets.factories import TeamFactory, TicketFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def enqueued(callbacks):
    """Return (task name, args) of the tasks that the captured on-commit callbacks enqueue."""
    return [(cb.func.__self__.name, cb.args) for cb in callbacks if isinstance(cb, partial)]


@pytest.fixture
def support():
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team)
    return team


def test_an_offline_agents_unanswered_tickets_are_rerouted(support, capture):
    # given
    leaving, staying = agent_in(support), agent_in(support)
    unanswered = TicketFactory(team=support, assignee=leaving, status=TicketStatus.OPEN)
    answered = TicketFactory(team=support, assignee=leaving, status=TicketStatus.OPEN,
                             first_response_at=timezone.now())
    # when
    with capture() as callbacks:
        set_presence(agent=leaving, presence=Presence.OFFLINE, actor=leaving)
    assert enqueued(callbacks) == [
        ("routing.reroute_agent_tickets", (leaving.pk, ReasonCode.AGENT_AWAY, None))
    ]
    reroute_agent_tickets(leaving.pk, ReasonCode.AGENT_AWAY, None)
    reroute_agent_tickets(leaving.pk, ReasonCode.AGENT_AWAY, None)  # a redelivery changes nothing
    # then
    unanswered.refresh_from_db()
    answered.refresh_from_db()
    assert (unanswered.assignee, answered.assignee) == (staying, leaving)
    event = TicketEvent.objects.get(ticket=unanswered, kind=EventKind.ASSIGNED)
    assert event.reason_code == ReasonCode.AGENT_AWAY
    assert (event.before["assignee"], event.after["assignee"]) == (leaving.pk, staying.pk)
    assert unanswered.reassignments == 1
    candidates = unanswered.routing_decision.candidates
    assert [c["skipped"] for c in candidates if c["agent"]["id"] == leaving.pk] == [
        ["is the agent the ticket is being taken from"]
    ]


def test_a_returning_agent_keeps_tickets_if_the_task_runs_late(support):
    # given
    agent = agent_in(support)
    agent_in(support)
    ticket = TicketFactory(team=support, assignee=agent, status=TicketStatus.OPEN)
    set_presence(agent=agent, presence=Presence.AWAY, actor=agent)
    set_presence(agent=agent, presence=Presence.AVAILABLE, actor=agent)
    # when
    reroute_agent_tickets(agent.pk, ReasonCode.AGENT_AWAY, None)
    # then
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_leaving_a_team_reroutes_that_teams_unanswered_tickets(support, capture):
    # given
    other = TeamFactory()
    leaving, staying = agent_in(support), agent_in(support)
    other.members.add(leaving)
    mine = TicketFactory(team=support, assignee=leaving, status=TicketStatus.OPEN)
    elsewhere = TicketFactory(team=other, assignee=leaving, status=TicketStatus.OPEN)
    # when
    with capture() as callbacks:
        remove_team_member(team=support, agent=leaving, actor=None)
    assert enqueued(callbacks) == [
        ("routing.reroute_agent_tickets", (leaving.pk, ReasonCode.LEFT_TEAM, support.pk))
    ]
    reroute_agent_tickets(leaving.pk, ReasonCode.LEFT_TEAM, support.pk)
    # then
    mine.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (mine.assignee, elsewhere.assignee) == (staying, leaving)


def test_the_sweep_finds_members_removed_behind_routings_back(support, capture):
    # given: the admin edits membership directly
    gone = agent_in(support)
    TicketFactory(team=support, assignee=gone, status=TicketStatus.OPEN)
    support.members.remove(gone)
    # when
    # other sessions may share the test database, so other pairs may show up too
    assert (gone.pk, support.pk) in orphaned_assignments(limit=1000)
    with capture() as callbacks:
        sweep_presence()
    # then
    assert ("routing.reroute_agent_tickets", (gone.pk, ReasonCode.LEFT_TEAM, support.pk)) in (
        enqueued(callbacks)
    )


def test_presence_expires_after_inactivity_and_reroutes(support, capture):
    # given
    idle, active = agent_in(support), agent_in(support)
    AgentProfile.objects.filter(user=idle).update(last_seen_at=timezone.now() - timedelta(hours=1))
    touch_presence(agent=active)
    # when
    with capture() as callbacks:
        expired = expire_idle_presence(now=timezone.now())
    # then
    assert expired == [idle.pk]
    assert AgentProfile.objects.get(user=idle).presence == Presence.AWAY
    assert AgentProfile.objects.get(user=active).presence == Presence.AVAILABLE
    assert enqueued(callbacks) == [
        ("routing.reroute_agent_tickets", (idle.pk, ReasonCode.AGENT_AWAY, None))
    ]


def test_task_names_are_pinned():
    assert reroute_agent_tickets.name == "routing.reroute_agent_tickets"
    assert sweep_presence.name == "routing.sweep_presence"
