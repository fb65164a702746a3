import json

import pytest
from django.urls import reverse

from routing.models import AgentLoad, RoutingDecision
from tests.routing.factories import RoutingRuleFactory, agent_in, team_name
from tests.tickets.factories import AdminFactory, TeamFactory, TicketFactory
from tickets.choices import TicketStatus
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory(is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["routingrule", "skill", "agentprofile", "teamprofile",
                                   "oncallshift", "routingdecision", "handoff", "agentload"])
def test_every_routing_model_has_a_working_changelist(admin_client, model):
    RoutingRuleFactory()
    response = admin_client.get(reverse(f"admin:routing_{model}_changelist"))
    assert response.status_code == 200


def test_admin_preview_shows_the_decision_for_a_ticket_or_a_draft(admin_client):
    # given
    team = TeamFactory(name=team_name("Payments"))
    RoutingRuleFactory(name="Billing rule", team=team, condition={
        "field": "ticket.tags", "op": "contains", "value": "invoice"})
    agent = agent_in(team)
    ticket = TicketFactory(tags=["invoice"])
    url = reverse("admin:routing_routingrule_preview")
    # when
    by_id = admin_client.post(url, {"ticket": ticket.pk})
    by_draft = admin_client.post(url, {"draft": json.dumps({"tags": ["invoice"]})})
    # then
    for response in (by_id, by_draft):
        assert response.status_code == 200
        text = response.content.decode()
        assert "Billing rule" in text
        assert agent.get_full_name() in text
    assert not RoutingDecision.objects.exists()
    assert not TicketEvent.objects.filter(ticket=ticket).exists()
    assert admin_client.get(reverse("admin:routing_routingrule_changelist")).content.decode().count(
        "Where would this ticket go?") == 1


def test_the_recount_action_repairs_the_chosen_agents_counters(admin_client):
    # given: a ticket given to the agent around the services, so the counter missed it
    team = TeamFactory(name=team_name("Payments"))
    agent = agent_in(team)
    AgentLoad.objects.create(user=agent)
    TicketFactory(team=team, assignee=agent, status=TicketStatus.OPEN, priority="P2")
    # when
    response = admin_client.post(reverse("admin:routing_agentload_changelist"),
                                 {"action": "recount", "_selected_action": [agent.pk]},
                                 follow=True)
    # then
    assert response.status_code == 200
    assert "1 row(s) were wrong" in response.content.decode()
    assert AgentLoad.objects.get(user=agent).counts() == {"P1": 0, "P2": 1, "P3": 0, "P4": 0}
