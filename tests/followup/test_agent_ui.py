"""The ticket page's follow-up panel and the "My check-ins" page."""

import pytest

from followup.models import CheckIn, ResolutionSummary, ScheduledStep
from tests.clients import signed_in
from tests.followup.conftest import make_ticket
from tests.tickets.factories import AgentFactory, TeamFactory
from tickets.choices import EventKind, Priority, TicketStatus
from tickets.services.lifecycle import change_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cookie_sessions")]


def test_panel_edits_the_summary_and_lists_steps(owner, team):
    # given: a pending ticket of the agent's team
    ticket = make_ticket(assignee=owner, team=team)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    client = signed_in(owner)

    # when: the agent writes a summary (with markup)
    saved = client.post(f"/agent/tickets/{ticket.pk}/follow-up/summary/", {
        "problem": "<script>alert(1)</script>", "actions": "Reset the token.", "next_steps": ""})

    # then: it is stored verbatim and shown escaped, with the schedule
    assert saved.status_code == 302
    assert ResolutionSummary.objects.get(ticket=ticket).problem == "<script>alert(1)</script>"
    page = client.get(f"/agent/tickets/{ticket.pk}/")
    assert page.status_code == 200
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content
    assert b"<script>alert(1)" not in page.content
    assert b"Reminder" in page.content
    assert b"Auto-close" in page.content


def test_agent_cancels_a_step_from_the_panel_with_a_reason(owner, team):
    ticket = make_ticket(assignee=owner, team=team)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    step = ScheduledStep.objects.get(ticket=ticket, step="reminder")
    client = signed_in(owner)

    no_reason = client.post(f"/agent/tickets/{ticket.pk}/follow-up/steps/{step.pk}/cancel/",
                            {"reason": ""})
    step.refresh_from_db()
    assert (no_reason.status_code, step.state) == (302, "pending")

    client.post(f"/agent/tickets/{ticket.pk}/follow-up/steps/{step.pk}/cancel/",
                {"reason": "Talking by phone"})
    step.refresh_from_db()
    assert (step.state, step.note) == ("cancelled", "Talking by phone")


def test_agents_of_other_teams_get_404(owner, team):
    ticket = make_ticket(assignee=owner, team=team)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    step = ScheduledStep.objects.get(ticket=ticket, step="reminder")
    stranger = AgentFactory()
    TeamFactory(name="Elsewhere").members.add(stranger)
    client = signed_in(stranger)
    assert client.post(f"/agent/tickets/{ticket.pk}/follow-up/steps/{step.pk}/cancel/",
                       {"reason": "x"}).status_code == 404
    assert client.post(f"/agent/tickets/{ticket.pk}/follow-up/summary/",
                       {"problem": "x"}).status_code == 404
    step.refresh_from_db()
    assert step.state == "pending"


def test_my_checkins_lists_mine_and_closes_with_a_note(owner, team):
    # given: two P1 tickets solved, so the owner has two check-ins; a colleague has one
    mine = [make_ticket(assignee=owner, team=team, priority=Priority.P1) for _ in range(2)]
    colleague = AgentFactory()
    team.members.add(colleague)
    theirs = make_ticket(assignee=colleague, team=team, priority=Priority.P1)
    for ticket in [*mine, theirs]:
        change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=ticket.assignee)
    client = signed_in(owner)

    # when
    page = client.get("/agent/check-ins/")

    # then: the owner's two, not the colleague's; the nav links here
    assert page.status_code == 200
    for ticket in mine:
        assert ticket.reference.encode() in page.content
    assert theirs.reference.encode() not in page.content
    assert b'href="/agent/check-ins/"' in page.content

    # when: one is done with a note; the colleague's cannot be closed by the owner
    checkin = CheckIn.objects.get(ticket=mine[0])
    client.post(f"/agent/check-ins/{checkin.pk}/close/", {"state": "done", "note": "Fine now"})
    other = CheckIn.objects.get(ticket=theirs)
    refused = client.post(f"/agent/check-ins/{other.pk}/close/",
                          {"state": "done", "note": "x"})

    # then
    checkin.refresh_from_db()
    assert (checkin.state, checkin.note) == ("done", "Fine now")
    assert mine[0].events.get(kind=EventKind.CHECKIN_DONE).actor == owner
    assert refused.status_code == 404
    assert CheckIn.objects.get(pk=other.pk).state == "open"


def test_checkins_page_queries_do_not_grow_with_rows(owner, team,
                                                     django_assert_max_num_queries):
    client = signed_in(owner)
    for _ in range(3):
        ticket = make_ticket(assignee=owner, team=team, priority=Priority.P1)
        change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    client.get("/agent/check-ins/")  # warm permission caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/agent/check-ins/")
    for _ in range(10):
        ticket = make_ticket(assignee=owner, team=team, priority=Priority.P1)
        change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    with CaptureQueriesContext(connection) as many:
        client.get("/agent/check-ins/")
    assert len(many) == len(few)


def test_ticket_page_panel_queries_do_not_grow_with_steps(owner, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(owner)
    ticket = make_ticket(assignee=owner, team=team)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    client.get(f"/agent/tickets/{ticket.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/agent/tickets/{ticket.pk}/")
    for _ in range(5):  # more cycles: more steps, more cancelled rows
        change_status(ticket=ticket, status=TicketStatus.OPEN, actor=owner)
        change_status(ticket=ticket, status=TicketStatus.PENDING, actor=owner)
    assert ScheduledStep.objects.filter(ticket=ticket).count() == 12
    with CaptureQueriesContext(connection) as many:
        client.get(f"/agent/tickets/{ticket.pk}/")
    assert len(many) == len(few)
