"""The timeline names the people and teams an event moves a ticket between, never their ids."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.factories import AgentFactory
from tests.tickets.ui.conftest import make_ticket
from tickets.choices import EventKind
from tickets.events import record_event
from tickets.models import Message
from tickets.services.attachments import save_attachment
from tickets.services.messages import add_agent_message


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


def _page(client, ticket):
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    return body, len(queries)


def test_authors_and_files_are_named_in_queries_that_do_not_grow(agent_web, desk_agent, team):
    # given a ticket with a customer's message, an agent's reply with a file and a system event
    ticket = make_ticket(team=team, assignee=desk_agent)
    Message.objects.create(ticket=ticket, kind="public", body="Any news?",
                                      author_contact=ticket.requester)
    reply = add_agent_message(ticket=ticket, author=desk_agent, body="On it.", public=True)
    save_attachment(ticket=ticket, message=reply, filename="trace.log", content=b"x" * 10)
    record_event(ticket=ticket, kind=EventKind.ESCALATED, actor=None, before={}, after={})
    body, few = _page(agent_web, ticket)
    # when four more agents write notes, each with a file
    for n in range(4):
        agent = AgentFactory(first_name=f"Agent{n}", last_name="Doe")
        note = add_agent_message(ticket=ticket, author=agent, body=f"note {n}", public=False)
        save_attachment(ticket=ticket, message=note, filename=f"note{n}.txt", content=b"y")
    more_body, more = _page(agent_web, ticket)
    # then every entry names its author, files stay under their message, queries are the same
    customer_name = ticket.requester.name or ticket.requester.email
    assert f'<span class="label-customer">Customer</span> {customer_name}' in body
    assert '<span class="label-reply">Reply</span> Ana Silva' in body
    assert '<span class="by">by System</span>' in body
    reply_row = body[body.index("On it."):]
    assert "trace.log" in reply_row[:reply_row.index("</li>")]
    for n in range(4):
        row = more_body[more_body.index(f"note {n}"):]
        assert f"note{n}.txt" in row[:row.index("</li>")]
        assert f'<span class="label-note">Internal note</span> Agent{n} Doe' in more_body
    assert few == more
