"""The SLA admin (recompute on edit), the ticket page's SLA panel, handoff notices, facts."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from escalation.calendars import default_business_calendar
from escalation.facts import sla_facts
from escalation.models import SlaPolicy, SlaTarget, SlaTimer
from escalation.notifications.models import Notification
from escalation.panels import sla_panel
from escalation.services.recompute import recompute_chunk
from routing.models import TeamProfile
from routing.services.handoffs import reject_handoff, request_transfer
from tests.tickets.factories import (
    AdminFactory,
    AgentFactory,
    ManagerFactory,
    TeamFactory,
    TeamLeadFactory,
)
from tickets.choices import TicketStatus
from tickets.models import Ticket
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory(is_superuser=True))
    return client


@pytest.fixture
def recomputes(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr("escalation.tasks.recompute_open_tickets.delay", calls.append)
    return calls


@pytest.mark.parametrize("model", ["businesscalendar", "slapolicy", "slawarninglevel",
                                   "ticketsla", "slatimer", "slawarning", "slahistory"])
def test_every_model_has_a_working_changelist(admin_client, intake, model):
    intake("P1")
    response = admin_client.get(reverse(f"admin:escalation_{model}_changelist"))
    assert response.status_code == 200


def test_editing_a_calendar_recomputes_open_tickets_and_says_so(
    admin_client, recomputes, django_capture_on_commit_callbacks
):
    calendar = default_business_calendar()
    url = reverse("admin:escalation_businesscalendar_change", args=[calendar.pk])
    form = {
        "name": calendar.name, "slug": calendar.slug, "time_zone": "Europe/London",
        "hours": '{"mon": [["08:00", "18:00"]]}', "holiday_country": "GB",
        "holiday_subdivision": "ENG", "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, form, follow=True)
    assert response.status_code == 200
    assert b"Open tickets are being recomputed" in response.content
    assert recomputes == [0]
    calendar.refresh_from_db()
    assert calendar.hours == {"mon": [["08:00", "18:00"]]}


def test_the_admin_says_edits_apply_at_once(admin_client):
    policy = SlaPolicy.objects.get(name="P3 default")
    response = admin_client.get(reverse("admin:escalation_slapolicy_change", args=[policy.pk]))
    assert b"Changes apply to open tickets at once" in response.content


def test_recompute_applies_a_tightened_policy_to_open_tickets(intake):
    # given a P3 ticket at 10:00 (first response 4 business hours: due 14:00)
    with time_machine.travel(MONDAY, tick=False):
        ticket = intake("P3")
    # when the admin tightens P3's first response to 1 hour and the task runs at 10:30
    SlaTarget.objects.filter(policy__name="P3 default", metric="first_response").update(
        minutes=60)
    from escalation.policies import sla_policies

    sla_policies.publish()
    with time_machine.travel(MONDAY + timedelta(minutes=30), tick=False):
        assert recompute_chunk(after_id=0) is None
    timer = SlaTimer.objects.get(ticket=ticket, metric="first_response")
    assert (timer.target_seconds, timer.due_at) == (3600, MONDAY + timedelta(hours=1))


def test_the_panel_shows_every_clock_and_the_history(intake):
    with time_machine.travel(MONDAY, tick=False):
        ticket = intake("P1")
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False):
        ticket = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None)
        ticket = change_status(ticket=ticket, status=TicketStatus.PENDING, actor=None)
        panel = sla_panel(ticket=ticket, user=AgentFactory())
    clocks = panel.context["clocks"]
    assert [(c["metric"], c["state"], c["remaining"]) for c in clocks] == [
        ("First response", "paused", "0h 10m"), ("Resolution", "paused", "3h 55m")]
    reasons = [entry.reason for entry in panel.context["history"]]
    assert reasons == ["P1 default", "P1 default", "status open -> pending",
                       "status open -> pending"]


def test_the_panel_costs_two_queries_however_long_the_history(
    intake, django_assert_num_queries
):
    with time_machine.travel(MONDAY, tick=False):
        ticket = intake("P1")
        ticket = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None)
        for _ in range(5):
            ticket = change_status(ticket=ticket, status=TicketStatus.PENDING, actor=None)
            ticket = change_status(ticket=ticket, status=TicketStatus.OPEN, actor=None)
    agent = AgentFactory()
    sla_panel(ticket=ticket, user=agent)  # reads the calendar's closures once
    with django_assert_num_queries(2):
        panel = sla_panel(ticket=ticket, user=agent)
    assert len(panel.context["history"]) == 2 + 2 * 5 * 2


def test_the_ticket_page_renders_the_panel_escaped(intake):
    agent = AgentFactory()
    ticket = intake("P1", subject="<script>x</script>")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)
    client = Client()
    client.force_login(agent)
    response = client.get(reverse("tickets:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    assert b'aria-label="SLA"' in response.content
    assert b"First response" in response.content


def test_a_rejected_handoff_tells_the_sender_and_a_request_tells_the_lead(intake):
    sender, lead, receiver = AgentFactory(), TeamLeadFactory(), AgentFactory()
    home, target = TeamFactory(members=[sender]), TeamFactory(lead=lead, members=[receiver])
    TeamProfile.objects.create(team=target, must_accept=True)
    ticket = intake("P2")
    Ticket.objects.filter(pk=ticket.pk).update(team=home, assignee=sender)
    ticket.refresh_from_db()
    handoff = request_transfer(ticket=ticket, to_team=target, actor=sender, note="Billing")
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (lead.pk, "handoff_requested")]
    reject_handoff(handoff=handoff, actor=receiver, reason="Not ours")
    rejected = Notification.objects.get(kind="handoff_rejected")
    assert rejected.recipient == sender
    assert "Not ours" in rejected.body


def test_sla_facts_follow_the_nearest_due(db):
    now = datetime.now(UTC)
    assert sla_facts(Ticket(sla_due_at=None))["sla.state"] == "none"
    assert sla_facts(Ticket(sla_due_at=now - timedelta(minutes=1)))["sla.breached"] is True
    assert sla_facts(Ticket(sla_due_at=now + timedelta(minutes=10)))["sla.near_breach"] is True
    assert sla_facts(Ticket(sla_due_at=now + timedelta(hours=5)))["sla.state"] == "ok"
    ManagerFactory()  # facts never query: no database needed beyond this line
