"""The full pipeline through the REST API, and the cost of the stages in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import key_client
from tests.tickets.factories import AgentFactory, TicketFactory
from tickets.choices import TicketStatus
from tickets.pipeline import IntakeContext, run_intake_pipeline
from tickets.services.intake import NewTicket, create_ticket
from triage.incidents import open_parent_incident_ids
from triage.models import TriageDecision, TriageOverride, TriageRule
from triage.rulebook import bump_version, current_rulebook, publish_rulebook_version
from triage.seed import BILLING
from triage.stages import STAGES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_rules")]

PAYLOAD = {
    "subject": "Refund for the duplicate charge",
    "description": "Hi, my card was charged twice on March 15 for order A-1001. Please refund one.",
    "requester": {"email": "ana@acme.example", "name": "Ana Silva"},
    "channel": "web_form",
}


@pytest.mark.usefixtures("triage_only")
def test_the_201_body_carries_the_triage_decision(intake_client):
    response = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    triage = body["triage"]
    assert set(triage) == {"category", "confidence", "needs_review", "missing_fields",
                           "sentiment", "rules", "parent_incident"}
    assert triage["parent_incident"] is None
    assert triage["category"] == body["category"] == "refund_request"
    assert triage["needs_review"] is False
    assert {"id", "name", "explanation"} == set(triage["rules"][0])
    assert triage["rules"][0]["name"] == "Refund request"
    assert body["language"] == "en"
    assert body["custom_fields"] == {"order_id": "A-1001"}


def test_the_whole_configured_pipeline_runs_through_the_api(intake_client):
    response = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["triage"]["category"] == "refund_request"


@pytest.mark.usefixtures("triage_only")
def test_reading_the_ticket_shows_the_stored_decision(intake_client, django_assert_max_num_queries):
    intake_client.post("/api/v1/tickets/", PAYLOAD, format="json")
    intake_client.post("/api/v1/tickets/", {**PAYLOAD, "subject": "Invoice copy"}, format="json")
    reader, _ = key_client("read")
    ticket = TicketFactory()  # no decision: triage is null, not an error
    listing = reader.get("/api/v1/tickets/").json()["results"]
    by_id = {row["id"]: row["triage"] for row in listing}
    assert by_id[ticket.pk] is None
    assert sorted(t["category"] for t in by_id.values() if t) == ["refund_request",
                                                                  "refund_request"]


@pytest.mark.usefixtures("triage_only")
def test_the_ticket_list_stays_one_query_with_decisions(intake_client):
    for n in range(3):
        intake_client.post("/api/v1/tickets/", {**PAYLOAD, "subject": f"Refund {n}"},
                           format="json")
    reader, _ = key_client("read")
    reader.get("/api/v1/tickets/")  # warm the key lookup
    with CaptureQueriesContext(connection) as few:
        reader.get("/api/v1/tickets/")
    for n in range(5):
        intake_client.post("/api/v1/tickets/", {**PAYLOAD, "subject": f"More {n}"}, format="json")
    with CaptureQueriesContext(connection) as many:
        reader.get("/api/v1/tickets/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_stages_cost_a_bounded_number_of_queries_with_200_rules(
    settings, django_assert_max_num_queries
):
    # given: 200 enabled rules, loaded once per process
    TriageRule.objects.bulk_create(
        TriageRule(name=f"Rule {n}", explanation="Bulk rule.", enabled=True, order=200 + n,
                   category_id="billing", weight=0.5,
                   condition={"field": "triage.text", "op": "matches",
                              "value": rf"\bterm{n}\b|{BILLING}"})
        for n in range(192)
    )
    bump_version()
    publish_rulebook_version()  # as once the admin's change has committed
    current_rulebook()
    settings.HELPDESK_INTAKE_PIPELINE = []
    ticket, _ = create_ticket(request=NewTicket(
        subject="Invoice", description="My invoice INV-1234 is wrong, please fix the charge.",
        requester_email="ana@acme.example"))
    ctx = IntakeContext(payload={})
    settings.HELPDESK_INTAKE_PIPELINE = list(STAGES)
    open_parent_incident_ids()  # cached: there are none, as at most intakes
    # when / then: save the ticket, write the decision; nothing per rule
    with django_assert_max_num_queries(2):
        run_intake_pipeline(ticket, ctx)
    assert ctx.decisions["triage"]["category"] == "billing"
    assert len(current_rulebook().rules) >= 200


@pytest.mark.usefixtures("triage_only")
def test_an_agent_changing_category_or_priority_is_recorded_as_an_override(intake_client):
    created = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json").json()
    agent = AgentFactory()
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(agent)
    response = client.patch(f"/api/v1/tickets/{created['id']}/",
                            {"category": "billing", "priority": "P2", "reason": "duplicate"},
                            format="json")
    assert response.status_code == 200, response.content
    overrides = TriageOverride.objects.filter(ticket_id=created["id"]).order_by("field")
    assert [(o.field, o.before, o.after, o.actor_id) for o in overrides] == [
        ("category", "refund_request", "billing", agent.pk),
        ("priority", "P3", "P2", agent.pk),
    ]
    assert overrides[0].decision == TriageDecision.objects.get(ticket_id=created["id"])


@pytest.mark.usefixtures("triage_only")
def test_system_changes_are_not_overrides():
    from tickets.services.updates import update_ticket_fields

    ticket = TicketFactory(status=TicketStatus.OPEN)
    update_ticket_fields(ticket=ticket, changes={"priority": "P1"}, actor=None)
    assert not TriageOverride.objects.exists()
