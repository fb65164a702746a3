"""Dry-run of policies in admin: how often they would have fired, and nothing changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.escalations.dry_run import dry_run_policy
from escalation.escalations.models import Escalation
from escalation.notifications.models import Notification
from tests.escalation.policies.conftest import leaf
from tests.tickets.factories import AdminFactory
from tickets.models import OutboundEmail, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def tickets(intake):
    return [intake("P1", impact=["outage"]) for _ in range(3)] + [intake("P3") for _ in range(2)]


def snapshot():
    return (Escalation.objects.count(), TicketEvent.objects.count(),
            OutboundEmail.objects.count(), Notification.objects.count(),
            sorted(Ticket.objects.values_list("pk", "priority", "assignee_id", "escalated_at",
                                              "updated_at")))


def test_the_dry_run_counts_matches_over_the_last_n_and_writes_nothing(tickets, policy):
    draft = policy(leaf("ticket.impact", "contains", "outage"), enabled=False,
                   set_priority="P1", customer_update=True, notify_managers=True)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        last_four = dry_run_policy(policy=draft, limit=4)
        everything = dry_run_policy(policy=draft, limit=100)

    assert (last_four.result.examined, last_four.result.matched) == (4, 2)
    assert (everything.result.examined, everything.result.matched) == (5, 3)
    assert {m.id for m in everything.result.examples} == {t.pk for t in tickets[:3]}
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert snapshot() == before


def test_the_admin_action_runs_it_on_the_number_asked(client, tickets, policy):
    draft = policy(leaf("ticket.impact", "contains", "outage"), name="Outages", enabled=False)
    client.force_login(AdminFactory(is_superuser=True))
    before = snapshot()

    response = client.post(reverse("admin:escalations_escalationpolicy_changelist"), {
        "action": "dry_run_rules", "_selected_action": [draft.pk], "dry_run_limit": 4,
    })

    assert response.status_code == 200
    html = response.content.decode()
    assert "Outages" in html
    assert "Matched 2 of 4 tickets." in html
    assert snapshot() == before


def test_the_dry_run_sees_the_facts_escalation_adds(intake, policy):
    policy(leaf("ticket.priority", "equals", "P1"))
    asking = intake("P3", description="I need to talk to a human now.")
    intake("P3", description="The export is slow.")
    draft = policy(leaf("escalation.human_requested", "equals", True), enabled=False)

    run = dry_run_policy(policy=draft, limit=10)

    assert run.result.matched == 1
    assert [match.id for match in run.result.examples] == [asking.pk]


@pytest.mark.parametrize("model", ["escalationpolicy", "escalation", "ticketsignals", "sweepmark"])
def test_every_model_has_a_working_changelist(client, model, tickets):
    client.force_login(AdminFactory(is_superuser=True))

    assert client.get(reverse(f"admin:escalations_{model}_changelist")).status_code == 200
