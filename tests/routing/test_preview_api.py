"""POST /api/v1/routing/preview/: where would this ticket go, changing nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routing.choices import Presence, Strategy
from routing.models import AgentProfile, RoutingDecision, RoutingRule
from tests.routing.factories import RoutingRuleFactory, agent_in, needs, team_name
from tests.tickets.factories import TeamFactory, TicketFactory
from tickets.models import Ticket, TicketEvent
from tickets.prepared import statement_text

pytestmark = pytest.mark.django_db

URL = "/api/v1/routing/preview/"


@pytest.fixture
def engineering():
    team = TeamFactory(name=team_name("Engineering"))
    RoutingRuleFactory(name="P1 first", team=team, strategy=Strategy.MOST_SKILLED, order=1,
                       condition={"field": "ticket.priority", "op": "equals", "value": "P1"})
    needs(RoutingRuleFactory(name="API questions", team=team, order=2,
                             condition={"field": "ticket.tags", "op": "contains", "value": "api"}),
          api=3)
    return team


def _state():
    return (
        list(Ticket.objects.values_list("pk", "assignee_id", "team_id", "status", "updated_at")),
        TicketEvent.objects.count(), RoutingDecision.objects.count(),
        list(RoutingRule.objects.values_list("pk", "fired_count")),
        list(AgentProfile.objects.values_list("pk", "last_assigned_at")),
    )


def test_preview_of_a_stored_ticket_explains_everything_and_changes_nothing(
    engineering, agent_client
):
    # given
    expert = agent_in(engineering, skills={"api": 5})
    agent_in(engineering, skills={"api": 1})
    agent_in(engineering, skills={"api": 4}, presence=Presence.AWAY)
    ticket = TicketFactory(tags=["api"], priority="P2")
    before = _state()
    # when
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.post(URL, {"ticket": ticket.pk}, format="json")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rule"]["name"] == "API questions"
    assert body["assignee"] == {"id": expert.pk, "name": expert.get_full_name()}
    assert body["team"] == {"id": engineering.pk, "name": engineering.name}
    assert [(r["name"], r["matched"]) for r in body["rules"]] == [
        ("P1 first", False), ("API questions", True)]
    assert body["rules"][1]["reasons"] == ["tags includes api"]
    assert sorted(r for c in body["candidates"] for r in c["skipped"]) == [
        "api level 1, needs 3", "is away"]
    assert "API questions" in body["explanation"]
    assert _state() == before
    statements = [statement_text(q["sql"]).lstrip().upper() for q in queries.captured_queries]
    writes = [sql for sql in statements
              if not sql.startswith(("SELECT", "(SELECT", "WITH", "SAVEPOINT", "RELEASE"))
              or "INSERT INTO" in sql or "DELETE FROM" in sql or " SET " in sql]
    assert writes == []
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_preview_of_a_hand_written_ticket(engineering, agent_client):
    # given
    oncall = agent_in(engineering, skills={"api": 2})
    before = _state()
    # when
    response = agent_client.post(URL, {"draft": {
        "subject": "Down", "priority": "P1", "organization": {"tier": "enterprise"},
    }}, format="json")
    # then
    body = response.json()
    assert response.status_code == 200, body
    assert (body["ticket"], body["rule"]["name"], body["strategy"]) == (
        None, "P1 first", "most_skilled")
    assert body["assignee"]["id"] == oncall.pk
    assert _state() == before


@pytest.mark.parametrize("payload", [{}, {"ticket": 1, "draft": {}}, {"draft": {"priority": "P9"}}])
def test_preview_input_errors_are_400(agent_client, payload):
    response = agent_client.post(URL, payload, format="json")
    assert response.status_code == 400


def test_preview_of_an_invisible_ticket_is_404_and_intake_keys_are_refused(
    engineering, intake_client, agent_client
):
    hidden = TicketFactory(team=TeamFactory())
    assert agent_client.post(URL, {"ticket": hidden.pk}, format="json").status_code == 404
    assert intake_client.post(URL, {"ticket": hidden.pk}, format="json").status_code == 403
