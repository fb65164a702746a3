from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.tickets.factories import (
    AgentFactory,
    ContactFactory,
    ManagerFactory,
    OrganizationFactory,
    TeamFactory,
    TeamLeadFactory,
    TicketFactory,
)
from tickets.choices import TicketStatus
from tickets.models import Message


@pytest.fixture(autouse=True)
def _sessions_in_cookies(settings):
    # Every engineer's test run shares one Redis database and flushes it per test; cookie
    # sessions keep a concurrent flush from signing this test's user out.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


@pytest.fixture
def team(db):
    return TeamFactory(name="Billing")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Platform")


@pytest.fixture
def desk_agent(team):
    agent = AgentFactory(username="ana", first_name="Ana", last_name="Silva")
    team.members.add(agent)
    return agent


@pytest.fixture
def lead(team):
    user = TeamLeadFactory(username="lee", first_name="Lee", last_name="Lead")
    team.members.add(user)
    return user


@pytest.fixture
def desk_manager(db):
    return ManagerFactory(username="max", first_name="Max", last_name="Manager")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent_web(desk_agent) -> Client:
    return signed_in(desk_agent)


def make_ticket(*, team=None, assignee=None, status=TicketStatus.OPEN, due_in=None, **kwargs):
    """Create a ticket with its original customer message, as intake does."""
    org = kwargs.pop("organization", None) or OrganizationFactory()
    requester = kwargs.pop("requester", None) or ContactFactory(organization=org)
    ticket = TicketFactory(
        team=team, assignee=assignee, status=status, organization=org, requester=requester,
        sla_due_at=timezone.now() + due_in if due_in is not None else None, **kwargs,
    )
    Message.objects.create(ticket=ticket, kind="public", author_contact=requester,
                           body=ticket.description, created_at=ticket.created_at)
    return ticket


@pytest.fixture
def hour():
    return timedelta(hours=1)
