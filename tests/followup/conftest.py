import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from followup.models import FollowupSettings
from followup.rules import followup_rules
from followup.services.sending import send_step
from followup.services.sweep import sweep_due_steps
from tests.tickets.factories import (
    AgentFactory,
    ContactFactory,
    OrganizationFactory,
    TeamFactory,
    TeamLeadFactory,
    TicketFactory,
)
from tickets.choices import TicketStatus
from tickets.models import Message

# A Monday, so business-hours calendars have a plain week ahead.
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _seeded_rules(db):
    """The seeded default rules and settings, put back if a transactional test flushed them."""
    from django.apps import apps

    seed = importlib.import_module("followup.migrations.0002_seed_defaults").seed
    seed(apps, None)
    # The rules cache token lives in Redis, flushed per test; the per-thread copy must follow.
    followup_rules.publish()
    yield
    cache.delete(followup_rules.key)


@pytest.fixture
def clock():
    """Travel in time: clock.to(T0 + timedelta(hours=48)); starts at T0, never ticks."""

    class Clock:
        def __init__(self) -> None:
            self.traveller = time_machine.travel(T0, tick=False)
            self.frozen = self.traveller.start()

        def to(self, moment: datetime) -> datetime:
            self.frozen.move_to(moment)
            return moment

        def after(self, **delta: float) -> datetime:
            return self.to(T0 + timedelta(**delta))

    clock = Clock()
    yield clock
    clock.traveller.stop()


@pytest.fixture
def followup_settings(db):
    row = FollowupSettings.objects.order_by("pk").first() or FollowupSettings()
    row.survey_sample_percent = 100
    row.survey_cooldown_days = 30
    row.save()
    return row


@pytest.fixture
def team(db):
    lead = TeamLeadFactory(username="lead")
    team = TeamFactory(name="Support", lead=lead)
    team.members.add(lead)
    return team


@pytest.fixture
def owner(team):
    agent = AgentFactory(username="owner")
    team.members.add(agent)
    return agent


def make_ticket(*, status=TicketStatus.OPEN, requester=None, organization=None, **fields):
    """A ticket with its first customer message, as intake leaves it."""
    organization = organization or OrganizationFactory()
    requester = requester or ContactFactory(organization=organization)
    ticket = TicketFactory(status=status, requester=requester, organization=organization,
                           **fields)
    Message.objects.create(ticket=ticket, kind="public", author_contact=requester,
                           body=ticket.description, email_message_id=f"<first.{ticket.pk}@c>")
    return ticket


def sweep_and_send(now: datetime | None = None) -> dict[int, str]:
    """Run one sweep and the sends it enqueues, in this process (the worker's part)."""
    result = sweep_due_steps(now=now)
    return {pk: send_step(step_id=pk) for pk in result.claimed + result.reclaimed}
