import pytest

pytestmark = pytest.mark.django_db


def report_decisions(ticket, ctx):
    """A stage that decides nothing but reports, as triage and routing do."""
    for name in ("triage", "routing", "sla"):
        ctx.decisions[name] = {"reported_by": "stage"} if name != "sla" else []


def test_intake_reads_back_the_ticket_row_and_nothing_the_stages_reported(
    intake_client, settings, django_assert_num_queries
):
    # given: the spine and one reporting stage (real stages count their own queries)
    settings.HELPDESK_INTAKE_PIPELINE = ["tests.tickets.test_intake_queries.report_decisions"]
    settings.HELPDESK_EVENT_HANDLERS = {}
    payload = {"subject": "Printer", "description": "It jams.",
               "requester": {"email": "first.time@customer.example", "name": "Ines"}}
    # when / then: the key and its first-use stamp; a savepoint; the contact looked up, then
    # inserted in a savepoint of its own; the organisation by domain; ticket, message and
    # event; the savepoint released; the ticket row read back, and no decision rows
    with django_assert_num_queries(13):
        response = intake_client.post("/api/v1/tickets/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["triage"] == {"reported_by": "stage"}
