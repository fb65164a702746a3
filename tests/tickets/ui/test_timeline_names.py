"""The timeline names the people and teams an event moves a ticket between, never their ids."""

from tests.tickets.ui.conftest import make_ticket
from tickets.choices import EventKind
from tickets.events import record_event


def test_a_handoff_shows_team_and_agent_names(agent_web, desk_agent, team, other_team):
    # given a ticket of the agent's team handed over to another team
    ticket = make_ticket(team=team, assignee=desk_agent)
    record_event(ticket=ticket, kind=EventKind.HANDOFF_REQUESTED, actor=desk_agent,
                 before={"team": team.pk, "assignee": desk_agent.pk},
                 after={"handoff": 987654, "from_team": team.pk, "to_team": other_team.pk,
                        "from_agent": desk_agent.pk, "requested_by": desk_agent.pk,
                        "must_accept": True})
    # when the agent reads the timeline
    body = agent_web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    # then names stand where the event stored ids, and the handoff's row id is not shown
    assert "to team: none → Platform" in body
    assert "from agent: none → Ana Silva" in body
    assert "must accept: none → yes" in body
    assert "987654" not in body
    assert f"team {other_team.pk}" not in body
