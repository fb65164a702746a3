import pytest

from escalation.notifications.choices import ChannelKind
from escalation.notifications.models import NotificationChannel
from tests.escalation.notifications.receivers import receiver
from tests.tickets.factories import OrganizationFactory, TicketFactory
from tickets.choices import Priority, Tier

__all__ = ["receiver"]  # a fixture, imported for pytest to find


@pytest.fixture
def email_channel(db) -> NotificationChannel:
    # The seeded row is gone after a transactional test flushed the tables.
    channel, _ = NotificationChannel.objects.update_or_create(
        name="Email", defaults={"kind": ChannelKind.EMAIL, "enabled": True, "default_on": True}
    )
    return channel


@pytest.fixture
def webhook_channel(db, receiver) -> NotificationChannel:
    """A chat webhook pointing at the local receiver, which needs the private-address flag."""
    return NotificationChannel.objects.create(
        name="Ops room", kind=ChannelKind.WEBHOOK, url=receiver.url, allow_private_address=True,
    )


@pytest.fixture
def acme_ticket(db):
    organization = OrganizationFactory(name="Acme Corp", tier=Tier.ENTERPRISE)
    return TicketFactory(subject="Production API down", priority=Priority.P1,
                         organization=organization)
