"""Who may own a ticket: an active agent of the ticket's team."""

import pytest
from django.contrib.auth.models import Permission

from tests.tickets.factories import AgentFactory, TeamFactory, TicketFactory, UserFactory
from tickets.services.assignment import InvalidAssignment, assign_ticket

pytestmark = pytest.mark.django_db


def test_an_agent_of_the_team_gets_the_ticket_in_a_fixed_number_of_queries(
    django_assert_num_queries, settings
):
    # given an agent in the ticket's team (other apps' event handlers are theirs to count)
    settings.HELPDESK_EVENT_HANDLERS = {}
    agent = AgentFactory()
    team = TeamFactory(members=[agent])
    ticket = TicketFactory(team=team)
    # when routing assigns it (agent and team given): a savepoint and its release, the lock,
    # two permission reads, membership, the update, the event. (One query joining all three
    # checks was tried: its planning alone cost more than the three small reads.)
    with django_assert_num_queries(8):
        ticket = assign_ticket(ticket=ticket, agent=agent, team=team, reason_code="manual",
                               actor=None)
    # then
    ticket.refresh_from_db()
    assert ticket.assignee_id == agent.pk


def test_a_user_without_the_agent_role_is_refused():
    team = TeamFactory(members=[UserFactory()])
    outsider = team.members.get()
    with pytest.raises(InvalidAssignment, match="Only agents can own tickets"):
        assign_ticket(ticket=TicketFactory(team=team), agent=outsider, reason_code="manual",
                      actor=None)


def test_the_work_permission_given_to_the_user_directly_is_enough():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="work_ticket"))
    ticket = TicketFactory(team=TeamFactory(members=[user]))
    ticket = assign_ticket(ticket=ticket, agent=user, reason_code="manual", actor=None)
    assert ticket.assignee_id == user.pk


def test_an_agent_of_another_team_is_refused():
    ticket = TicketFactory(team=TeamFactory(name="Billing"))
    with pytest.raises(InvalidAssignment, match="not a member of Billing"):
        assign_ticket(ticket=ticket, agent=AgentFactory(), reason_code="manual", actor=None)


def test_an_inactive_agent_is_refused():
    agent = AgentFactory(is_active=False)
    ticket = TicketFactory(team=TeamFactory(members=[agent]))
    with pytest.raises(InvalidAssignment, match="inactive"):
        assign_ticket(ticket=ticket, agent=agent, reason_code="manual", actor=None)


def test_without_a_team_any_agent_may_own_the_ticket():
    agent = AgentFactory()
    ticket = TicketFactory(team=None)
    ticket = assign_ticket(ticket=ticket, agent=agent, reason_code="manual", actor=None)
    assert ticket.assignee_id == agent.pk
