"""
The queue page stays cheap however many tickets a queue holds: capped navigation counts,
pages without a COUNT over the whole queue, similar tickets among the newest matches.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.tickets.factories import AgentFactory, TeamFactory
from tests.tickets.ui.conftest import make_ticket, signed_in
from tickets import queues
from tickets.choices import TicketStatus
from tickets.models import Category
from tickets.queues import QueueCount, queue_counts, queues_for, similar_open_tickets
from tickets.views import paging

pytestmark = pytest.mark.django_db


def _counts(user) -> dict[str, QueueCount]:
    return queue_counts(user=user, queues=queues_for(user), now=timezone.now())


def test_counts_are_exact_up_to_the_cap_then_capped(monkeypatch, desk_agent, team, other_team):
    # given three unassigned tickets of the agent's team, two of their own, and a busy other team
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    for _ in range(3):
        make_ticket(team=team)
    make_ticket(team=team, assignee=desk_agent)
    make_ticket(team=team, assignee=desk_agent, status=TicketStatus.SOLVED)
    for _ in range(4):
        make_ticket(team=other_team, status=TicketStatus.PENDING)
    # when
    counts = _counts(desk_agent)
    # then
    assert counts["team-unassigned"] == QueueCount(2, capped=True)
    assert str(counts["team-unassigned"]) == "2+"
    assert counts["mine"] == QueueCount(1)
    assert str(counts["mine"]) == "1"
    assert counts["pending"] == QueueCount(0)  # the other team's tickets are out of reach


def test_counts_equal_a_recount_under_the_cap(desk_agent, desk_manager, team, other_team):
    # given tickets of every queue, in reach and out of it
    now = timezone.now()
    make_ticket(team=team, status=TicketStatus.AWAITING_INFO)
    make_ticket(team=team, assignee=desk_agent, status=TicketStatus.ON_HOLD)
    make_ticket(team=other_team, escalated_at=now)
    make_ticket(team=team, escalated_at=now, due_in=timedelta(minutes=10))
    make_ticket(team=None, status=TicketStatus.NEW)
    make_ticket(team=team, status=TicketStatus.SOLVED, escalated_at=now)
    for user in (desk_agent, desk_manager):
        # when
        counts = _counts(user)
        # then: each equals a plain count of the queue's own query
        for queue in queues_for(user):
            expected = queues.open_tickets(user=user).filter(queue.condition(user, now)).count()
            assert counts[queue.slug] == QueueCount(expected), (user, queue.slug)


def test_counts_are_one_query_whatever_the_queues_hold(desk_agent, team):
    sizes = []
    for tickets in (0, 12):
        for _ in range(tickets):
            make_ticket(team=team, assignee=desk_agent)
        _counts(desk_agent)  # the user's roles and teams are read once per request
        with CaptureQueriesContext(connection) as queries:
            _counts(desk_agent)
        sizes.append(len(queries))
    assert sizes == [1, 1]


def test_the_nav_shows_a_capped_count(monkeypatch, agent_web, team):
    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    for _ in range(3):
        make_ticket(team=team)
    body = agent_web.get("/agent/queues/team-unassigned/").content.decode()
    assert '<span class="count">2+</span>' in body


def test_pages_say_of_many_until_the_last_one(agent_web, desk_agent, team):
    # given 27 tickets: one full page and two more
    for _ in range(27):
        make_ticket(team=team, assignee=desk_agent)
    # when
    with CaptureQueriesContext(connection) as queries:
        first = agent_web.get("/agent/queues/mine/").content.decode()
    last = agent_web.get("/agent/queues/mine/?page=2").content.decode()
    # then: no query counts the whole queue; the last page knows its total
    assert "1\N{EN DASH}25 of many" in first
    assert 'rel="next"' in first
    assert "26\N{EN DASH}27 of 27" in last
    assert 'rel="next"' not in last
    assert not [q for q in queries.captured_queries if 'COUNT(*) AS "__count"' in q["sql"]]


def test_pages_stop_at_the_bound(monkeypatch, agent_web, desk_agent, team):
    # given more tickets than the pager walks to
    monkeypatch.setattr(paging, "MAX_PAGE", 2)
    for _ in range(60):
        make_ticket(team=team, assignee=desk_agent)
    # when the agent asks past the bound
    response = agent_web.get("/agent/queues/mine/?page=9")
    # then the last reachable page is shown, with a hint to filter
    assert response.context["page"].number == 2
    assert len(response.context["tickets"]) == 25
    body = response.content.decode()
    assert "Narrow the filters" in body
    assert 'rel="next"' not in body


def test_odd_page_numbers_mean_the_first_page(agent_web, desk_agent, team):
    make_ticket(team=team, assignee=desk_agent)
    for page in ("x", "-3", "0", ""):
        response = agent_web.get(f"/agent/queues/mine/?page={page}")
        assert response.status_code == 200
        assert response.context["page"].number == 1


def test_queue_rows_join_their_category(agent_web, desk_agent, team):
    # given rows of several categories, then more
    categories = [Category.objects.get_or_create(slug=f"cat-{n}", defaults={"name": f"Cat {n}"})[0]
                  for n in range(4)]
    sizes = []
    for rows in (2, 10):
        for n in range(rows):
            make_ticket(team=team, assignee=desk_agent, category=categories[n % 4])
        with CaptureQueriesContext(connection) as queries:
            body = agent_web.get("/agent/queues/mine/").content.decode()
        sizes.append(len(queries))
    assert "Cat 3" in body
    assert sizes[0] == sizes[1], sizes


def test_similar_tickets_are_the_best_of_the_newest_visible_matches(monkeypatch, other_team):
    # given an agent of their own (the shared "ana" may own rows other suites committed) and
    # matching tickets in and out of reach, a solved one, and an unrelated one
    desk_agent = AgentFactory()
    team = TeamFactory(members=[desk_agent])

    def titled(subject: str, **fields):
        # The text is the subject alone: a random paragraph may hold "charge" or "refund".
        return make_ticket(subject=subject, description=subject, **fields)

    ticket = titled("Refund for duplicate charge", team=team)
    old_exact = titled("Refund duplicate charge please", team=team)
    partial = titled("Question about a refund", team=team)
    exact = titled("Duplicate charge, refund needed", team=team)
    titled("Refund for duplicate charge", team=other_team)
    titled("Refund for duplicate charge", team=team, status=TicketStatus.SOLVED)
    titled("Cannot export reports", team=team)
    # when
    found = similar_open_tickets(user=desk_agent, ticket=ticket)
    monkeypatch.setattr(queues, "SIMILAR_CANDIDATES", 2)
    newest = similar_open_tickets(user=desk_agent, ticket=ticket)
    # then: ranked by likeness among what the agent may see; capped to the newest candidates
    assert set(found[:2]) == {exact, old_exact}  # every word matches: ranked above
    assert found[2:] == [partial]
    assert newest == [exact, partial]


def test_manager_sees_all_open_capped(monkeypatch, desk_manager, team, other_team):
    monkeypatch.setattr(queues, "COUNT_CAP", 3)
    for owner in (team, other_team, None, team):
        make_ticket(team=owner)
    body = signed_in(desk_manager).get("/agent/queues/all-open/").content.decode()
    assert '<span class="count">3+</span>' in body


def test_next_ticket_is_the_most_urgent_of_mine_after_the_current(agent_web, desk_agent, team):
    # given two of the agent's tickets, the sooner due first
    sooner = make_ticket(team=team, assignee=desk_agent, due_in=timedelta(minutes=20))
    later = make_ticket(team=team, assignee=desk_agent, due_in=timedelta(hours=3))
    # when / then
    assert agent_web.get("/agent/next/")["Location"] == f"/agent/tickets/{sooner.pk}/"
    after = agent_web.get(f"/agent/next/?after={sooner.pk}")
    assert after["Location"] == f"/agent/tickets/{later.pk}/"


def test_rows_show_status_and_tier_labels(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, assignee=desk_agent, status=TicketStatus.AWAITING_INFO)
    body = agent_web.get("/agent/queues/mine/").content.decode()
    org = ticket.organization
    assert f'<span class="status status-awaiting_info">{TicketStatus.AWAITING_INFO.label}' in body
    assert f'<span class="tier tier-{org.tier}">{org.get_tier_display()}</span>' in body
