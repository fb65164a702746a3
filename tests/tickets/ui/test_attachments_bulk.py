import pytest

from tests.tickets.ui.conftest import make_ticket, signed_in
from tickets.choices import EventKind, TicketStatus
from tickets.models import Ticket, TicketEvent
from tickets.services.attachments import save_attachment

pytestmark = pytest.mark.django_db
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def test_attachments_download_only_for_those_who_see_the_ticket(
    agent_web, desk_manager, team, other_team
):
    # given
    mine = save_attachment(ticket=make_ticket(team=team), message=None,
                           filename='evil"<b>.svg', content=SVG)
    theirs = save_attachment(ticket=make_ticket(team=other_team), message=None,
                             filename="x.txt", content=b"secret")
    # when
    response = agent_web.get(f"/agent/attachments/{mine.pk}/")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == SVG
    assert agent_web.get(f"/agent/attachments/{theirs.pk}/").status_code == 404
    assert signed_in(desk_manager).get(f"/agent/attachments/{theirs.pk}/").status_code == 200


def test_file_names_are_escaped_on_the_page(agent_web, team):
    ticket = make_ticket(team=team)
    save_attachment(ticket=ticket, message=None, filename="<img src=x onerror=alert(1)>.png",
                    content=b"png")
    body = agent_web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in body


def test_bulk_status_runs_per_ticket_with_the_reason_and_reports_refusals(
    agent_web, desk_agent, team, other_team
):
    # given
    open_one = make_ticket(team=team, assignee=desk_agent)
    closed = make_ticket(team=team, assignee=desk_agent, status=TicketStatus.CLOSED,
                         closed_at="2026-01-01T00:00:00Z")
    hidden = make_ticket(team=other_team)
    # when
    response = agent_web.post("/agent/bulk/", {
        "ids": [open_one.pk, closed.pk, hidden.pk], "action": "status",
        "status": TicketStatus.PENDING, "reason": "asked for logs",
        "next": "/agent/queues/mine/?priority=P3",
    }, follow=True)
    # then
    assert response.redirect_chain[-1][0] == "/agent/queues/mine/?priority=P3"
    page = response.content.decode()
    assert "Updated 1 tickets." in page
    assert f"{closed.reference} not changed" in page
    assert "1 selected tickets were not found." in page
    event = TicketEvent.objects.get(ticket=open_one, kind=EventKind.STATUS_CHANGED)
    assert (event.note, event.reason_code) == ("asked for logs", "bulk")
    assert Ticket.objects.get(pk=hidden.pk).status == TicketStatus.OPEN


def test_bulk_assign_tag_and_priority(agent_web, desk_agent, team):
    tickets = [make_ticket(team=team) for _ in range(3)]
    ids = [t.pk for t in tickets]
    for data in ({"action": "assign_agent", "agent": desk_agent.pk},
                 {"action": "add_tag", "tag": "outage"},
                 {"action": "priority", "priority": "P1"}):
        agent_web.post("/agent/bulk/", {"ids": ids, "reason": "incident 42", **data})
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert (ticket.assignee, ticket.tags, ticket.priority) == (desk_agent, ["outage"], "P1")
    assert TicketEvent.objects.filter(ticket_id__in=ids, kind=EventKind.ASSIGNED,
                                      note="incident 42").count() == 3


def test_bulk_needs_a_reason(agent_web, desk_agent, team):
    ticket = make_ticket(team=team)
    response = agent_web.post("/agent/bulk/", {"ids": [ticket.pk], "action": "priority",
                                               "priority": "P1"}, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).priority == "P3"
