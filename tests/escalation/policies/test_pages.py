"""The escalation dashboard per role, its constant query count, and the panel's actions."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.escalations.models import Escalation
from tests.clients import signed_in as web
from tests.escalation.policies.conftest import escalations, leaf
from tests.tickets.factories import TeamFactory
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cookie_sessions")]


@pytest.fixture
def escalated(intake, policy, people):
    """Open escalations of the team's tickets, one per ticket."""
    policy(leaf("ticket.tags", "contains", "hot"), name="Hot tickets")

    def make(count: int) -> list[Escalation]:
        for _ in range(count):
            ticket = intake("P2", tags=["hot"])
            Ticket.objects.filter(pk=ticket.pk).update(team=people["team"],
                                                       assignee=people["agent"])
        return list(Escalation.objects.order_by("pk"))

    return make


def test_agents_may_not_open_the_dashboard(people):
    response = web(people["agent"]).get(reverse("escalations:dashboard"))

    assert response.status_code == 403


@pytest.mark.parametrize("role", ["lead", "manager"])
def test_leads_and_managers_see_open_escalations_and_it_polls(people, escalated, role):
    [escalation] = escalated(1)

    response = web(people[role]).get(reverse("escalations:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-escalation="{escalation.pk}"' in html
    assert "Hot tickets" in html
    assert escalation.ticket.reference in html
    assert 'hx-trigger="every 30s"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # CSP: no inline script


def test_a_lead_sees_only_the_escalations_of_tickets_they_may_see(intake, people, escalated):
    [mine] = escalated(1)
    foreign = escalated(2)[-1]
    Ticket.objects.filter(pk=foreign.ticket_id).update(team=TeamFactory(), assignee=None)

    html = web(people["lead"]).get(reverse("escalations:dashboard")).content.decode()

    assert f'data-escalation="{mine.pk}"' in html
    assert f'data-escalation="{foreign.pk}"' not in html


def test_the_htmx_refresh_returns_the_board_alone(people, escalated):
    escalated(1)

    response = web(people["lead"]).get(reverse("escalations:dashboard"), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="escalation-board"')
    assert "<html" not in html


def test_the_dashboard_query_count_does_not_grow_with_rows(people, escalated):
    client = web(people["manager"])
    escalated(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("escalations:dashboard")).status_code == 200
    escalated(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("escalations:dashboard"))

    assert response.content.decode().count("data-escalation=") == 8
    assert len(many) == len(few)


def test_an_agent_acknowledges_from_the_ticket_page(people, escalated):
    [escalation] = escalated(1)
    page = web(people["agent"]).get(reverse("tickets:ticket", args=[escalation.ticket_id]))
    assert reverse("escalations:acknowledge", args=[escalation.pk]) in page.content.decode()

    response = web(people["agent"]).post(reverse("escalations:acknowledge",
                                                 args=[escalation.pk]))

    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == people["agent"]


def test_an_agent_outside_the_team_gets_a_404(escalated):
    from tests.tickets.factories import AgentFactory

    [escalation] = escalated(1)

    response = web(AgentFactory()).post(reverse("escalations:acknowledge", args=[escalation.pk]))

    assert response.status_code == 404
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_agents_may_not_de_escalate(people, escalated):
    [escalation] = escalated(1)

    response = web(people["agent"]).post(reverse("escalations:de-escalate", args=[escalation.pk]),
                                         {"reason": "I think it is fine"})

    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.is_open


def test_a_lead_de_escalates_with_a_reason_and_without_one_is_refused(people, escalated):
    [escalation] = escalated(1)
    client = web(people["lead"])
    url = reverse("escalations:de-escalate", args=[escalation.pk])

    refused = client.post(url, {"reason": "  "})
    escalation.refresh_from_db()
    assert refused.status_code == 400
    assert escalation.is_open

    done = client.post(url, {"reason": "Workaround <b>accepted</b>"})

    assert done.status_code == 302
    escalation.refresh_from_db()
    assert escalation.de_escalation_reason == "Workaround <b>accepted</b>"  # stored verbatim
    page = client.get(reverse("tickets:ticket", args=[escalation.ticket_id])).content.decode()
    assert "Workaround &lt;b&gt;accepted&lt;/b&gt;" in page  # rendered escaped


def test_an_agent_escalates_by_hand_from_the_ticket_page(intake, people):
    ticket = intake("P3")
    Ticket.objects.filter(pk=ticket.pk).update(team=people["team"])
    client = web(people["agent"])

    assert client.post(reverse("escalations:escalate", args=[ticket.pk]),
                       {"reason": ""}).status_code == 400
    response = client.post(reverse("escalations:escalate", args=[ticket.pk]),
                           {"reason": "Customer threatens to churn"})

    assert response.status_code == 302
    [escalation] = escalations(ticket)
    assert escalation.reason == "Customer threatens to churn"
    assert escalation.policy is None


def test_leads_and_managers_have_the_dashboard_in_their_nav(people):
    link = reverse("escalations:dashboard")

    assert link in web(people["lead"]).get(reverse("tickets:workspace"), follow=True
                                           ).content.decode()
    assert link not in web(people["agent"]).get(reverse("tickets:workspace"), follow=True
                                                 ).content.decode()


def test_the_escalation_panel_costs_one_query_whatever_it_lists(people, escalated, settings):
    [escalation] = escalated(1)
    client = web(people["agent"])
    url = reverse("tickets:ticket", args=[escalation.ticket_id])
    client.get(url)  # warm the caches every page shares
    with CaptureQueriesContext(connection) as with_panel:
        assert client.get(url).status_code == 200
    settings.HELPDESK_TICKET_PANELS = [
        path for path in settings.HELPDESK_TICKET_PANELS if "escalations" not in path
    ]
    with CaptureQueriesContext(connection) as without_panel:
        assert client.get(url).status_code == 200

    assert len(with_panel) - len(without_panel) == 1
