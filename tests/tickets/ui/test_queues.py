from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tickets.factories import AgentFactory
from tests.tickets.ui.conftest import make_ticket, signed_in
from tickets.choices import TicketStatus

pytestmark = pytest.mark.django_db
# User, permissions, role, team ids (visible_tickets runs once per queryset), rows (no COUNT of
# the queue: pages read one row ahead), one statement for every queue's capped count, filter
# options, and the nav.
QUEUE_QUERY_BUDGET = 20


def _refs(response) -> list[str]:
    return [t.reference for t in response.context["tickets"]]


def test_my_queue_shows_my_open_tickets_most_urgent_first(agent_web, desk_agent, team):
    # given
    later = make_ticket(team=team, assignee=desk_agent, due_in=timedelta(hours=5))
    sooner = make_ticket(team=team, assignee=desk_agent, due_in=timedelta(minutes=20))
    no_clock = make_ticket(team=team, assignee=desk_agent, priority="P1")
    make_ticket(team=team, assignee=desk_agent, status=TicketStatus.SOLVED)
    make_ticket(team=team, assignee=AgentFactory())
    # when
    response = agent_web.get("/agent/queues/mine/")
    # then
    assert _refs(response) == [sooner.reference, later.reference, no_clock.reference]
    assert b"sla-soon" in response.content


def test_ties_on_sla_are_broken_by_priority(agent_web, desk_agent, team):
    due = timezone.now() + timedelta(hours=2)
    low = make_ticket(team=team, assignee=desk_agent, priority="P4")
    high = make_ticket(team=team, assignee=desk_agent, priority="P1")
    type(low).objects.filter(pk__in=[low.pk, high.pk]).update(sla_due_at=due)
    assert _refs(agent_web.get("/agent/queues/mine/")) == [high.reference, low.reference]


def test_agents_see_only_their_teams_tickets(agent_web, team, other_team):
    mine = make_ticket(team=team)
    theirs = make_ticket(team=other_team)
    response = agent_web.get("/agent/queues/team-unassigned/")
    assert _refs(response) == [mine.reference]
    assert theirs.subject.encode() not in response.content


def test_all_open_is_for_leads_and_managers(agent_web, lead, desk_manager, team, other_team):
    make_ticket(team=team)
    make_ticket(team=other_team)
    assert agent_web.get("/agent/queues/all-open/").status_code == 404
    assert b"All open" not in agent_web.get("/agent/queues/mine/").content
    assert len(_refs(signed_in(lead).get("/agent/queues/all-open/"))) == 1
    assert len(_refs(signed_in(desk_manager).get("/agent/queues/all-open/"))) == 2


def test_status_queues(agent_web, team):
    awaiting = make_ticket(team=team, status=TicketStatus.AWAITING_INFO)
    pending = make_ticket(team=team, status=TicketStatus.PENDING)
    held = make_ticket(team=team, status=TicketStatus.ON_HOLD)
    escalated = make_ticket(team=team, escalated_at=timezone.now())
    breaching = make_ticket(team=team, due_in=timedelta(minutes=40))
    overdue = make_ticket(team=team, due_in=-timedelta(minutes=5))
    make_ticket(team=team, due_in=timedelta(hours=3))
    assert _refs(agent_web.get("/agent/queues/awaiting-info/")) == [awaiting.reference]
    assert set(_refs(agent_web.get("/agent/queues/pending/"))) == {pending.reference,
                                                                   held.reference}
    assert _refs(agent_web.get("/agent/queues/escalated/")) == [escalated.reference]
    assert _refs(agent_web.get("/agent/queues/breaching/")) == [overdue.reference,
                                                                breaching.reference]
    assert agent_web.get("/agent/queues/manual-review/").status_code == 200


def test_filters_and_search_use_the_shared_filterset(agent_web, desk_agent, team):
    refund = make_ticket(team=team, assignee=desk_agent, subject="Refund for duplicate charge",
                         priority="P2", tags=["vip"])
    make_ticket(team=team, assignee=desk_agent, subject="Cannot export reports", priority="P3")
    for query in ("q=refund", "priority=P2", "tag=VIP", "status=open&q=duplicate"):
        assert _refs(agent_web.get(f"/agent/queues/mine/?{query}")) == [refund.reference], query


def test_server_side_pagination_keeps_filters(agent_web, desk_agent, team):
    for _ in range(27):
        make_ticket(team=team, assignee=desk_agent, priority="P2")
    first = agent_web.get("/agent/queues/mine/?priority=P2")
    second = agent_web.get("/agent/queues/mine/?priority=P2&page=2")
    assert len(first.context["tickets"]) == 25
    assert len(second.context["tickets"]) == 2
    assert b"priority=P2&amp;page=2" in first.content


def test_htmx_poll_gets_only_the_rows(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, assignee=desk_agent)
    response = agent_web.get("/agent/queues/mine/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<tbody id="queue-rows"')
    assert ticket.reference in body
    assert "<nav" not in body
    assert "<html" not in body


def test_unknown_queue_is_404(agent_web):
    assert agent_web.get("/agent/queues/nope/").status_code == 404


def test_queue_xss_payloads_are_text(agent_web, desk_agent, team):
    payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    make_ticket(team=team, assignee=desk_agent, subject=payload)
    body = agent_web.get("/agent/queues/mine/").content.decode()
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in body


def test_queue_queries_do_not_grow_with_rows(agent_web, desk_agent, team):
    # given five rows, then fifty
    counts = []
    for rows in (5, 45):
        for _ in range(rows):
            make_ticket(team=team, assignee=desk_agent, due_in=timedelta(hours=2))
        # when
        with CaptureQueriesContext(connection) as queries:
            response = agent_web.get("/agent/queues/mine/")
        counts.append(len(queries))
        assert response.status_code == 200
    # then
    assert counts[0] == counts[1] <= QUEUE_QUERY_BUDGET, counts


def test_empty_filter_choices_mean_any(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, assignee=desk_agent, priority="P1")
    response = agent_web.get("/agent/queues/mine/?q=&status=&priority=P1&channel=&team=&tag=")
    assert _refs(response) == [ticket.reference]
    assert not response.context["filter"].errors
    assert response.context["filter_query"] == "priority=P1"
