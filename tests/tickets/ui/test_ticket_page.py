import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from tests.tickets.factories import AgentFactory, UserFactory
from tests.tickets.ui.conftest import make_ticket, signed_in
from tickets.choices import EventKind, TicketStatus
from tickets.models import Macro, MacroUse, Message, Ticket
from tickets.services.lifecycle import change_status
from tickets.services.messages import add_agent_message

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# The spine: user, permissions (2), team ids (2, once per request), ticket, its triage and
# routing rows, timeline (2) and the names of its people (1), attachments (the list and the
# timeline's files), forms' choices (3), macros, articles, recent (2), similar. The panels of
# settings.HELPDESK_TICKET_PANELS add about ten: clocks and SLA history, escalations, handoffs
# and followers, follow-ups and check-ins. (The SLA rows lists prefetch are not read twice.)
PAGE_QUERY_BUDGET = 31


def test_page_shows_the_whole_story_oldest_first(agent_web, desk_agent, team):
    # given
    ticket = make_ticket(team=team, assignee=desk_agent, description="  indented log line\nline 2")
    add_agent_message(ticket=ticket, author=desk_agent, body="Checking the logs.", public=False)
    add_agent_message(ticket=ticket, author=desk_agent, body="Could you send a screenshot?",
                      public=True)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=desk_agent,
                  reason="waiting", reason_code="need_info")
    # when
    body = agent_web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    # then
    assert "  indented log line\nline 2" in body  # verbatim, whitespace kept
    order = [body.index(text) for text in
             ("Original request", "Checking the logs.", "Could you send a screenshot?",
              "reason: need_info")]
    assert order == sorted(order)
    assert 'class="msg msg-note' in body
    assert "Open → Pending (waiting on customer)" in body


def test_ticket_outside_reach_is_404(agent_web, other_team, desk_manager):
    ticket = make_ticket(team=other_team)
    assert agent_web.get(f"/agent/tickets/{ticket.pk}/").status_code == 404
    assert agent_web.get("/agent/tickets/999999/").status_code == 404
    assert agent_web.post(f"/agent/tickets/{ticket.pk}/reply/", {"body": "x"}).status_code == 404
    assert signed_in(desk_manager).get(f"/agent/tickets/{ticket.pk}/").status_code == 200


def test_users_without_a_role_get_403(team):
    ticket = make_ticket(team=team)
    client = signed_in(UserFactory())  # no role: no tickets.view_ticket
    assert client.get(f"/agent/tickets/{ticket.pk}/").status_code == 403
    assert client.get("/agent/queues/mine/").status_code == 403


def test_payloads_in_subject_and_body_are_shown_as_text(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, assignee=desk_agent, subject=XSS, description=XSS)
    Message.objects.create(ticket=ticket, kind="public", author_contact=ticket.requester,
                           body=XSS, original_body=f"<html><body>{XSS}</body></html>")
    response = agent_web.get(f"/agent/tickets/{ticket.pk}/")
    body = response.content.decode()
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_reply_with_an_unedited_macro_records_its_use(agent_web, desk_agent, team):
    # given
    ticket = make_ticket(team=team, assignee=desk_agent)
    ticket.requester.name = "Bea Jones"
    ticket.requester.save()
    macro = Macro.objects.create(name="Ask", body="Hi {{ requester.first_name }}, about "
                                 "{{ ticket.reference }}: could you send a screenshot?")
    text = agent_web.get(f"/agent/tickets/{ticket.pk}/macros/{macro.pk}/").content.decode()
    assert text == f"Hi Bea, about {ticket.reference}: could you send a screenshot?"
    # when
    response = agent_web.post(f"/agent/tickets/{ticket.pk}/reply/", {
        "body": text.replace("\n", "\r\n") + "\r\n", "public": "1", "macro": macro.pk,
        "etag": ticket.etag, "then_status": TicketStatus.PENDING,
    })
    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.PENDING
    use = MacroUse.objects.get()
    assert (use.macro, use.edited, use.message.body.startswith("Hi Bea")) == (macro, False, True)


def test_an_edited_macro_is_recorded_as_edited(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, assignee=desk_agent)
    macro = Macro.objects.create(name="Thanks", body="Thanks!")
    agent_web.post(f"/agent/tickets/{ticket.pk}/reply/", {
        "body": "Thanks! One more thing.", "public": "0", "macro": macro.pk, "etag": ticket.etag,
    })
    assert MacroUse.objects.get().edited is True
    assert Message.objects.get(kind="internal").body == "Thanks! One more thing."


def test_a_stale_reply_is_refused_and_the_draft_kept(agent_web, desk_agent, team):
    # given the page was read, then a colleague replied
    ticket = make_ticket(team=team, assignee=desk_agent)
    opened = ticket.etag
    add_agent_message(ticket=ticket, author=AgentFactory(), body="Colleague's answer",
                      public=True)
    # when
    response = agent_web.post(f"/agent/tickets/{ticket.pk}/reply/",
                              {"body": "My draft", "public": "1", "etag": opened})
    # then
    assert response.status_code == 409
    body = response.content.decode()
    assert "your draft is kept" in body.lower()
    assert "My draft</textarea>" in body
    # The fresh ETag is in the form: sending again is a deliberate choice.
    assert escape(Ticket.objects.get(pk=ticket.pk).etag) in body
    assert not Message.objects.filter(body="My draft").exists()


def test_page_edits_go_through_services_and_stale_ones_are_refused(agent_web, desk_agent, team):
    # given
    ticket = make_ticket(team=team, assignee=desk_agent)
    form = {"status": TicketStatus.ON_HOLD, "priority": "P1", "category": "billing",
            "team": team.pk, "assignee": desk_agent.pk, "reason": "customer is a VIP",
            "etag": ticket.etag}
    # when
    assert agent_web.post(f"/agent/tickets/{ticket.pk}/update/", form).status_code == 302
    stale = agent_web.post(f"/agent/tickets/{ticket.pk}/update/", {**form, "priority": "P4"})
    # then
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.category_id) == ("on_hold", "P1", "billing")
    kinds = set(ticket.events.values_list("kind", flat=True))
    assert {EventKind.STATUS_CHANGED, EventKind.PRIORITY_CHANGED,
            EventKind.FIELDS_CHANGED} <= kinds
    assert ticket.events.get(kind=EventKind.PRIORITY_CHANGED).note == "customer is a VIP"
    assert stale.status_code == 409
    assert "Someone else changed this ticket" in stale.content.decode()


def test_assign_to_me(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, status=TicketStatus.NEW)
    agent_web.post(f"/agent/tickets/{ticket.pk}/assign-me/", {"etag": ticket.etag})
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team, ticket.status) == (desk_agent, team, "open")


def test_presence_names_other_viewers_and_notices_changes(desk_agent, lead, team):
    ticket = make_ticket(team=team)
    opened = ticket.etag
    signed_in(lead).get(f"/agent/tickets/{ticket.pk}/")
    client = signed_in(desk_agent)
    url = f"/agent/tickets/{ticket.pk}/presence/?etag={opened}"
    first = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Also viewing now: Lee Lead" in first
    assert "changed since" not in first
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    assert "changed since you opened it" in client.get(url).content.decode()


def test_page_queries_do_not_grow_with_the_timeline(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, assignee=desk_agent)
    counts = []
    for entries in (5, 45):
        for n in range(entries):
            add_agent_message(ticket=ticket, author=desk_agent, body=f"note {n}", public=False)
        with CaptureQueriesContext(connection) as queries:
            assert agent_web.get(f"/agent/tickets/{ticket.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= PAGE_QUERY_BUDGET, counts
