import pytest

from tests.tickets.factories import ContactFactory
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
