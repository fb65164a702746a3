import pytest
from django.urls import reverse

from tests.tickets.factories import (
    AdminFactory,
    AgentFactory,
    ContactFactory,
    OrganizationFactory,
    TeamFactory,
    TicketFactory,
)
from tickets.models import Category, Message, TicketEvent
from tickets.services.keys import create_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = AdminFactory(is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "model",
    ["ticket", "organization", "contact", "team", "category", "message", "ticketevent",
     "attachment", "outboundemail", "apikey"],
)
def test_every_model_has_a_working_changelist(admin_client, model):
    TicketFactory(organization=OrganizationFactory(), team=TeamFactory())
    create_api_key(name="form", scopes=["intake"])
    response = admin_client.get(reverse(f"admin:tickets_{model}_changelist"))
    assert response.status_code == 200


def test_ticket_page_shows_a_read_only_timeline(admin_client):
    ticket = TicketFactory()
    Message.objects.create(ticket=ticket, kind="public", author_contact=ticket.requester,
                           body="<script>alert(1)</script>")
    TicketEvent.objects.create(ticket=ticket, kind="created")
    response = admin_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content
    assert 'name="events-0-kind"' not in content  # shown, never editable


def test_changelist_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    contact = ContactFactory()
    TicketFactory.create_batch(30, requester=contact, team=TeamFactory())
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:tickets_ticket_changelist"))
    assert response.status_code == 200


def test_category_edits_are_versioned_and_restorable(admin_client):
    # given a category an admin created
    form = {"slug": "warranty", "name": "Warranty", "active": "on", "description": ""}
    admin_client.post(reverse("admin:tickets_category_add"), form)
    category = Category.objects.get(slug="warranty")
    # when an admin renames it
    response = admin_client.post(reverse("admin:tickets_category_change", args=[category.pk]),
                                 {**form, "name": "Guarantees"})
    # then the change is recorded with who made it
    assert response.status_code == 302
    latest = category.history.latest()
    assert (latest.name, latest.history_user.is_superuser) == ("Guarantees", True)
    # and the previous version can be restored from the history page
    previous = category.history.get(name="Warranty")
    revert_url = reverse("admin:tickets_category_simple_history",
                         args=[category.pk, previous.history_id])
    assert admin_client.get(revert_url).status_code == 200
    admin_client.post(revert_url, form)
    category.refresh_from_db()
    assert category.name == "Warranty"
    assert category.history.count() == 3


def test_agents_cannot_open_the_admin(client):
    client.force_login(AgentFactory())
    response = client.get(reverse("admin:tickets_ticket_changelist"))
    assert response.status_code == 302  # to the admin login: agents are not staff
