"""
The strategy's first choice is claimed and the decision stored in one round trip, but the
decision is written only when the claim found the agent as the plan read them.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from routing.models import AgentLoad, AgentProfile, RoutingDecision
from routing.planning import plan_routing
from routing.services import routing
from routing.services.claim import GONE, claim_and_store
from routing.services.routing import _decision_fields
from routing.snapshot import publish_snapshot_version
from tests.routing.factories import RoutingRuleFactory, agent_in, team_name
from tests.tickets.factories import TeamFactory, TicketFactory
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _planned(capacity: int = 5):
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    agent = agent_in(team, capacity=capacity)
    publish_snapshot_version()
    ticket = Ticket.objects.select_related(*FACT_RELATIONS).get(pk=TicketFactory().pk)
    plan = plan_routing(ticket=ticket, now=timezone.now())
    first = plan.ordered[0]
    assert first.user_id == agent.pk
    return team, agent, ticket, plan, first


def _claim(ticket, plan, first):
    fields = _decision_fields(plan, first.user_id, "the story", "least_loaded")
    with CaptureQueriesContext(connection) as queries:
        outcome = claim_and_store(ticket, first, plan.now, fields)
    assert len(queries) == 1
    return outcome


def test_the_claim_and_the_decision_are_one_round_trip_when_the_plan_holds():
    # given a plan whose first choice is still free
    _team, agent, ticket, plan, first = _planned()
    # when they are claimed
    claimed, decision = _claim(ticket, plan, first)
    # then they are, and the decision naming them is stored, in one round trip
    assert (claimed, decision is not None) == (True, True)
    stored = RoutingDecision.objects.get(ticket=ticket)
    assert (stored.pk, stored.agent_id, stored.explanation) == (decision.pk, agent.pk,
                                                                 "the story")
    assert first.user.pk == agent.pk
    assert AgentProfile.objects.get(user=agent).last_assigned_at == plan.now


def test_a_load_changed_since_the_plan_claims_the_agent_but_leaves_the_story_to_retell():
    # given the agent got another ticket between the plan and the claim, still below capacity
    _team, agent, ticket, plan, first = _planned()
    AgentLoad.objects.update_or_create(user=agent, defaults={"open_p3": 2})
    # when they are claimed
    claimed, decision = _claim(ticket, plan, first)
    # then they are, with the load read under the lock, and no decision is written yet
    assert (claimed, decision) == (True, None)
    assert first.load == 2
    assert not RoutingDecision.objects.filter(ticket=ticket).exists()
    assert AgentProfile.objects.get(user=agent).last_assigned_at == plan.now


def test_an_agent_gone_since_the_plan_is_not_claimed_and_nothing_is_written():
    # given the agent left the team between the plan and the claim
    team, agent, ticket, plan, first = _planned()
    team.members.remove(agent)
    # when the claim runs
    claimed, decision = _claim(ticket, plan, first)
    # then they are skipped for it, their clock untouched, and no decision written
    assert (claimed, decision) == (False, None)
    assert first.skipped == [GONE]
    assert AgentProfile.objects.get(user=agent).last_assigned_at is None
    assert not RoutingDecision.objects.filter(ticket=ticket).exists()


def test_a_load_changed_since_the_plan_is_told_as_found(monkeypatch):
    # given the first choice gets two tickets between the plan and the claim
    team = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=team, order=1)
    agent = agent_in(team, capacity=5)
    publish_snapshot_version()

    def plan_then_load(**kwargs):
        plan = plan_routing(**kwargs)
        AgentLoad.objects.update_or_create(user=agent, defaults={"open_p3": 2})
        return plan

    monkeypatch.setattr(routing, "plan_routing", plan_then_load)
    # when a ticket is routed
    ticket = Ticket.objects.select_related(*FACT_RELATIONS).get(pk=TicketFactory().pk)
    decision = routing.route_ticket(ticket=ticket)
    # then the agent still takes it, and the stored story gives the load found under the lock
    assert ticket.assignee_id == agent.pk
    assert "(2/5 open" in decision.explanation
    assert RoutingDecision.objects.get(ticket=ticket).agent_id == agent.pk
