import pytest
from django.apps import apps

from escalation.seeds import seed_sla_defaults
from tests.escalation.worker import sla_worker  # noqa: F401 - fixture for the worker tests
from tests.tickets.factories import ContactFactory
from tickets.services.intake import NewTicket, create_ticket


@pytest.fixture(autouse=True)
def _sla_defaults(request):
    """Transactional tests empty the tables that migrations seeded; put the defaults back."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction")
    if transactional or {"transactional_db", "live_server"} & set(request.fixturenames):
        seed_sla_defaults(apps)


@pytest.fixture
def intake(settings):
    """
    Create tickets through the real intake service with the SLA stage alone, so the clocks
    start from the priority the test gives, not from what triage's rules make of the text.
    """
    settings.HELPDESK_INTAKE_PIPELINE = ["escalation.stages.start_sla"]

    def create(priority: str = "P3", **fields: object):
        fields.setdefault("subject", "Help")
        fields.setdefault("description", "Something is wrong.")
        fields.setdefault("requester_email", ContactFactory.build().email)
        ticket, _ctx = create_ticket(request=NewTicket(priority=priority, **fields))
        return ticket

    return create
