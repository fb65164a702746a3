import pytest

from tests.routing.factories import TeamProfileFactory, agent_in, team_name
from tests.tickets.factories import ContactFactory, TeamFactory, TicketFactory
from tickets.choices import TicketStatus
from tickets.services.intake import NewTicket, create_ticket


@pytest.fixture
def intake(settings):
    """
    Create a ticket through the real intake service with routing as its only stage, so the
    scenarios test routing's choices, not what triage's seeded rules make of the text.
    """
    settings.HELPDESK_INTAKE_PIPELINE = ["routing.stages.route"]

    def create(**fields: object):
        fields.setdefault("subject", "Help")
        fields.setdefault("description", "Something is wrong.")
        fields.setdefault("requester_email", ContactFactory.build().email)
        ticket, ctx = create_ticket(request=NewTicket(**fields))
        return ticket, ctx

    return create


@pytest.fixture
def handoff_desk(db):
    """
    Support (Ana's ticket, no order id yet) and Billing, whose contract needs an order id and
    whose agents must accept transfers: (support, billing, sender, receiver, ticket).
    """
    support = TeamFactory(name=team_name("Support"))
    billing = TeamFactory(name=team_name("Billing"))
    TeamProfileFactory(team=billing, must_accept=True,
                       required_fields=["ticket.custom_fields.order_id"])
    sender, receiver = agent_in(support), agent_in(billing)
    ticket = TicketFactory(team=support, assignee=sender, status=TicketStatus.OPEN)
    return support, billing, sender, receiver, ticket
