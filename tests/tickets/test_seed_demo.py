from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from tickets.choices import Channel, EventKind, MessageKind, Priority, Role, TicketStatus, Tier
from tickets.demo.cast import DEMO_PASSWORD
from tickets.models import (
    ApiKey,
    Category,
    Contact,
    Message,
    Organization,
    Team,
    Ticket,
    TicketEvent,
)

# Seeding 300 tickets through the services takes a while; do it once for the module.
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(600)]

COUNTED = (get_user_model(), Group, Team, Organization, Contact, Ticket, Message, TicketEvent,
           ApiKey, Category)


@dataclass
class Seeded:
    first_output: str
    second_output: str
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]
    tickets_after_first: dict[int, object]
    tickets_after_second: dict[int, object]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _ticket_versions() -> dict[int, object]:
    return dict(Ticket.objects.values_list("pk", "updated_at"))


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    # One outer transaction for the module, rolled back at the end: tests see the seeded
    # desk through savepoints and leave the test database as they found it.
    with django_db_blocker.unblock(), transaction.atomic():
        first = _seed()
        counts, versions = _counts(), _ticket_versions()
        second = _seed()
        try:
            yield Seeded(first, second, counts, _counts(), versions, _ticket_versions())
        finally:
            transaction.set_rollback(True)


def test_second_run_creates_and_changes_nothing(seeded):
    assert seeded.counts_after_second == seeded.counts_after_first
    assert seeded.tickets_after_second == seeded.tickets_after_first
    assert "300 new tickets" in seeded.first_output
    assert "0 new tickets" in seeded.second_output


def test_intake_key_is_printed_only_when_created(seeded):
    assert "demo-web-form" in seeded.first_output
    assert "shown once" not in seeded.second_output
    key = ApiKey.objects.get(name="demo-web-form")
    assert key.scopes == ["intake"]
    assert key.prefix in seeded.first_output


def test_every_status_channel_priority_and_category_is_present(seeded):
    demo = Ticket.objects.filter(external_id__startswith="demo-")
    assert set(demo.values_list("status", flat=True)) == set(TicketStatus.values)
    assert set(demo.values_list("channel", flat=True)) == set(Channel.values)
    assert set(demo.values_list("priority", flat=True)) == set(Priority.values)
    assert set(demo.values_list("category", flat=True)) == set(
        Category.objects.values_list("slug", flat=True)
    )
    assert set(Organization.objects.values_list("tier", flat=True)) == set(Tier.values)


def test_every_role_has_a_demo_login(seeded, client):
    for username, role in [("agent", Role.AGENT), ("lead", Role.TEAM_LEAD),
                           ("manager", Role.MANAGER), ("admin", Role.ADMIN)]:
        user = get_user_model().objects.get(username=username)
        assert user.groups.filter(name=role.value).exists()
        assert user.check_password(DEMO_PASSWORD)
        assert all([user.email, user.first_name, user.last_name])
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get("/admin/tickets/ticket/").status_code == 200


def test_teams_have_leads_and_members(seeded):
    teams = Team.objects.annotate(size=Count("members"))
    assert set(teams.values_list("name", flat=True)) >= {
        "Billing", "Technical Support", "Accounts", "Enterprise"
    }
    assert all(team.lead_id is not None and team.size >= 3 for team in teams)


def test_counts_and_spread_are_realistic(seeded):
    demo = Ticket.objects.filter(external_id__startswith="demo-")
    assert demo.count() == 300
    assert demo.filter(tags__contains=["demo"]).count() == 300
    messages = Message.objects.filter(ticket__in=demo)
    assert 2.5 <= messages.count() / 300 <= 8
    assert messages.filter(kind=MessageKind.INTERNAL).count() >= 50
    assert messages.filter(author_contact__isnull=False).count() > 300  # customers write back
    kinds = set(TicketEvent.objects.filter(ticket__in=demo).values_list("kind", flat=True))
    assert kinds >= {EventKind.CREATED, EventKind.ASSIGNED, EventKind.STATUS_CHANGED,
                     EventKind.AGENT_REPLIED, EventKind.CUSTOMER_REPLIED, EventKind.NOTE_ADDED,
                     EventKind.REOPENED, EventKind.ESCALATED}
    span = demo.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert (span["last"] - span["first"]).days >= 45
    assert span["last"] <= timezone.now()
    assert demo.filter(organization__isnull=True).exists()  # people with personal mailboxes
    assert Contact.objects.count() >= 25
    unsolved = demo.filter(status__in=[TicketStatus.NEW, TicketStatus.OPEN,
                                       TicketStatus.PENDING, TicketStatus.AWAITING_INFO])
    assert 30 <= unsolved.count() <= 150


def test_timelines_are_in_order_and_counters_match(seeded):
    demo = Ticket.objects.filter(external_id__startswith="demo-")
    assert not demo.filter(first_response_at__lt=F("created_at")).exists()
    assert not demo.filter(solved_at__lt=F("created_at")).exists()
    assert not demo.filter(closed_at__lt=F("solved_at")).exists()
    assert not demo.filter(status=TicketStatus.CLOSED, closed_at__isnull=True).exists()
    assert not Message.objects.filter(ticket__in=demo, created_at__lt=F("ticket__created_at")
                                      ).exists()
    assert not TicketEvent.objects.filter(ticket__in=demo, created_at__lt=F("ticket__created_at")
                                          ).exists()
    replies = demo.annotate(agent_public=Count(
        "messages", filter=Q(messages__kind=MessageKind.PUBLIC,
                             messages__author_user__isnull=False)))
    assert all(ticket.agent_public == ticket.public_replies for ticket in replies)
    reopened = demo.filter(events__kind=EventKind.REOPENED).distinct()
    assert reopened.exists()
    assert all(ticket.reopens >= 1 for ticket in reopened)
