import pytest

from tests.tickets.factories import ContactFactory
from tickets.services.intake import NewTicket, create_ticket


@pytest.fixture
def intake():
    """Create a ticket through the real intake service (pipeline included)."""

    def create(**fields: object):
        fields.setdefault("subject", "Help")
        fields.setdefault("description", "Something is wrong.")
        fields.setdefault("requester_email", ContactFactory.build().email)
        ticket, ctx = create_ticket(request=NewTicket(**fields))
        return ticket, ctx

    return create
